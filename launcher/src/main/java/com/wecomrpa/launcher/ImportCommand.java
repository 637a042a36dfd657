package com.wecomrpa.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.orders.OrderCsv;
import com.wecomrpa.controller.orders.OrderIntake;
import com.wecomrpa.protocol.WireCodec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code wecom-rpa import orders FILE.csv}: orders from an order system's export, through the API. */
@Command(name = "import", mixinStandardHelpOptions = true, description = "Import data through a running controller's API.",
    subcommands = {ImportCommand.Orders.class})
final class ImportCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  /**
   * Streams the file twice: first a check of every line (on its own, then in batches against what
   * the controller holds, rolled back), then, only if no line is bad, the import itself in batches.
   * Bad lines are reported with their numbers and nothing is stored (with {@code --skip-bad}, the
   * good lines are stored and the bad ones reported). The import records the last line the
   * controller acknowledged in FILE.progress: run it again after an interruption and it resumes
   * there; orders sent twice are duplicates by order id, never double-counted.
   */
  @Command(name = "orders", mixinStandardHelpOptions = true, description = "Import orders from a CSV file (order_id,customer_id,account_id,at,amount,products,status[,nickname]).")
  static final class Orders implements Callable<Integer> {
    @Parameters(index = "0", description = "the CSV file")
    Path file;

    @Option(names = "--controller", defaultValue = "http://127.0.0.1:8080", description = "the controller (default ${DEFAULT-VALUE})")
    String controller;

    @Option(names = "--token-file", description = "a file holding an operator token (default: $WECOM_RPA_TOKEN)")
    Path tokenFile;

    @Option(names = "--batch", defaultValue = "500", description = "orders per request (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--skip-bad", description = "store the good lines even when some are bad (they are still reported)")
    boolean skipBad;

    @Option(names = "--restart", description = "ignore FILE.progress and import from the first line")
    boolean restart;

    @Override
    public Integer call() throws Exception {
      String token = CallerToken.read(tokenFile);
      if (token == null || token.isBlank()) {
        System.err.println("import orders: a token is needed: --token-file FILE or $WECOM_RPA_TOKEN");
        return 2;
      }
      if (batch < 1 || batch > OrderIntake.MAX_BATCH) {
        System.err.println("--batch must be 1.." + OrderIntake.MAX_BATCH);
        return 2;
      }
      return new OrderImport(file, controller, token, batch, System.out).run(skipBad, restart);
    }
  }

  /** The import itself, usable from the demo. */
  static final class OrderImport {
    private static final Pattern LINE_FIELD = Pattern.compile("orders\\[(\\d+)]");

    /** What an import did. */
    record Result(int lines, int stored, int refunded, int duplicates, List<String> bad, boolean complete) {}

    private final Path file;
    private final String controller;
    private final String token;
    private final int batch;
    private final PrintStream out;
    private final HttpClient http = HttpClient.newHttpClient();
    private int acknowledged;
    private final ObjectMapper json = WireCodec.mapper();

    OrderImport(Path file, String controller, String token, int batch, PrintStream out) {
      this.file = file;
      this.controller = controller.replaceAll("/+$", "");
      this.token = token;
      this.batch = batch;
      this.out = out;
    }

    int run(boolean skipBad, boolean restart) throws IOException, InterruptedException {
      Result r;
      try {
        r = importAll(skipBad, restart);
      } catch (java.net.ConnectException e) {
        // The check runs first, so a controller gone before the import itself has stored nothing.
        out.println("import orders: no controller answers at " + controller + " (is it running? --controller URL); "
            + (acknowledged == 0 ? "nothing stored" : "lines up to " + acknowledged + " stored; run again to resume"));
        return 2;
      }
      if (!r.bad().isEmpty()) {
        r.bad().stream().limit(50).forEach(b -> out.println("  " + b));
        if (r.bad().size() > 50) {
          out.println("  ... and " + (r.bad().size() - 50) + " more bad lines");
        }
      }
      out.printf("import %s: %d lines, %d orders stored, %d refunds, %d duplicates, %d bad%s%n", file, r.lines(), r.stored(), r.refunded(), r.duplicates(),
          r.bad().size(), r.complete() ? "" : skipBad ? "" : "; nothing stored (fix the lines, or --skip-bad)");
      return r.bad().isEmpty() ? 0 : 1;
    }

    Result importAll(boolean skipBad, boolean restart) throws IOException, InterruptedException {
      Path progress = file.resolveSibling(file.getFileName() + ".progress");
      int resumeAfter = !restart && Files.exists(progress) ? Integer.parseInt(Files.readString(progress).trim()) : 1;
      if (resumeAfter > 1) {
        out.printf("resuming %s after line %d (from %s)%n", file, resumeAfter, progress);
      }
      // Pass 1: every line checked; refunds of orders earlier in the file are known, not yet stored.
      List<String> bad = new ArrayList<>();
      Set<Integer> badLines = new HashSet<>();
      Set<String> seen = new HashSet<>();
      int lines = scan(resumeAfter, (chunk) -> {
        List<OrderCsv.Line> ask = new ArrayList<>();
        for (OrderCsv.Line l : chunk) {
          if (l.error() != null) {
            bad.add(l.error());
            badLines.add(l.number());
          } else if (!("refunded".equals(l.order().status()) && seen.contains(l.order().id()))) {
            ask.add(l);
          }
          if (l.order() != null) {
            seen.add(l.order().id());
          }
        }
        for (OrderCsv.Line refused : send(ask, true).refused()) {
          bad.add(refused.error());
          badLines.add(refused.number());
        }
      });
      out.printf("checked %d lines: %d bad%n", lines - 1, bad.size());
      if (!bad.isEmpty() && !skipBad) {
        return new Result(lines - 1, 0, 0, 0, bad, false);
      }
      // Pass 2: store, batch by batch, recording the last line acknowledged.
      int[] totals = new int[3];
      scan(resumeAfter, chunk -> {
        List<OrderCsv.Line> good = chunk.stream().filter(l -> l.error() == null && !badLines.contains(l.number())).toList();
        Sent s = send(good, false);
        for (OrderCsv.Line refused : s.refused()) {
          bad.add(refused.error()); // refused only now: something changed at the controller between the passes
        }
        totals[0] += s.outcome().path("accepted").asInt();
        totals[1] += s.outcome().path("refunded").asInt();
        totals[2] += s.outcome().path("duplicates").asInt();
        int last = chunk.get(chunk.size() - 1).number();
        Files.writeString(progress, String.valueOf(last));
        acknowledged = last;
        out.printf("line %d: %d stored, %d refunds, %d duplicates so far%n", last, totals[0], totals[1], totals[2]);
      });
      Files.deleteIfExists(progress);
      return new Result(lines - 1, totals[0], totals[1], totals[2], bad, true);
    }

    interface Chunk {
      void accept(List<OrderCsv.Line> lines) throws IOException, InterruptedException;
    }

    /** Streams the lines after {@code resumeAfter} in chunks of {@code batch}; returns the last line number. */
    private int scan(int resumeAfter, Chunk chunk) throws IOException, InterruptedException {
      try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        OrderCsv csv;
        try {
          csv = new OrderCsv(in.readLine());
        } catch (Rejected e) {
          throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
        int n = 1;
        List<OrderCsv.Line> pending = new ArrayList<>();
        for (String text = in.readLine(); text != null; text = in.readLine()) {
          n++;
          if (n <= resumeAfter || text.isBlank()) {
            continue;
          }
          pending.add(csv.parse(n, text));
          if (pending.size() == batch) {
            chunk.accept(pending);
            pending = new ArrayList<>();
          }
        }
        if (!pending.isEmpty()) {
          chunk.accept(pending);
        }
        return n;
      }
    }

    private record Sent(JsonNode outcome, List<OrderCsv.Line> refused) {}

    /** Posts a batch; a line the controller refuses is taken out and the rest sent again. */
    private Sent send(List<OrderCsv.Line> lines, boolean dryRun) throws IOException, InterruptedException {
      List<OrderCsv.Line> left = new ArrayList<>(lines);
      List<OrderCsv.Line> refused = new ArrayList<>();
      while (!left.isEmpty()) {
        String body = json.writeValueAsString(Map.of("orders", left.stream().map(OrderCsv.Line::order).toList()));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(controller + "/api/v1/orders" + (dryRun ? "?dryRun=true" : "")))
            .header("Authorization", "Bearer " + token).header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return new Sent(json.readTree(r.body()), refused);
        }
        JsonNode err = json.readTree(r.body());
        JsonNode first = err.isArray() ? err.path(0) : err;
        Matcher m = LINE_FIELD.matcher(first.path("field").asText(""));
        if (r.statusCode() >= 500 || !m.lookingAt()) {
          throw new IllegalStateException("the controller answered " + r.statusCode() + ": " + r.body() + " (run again to resume)");
        }
        OrderCsv.Line line = left.remove(Integer.parseInt(m.group(1)));
        String why = first.path("error").asText().replaceFirst("^orders\\[\\d+]\\.?", "");
        refused.add(new OrderCsv.Line(line.number(), null, "line " + line.number() + ": " + why.replaceFirst("^[:\\s]+", "")));
      }
      return new Sent(json.createObjectNode(), refused);
    }
  }
}
