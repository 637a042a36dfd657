package com.wecomrpa.bench;

import com.wecomrpa.launcher.Processes;
import com.wecomrpa.protocol.DeviceInfo;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The dispatch benchmark's load agents in their own JVM, as real agents would be, so the
 * controller's process holds only the controller. Driven over stdin: {@code count} answers
 * "acked lastAckNanos", {@code dump} prints every offer's arrival and every ack latency, {@code
 * quit} ends. Times are System.nanoTime, which on Linux is the same monotonic clock in every process.
 */
public final class LoadAgentsProcess {
  private LoadAgentsProcess() {}

  public static void main(String[] args) throws Exception {
    // One port, or the ports of a cluster's nodes: load agent l connects to the l-th, round robin.
    int[] ports = java.util.Arrays.stream(args[0].split(",")).mapToInt(Integer::parseInt).toArray();
    String token = args[1];
    int accounts = Integer.parseInt(args[2]);
    int loadAgents = Integer.parseInt(args[3]);
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    Vertx vertx = Vertx.vertx();
    for (int l = 0; l < loadAgents; l++) {
      List<DeviceInfo> devices = new ArrayList<>();
      for (int a = 1 + l; a <= accounts; a += loadAgents) {
        devices.add(new DeviceInfo("dev-" + a, "acc-" + a, "wecom-sim", "sim-1", "none", "wecom-sim@bench"));
      }
      connected(vertx, ports[l % ports.length], token, "load-" + l, devices);
    }
    out.println("ready");
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      switch (line.trim()) {
        case "count" -> out.println(LoadAgent.ACKED.get() + " " + LoadAgent.LAST_ACK.get());
        case "clear-acks" -> {
          // The next phase's offers only: what the earlier phases left would be copied by every
          // collection of this JVM, and its pauses delay the arrivals the bench measures.
          LoadAgent.ACK_NANOS.clear();
          LoadAgent.OFFERED.clear();
          out.println("ok");
        }
        case "dump" -> {
          StringBuilder sb = new StringBuilder();
          LoadAgent.OFFERED.forEach((job, at) -> sb.append("O ").append(at).append(' ').append(job).append('\n'));
          LoadAgent.ACK_NANOS.forEach(n -> sb.append("A ").append(n).append('\n'));
          sb.append("end");
          out.println(sb);
        }
        case "quit" -> {
          Processes.await(vertx.close(), Duration.ofSeconds(30));
          System.exit(0);
        }
        default -> out.println("unknown command " + line);
      }
    }
    System.exit(0);
  }

  /** A connected load agent; a handshake refused under load is tried again, as a real agent would. */
  private static LoadAgent connected(Vertx vertx, int port, String token, String id, List<DeviceInfo> devices) throws InterruptedException {
    for (int attempt = 1; ; attempt++) {
      LoadAgent agent = new LoadAgent(vertx, port, token, id, devices);
      try {
        Processes.await(agent.connect(), Duration.ofSeconds(30));
        return agent;
      } catch (RuntimeException e) {
        if (attempt == 5) {
          throw e;
        }
        Thread.sleep(200L * attempt);
      }
    }
  }
}
