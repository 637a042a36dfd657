package com.wecomrpa.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.wecomrpa.controller.Controller;
import com.wecomrpa.controller.ControllerOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wecom-rpa import orders} against a real controller: a file with bad lines is refused
 * line by line with nothing stored; a clean file is stored in batches; an import interrupted
 * after a batch resumes after the last acknowledged line.
 */
class OrderImportTest {
  @TempDir Path dir;
  Vertx vertx;
  ControllerClient api;
  String url;
  final ByteArrayOutputStream printed = new ByteArrayOutputStream();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    Controller controller = new Controller(ControllerOptions.defaults(dir.resolve("controller"), TestStack.TOKEN).withPort(0).withAdminToken(TestStack.ADMIN_TOKEN), Clock.systemUTC());
    TestStack.await(vertx.deployVerticle(controller));
    url = "http://127.0.0.1:" + controller.port();
    api = new ControllerClient(vertx, url, TestStack.ADMIN_TOKEN);
    TestStack.await(api.createAccount("acc-1", "wecom", "Bot", "Asia/Shanghai"));
  }

  @AfterEach
  void stop() {
    TestStack.await(vertx.close());
  }

  ImportCommand.OrderImport importer(Path file, int batch) {
    return new ImportCommand.OrderImport(file, url, TestStack.ADMIN_TOKEN, batch, new PrintStream(printed, true, StandardCharsets.UTF_8));
  }

  JsonArray ordersOf(String customer) {
    return TestStack.await(api.get("/customers/" + customer + "/orders")).bodyAsJsonArray();
  }

  @Test
  void badLinesAreReportedByNumberAndNothingIsStored() throws Exception {
    Path csv = dir.resolve("orders.csv");
    Files.writeString(csv, String.join("\n",
        "order_id,customer_id,account_id,at,amount,products,status",
        "o-1,c-1,acc-1,2026-11-01T02:00:00Z,30.00,coffee|cake,paid",
        "o-2,c-1,acc-1,2026-11-02T02:00:00Z,abc,coffee,paid",
        "o-3,c-2,acc-1,2026-11-02T03:00:00Z,12.5,\"coffee, large\",paid",
        "o-404,c-2,acc-1,2026-11-03T02:00:00Z,,,refunded",
        "o-1,c-1,acc-1,2026-11-04T02:00:00Z,,,refunded",
        "o-5,c-3,acc-9,2026-11-04T02:00:00Z,5,tea,paid"));

    int code = importer(csv, 2).run(false, false);

    String out = printed.toString(StandardCharsets.UTF_8);
    assertThat(code).isEqualTo(1);
    assertThat(out).contains("line 3: amount 'abc' is not a number").contains("line 5: id: refund of unknown order o-404")
        .contains("line 7: accountId: account acc-9 not found").contains("nothing stored");
    assertThat(out).as("a refund of an order earlier in the file is not bad").doesNotContain("line 6");
    assertThat(ordersOf("c-1")).isEmpty();
    assertThat(ordersOf("c-2")).isEmpty();

    code = importer(csv, 2).run(true, false);
    assertThat(code).as("--skip-bad still reports the bad lines").isEqualTo(1);
    assertThat(ordersOf("c-1").getJsonObject(0).getString("status")).as("o-1 stored, then refunded by line 6").isEqualTo("refunded");
    assertThat(ordersOf("c-2").getJsonObject(0).getJsonArray("products")).containsExactly("coffee, large");
  }

  @Test
  void anInterruptedImportResumesAfterTheLastAcknowledgedLine() throws Exception {
    StringBuilder b = new StringBuilder("order_id,customer_id,account_id,at,amount,products\n");
    for (int i = 1; i <= 10; i++) {
      b.append("o-").append(i).append(",c-").append(i).append(",acc-1,2026-11-01T02:00:00Z,").append(i).append(",coffee\n");
    }
    Path csv = dir.resolve("orders.csv");
    Files.writeString(csv, b.toString());
    // As if the last run stopped after its first batches: lines 2-5 acknowledged.
    Files.writeString(dir.resolve("orders.csv.progress"), "5");

    assertThat(importer(csv, 3).run(false, false)).isZero();

    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("resuming").contains("6 orders stored");
    assertThat(ordersOf("c-4")).as("line 5 was acknowledged before: not sent again").isEmpty();
    assertThat(ordersOf("c-5")).hasSize(1);
    assertThat(ordersOf("c-10")).hasSize(1);
    assertThat(dir.resolve("orders.csv.progress")).as("a finished import leaves no progress file").doesNotExist();
    // From the start again: what the resumed run sent is a duplicate, never counted twice.
    printed.reset();
    assertThat(importer(csv, 3).run(false, true)).isZero();
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("4 orders stored").contains("6 duplicates");
    assertThat(ordersOf("c-5")).hasSize(1);
  }

  @Test
  void theExampleExportImportedTwiceIsStoredOnceAndTheSecondRunCountsDuplicates() throws Exception {
    TestStack.await(api.createAccount("acc-2", "wecom", "Bot 2", "Asia/Shanghai"));
    Path csv = dir.resolve("orders.csv");
    Files.copy(Path.of("..", "docs", "examples", "lifecycle", "orders.csv"), csv);
    long lines = Files.readAllLines(csv).stream().skip(1).filter(l -> !l.isBlank()).count();
    long refunds = Files.readAllLines(csv).stream().filter(l -> l.contains(",refunded")).count();
    assertThat(refunds).as("the example holds refunds of orders earlier in the file").isPositive();

    assertThat(importer(csv, 100).run(false, false)).isZero();
    String first = printed.toString(StandardCharsets.UTF_8);
    assertThat(first).contains((lines - refunds) + " orders stored, " + refunds + " refunds, 0 duplicates, 0 bad");
    JsonArray before = ordersOf("cu-111");

    printed.reset();
    assertThat(importer(csv, 100).run(false, false)).as("the same export again").isZero();
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("0 orders stored, 0 refunds, " + lines + " duplicates, 0 bad");
    assertThat(ordersOf("cu-111")).as("nothing changed by the second run").isEqualTo(before);
  }

  @Test
  void withNoControllerTheImportSaysSoInOneLine() throws Exception {
    Path csv = dir.resolve("orders.csv");
    Files.writeString(csv, "order_id,customer_id,account_id,at,amount,products\no-1,c-1,acc-1,2026-11-01T02:00:00Z,1,coffee\n");
    int port;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    int code = new ImportCommand.OrderImport(csv, "http://127.0.0.1:" + port, TestStack.ADMIN_TOKEN, 10, new PrintStream(printed, true, StandardCharsets.UTF_8))
        .run(false, false);
    String out = printed.toString(StandardCharsets.UTF_8);
    assertThat(code).isEqualTo(2);
    assertThat(out.lines().toList()).containsExactly("import orders: no controller answers at http://127.0.0.1:" + port + " (is it running? --controller URL); nothing stored");
  }
}
