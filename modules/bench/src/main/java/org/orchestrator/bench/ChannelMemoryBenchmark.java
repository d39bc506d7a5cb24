package org.orchestrator.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.orchestrator.app.TestNode;
import org.orchestrator.dbadmin.testing.TestDatabase;

/**
 * Server heap per connected robot (issue 35): a node in this JVM, the robots in another (the
 * simulator, {@code --push}: each robot holds its push channel and its heartbeat connection, a
 * heartbeat every 30 s), so that only the server's memory is measured. The heap after full
 * collections with 1,000 and then 5,000 robots connected, against the same node with none
 * (after it registered them: what is left is the connections' cost, the robots' rows are in
 * PostgreSQL).
 */
final class ChannelMemoryBenchmark {

  private ChannelMemoryBenchmark() {
  }

  static void run() throws Exception {
    int[] fleets = {1_000, 5_000};
    // room for every robot's two connections, all from this machine's one address
    io.vertx.core.json.JsonObject config = new io.vertx.core.json.JsonObject().put("http",
        new io.vertx.core.json.JsonObject().put("maxConnections", 12_000).put("maxConnectionsPerAddress", 12_000));
    TestNode node = TestNode.start(TestDatabase.newSchema("bench_channels"), Files.createTempDirectory("channels"),
        config);
    Path state = Files.createTempDirectory("channels-sim");
    try {
      // register the largest fleet first (its robots' rows and secrets), then measure the node bare
      simulate(node, fleets[fleets.length - 1], state, 0).waitFor();
      waitForChannels(node, 0);
      long bare = heapAfterGc();
      List<String> lines = new ArrayList<>();
      for (int robots : fleets) {
        Process fleet = simulate(node, robots, state, 900);
        try {
          waitForChannels(node, robots);
          Thread.sleep(5_000); // the first heartbeats answered, the connections settled
          long held = heapAfterGc();
          lines.add(String.format("| server heap per connected robot (push channel and heartbeat connection held), "
                  + "%,d robots | %,.1f KiB per robot (heap %,.0f MiB) | %,.0f MiB with none connected | "
                  + "%.2f (heap with / without) | stated |", robots, (held - bare) / 1024.0 / robots, held / 1048576.0,
              bare / 1048576.0, held / (double) bare));
        } finally {
          fleet.destroy();
          fleet.waitFor(30, TimeUnit.SECONDS);
        }
        waitForChannels(node, 0);
      }
      lines.forEach(System.out::println);
    } finally {
      node.close();
    }
  }

  /** The simulator in a JVM of its own; {@code seconds} 0 only registers the robots and stops. */
  private static Process simulate(TestNode node, int robots, Path state, int seconds) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx1g", "-cp", System.getProperty("java.class.path"), "org.orchestrator.simulator.SimulatorMain",
        "--url", "http://127.0.0.1:" + node.port(), "--host-password", TestNode.ADMIN_PASSWORD, "--tenant", "channels",
        "--robots", Integer.toString(robots), "--heartbeat-ms", "30000", "--state-dir", state.toString(),
        "--duration-seconds", Integer.toString(Math.max(1, seconds))));
    if (seconds > 0) {
      command.add("--push");
    }
    return new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(Files.createTempFile("channels-sim", ".log").toFile()).start();
  }

  private static void waitForChannels(TestNode node, int robots) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    double open = -1;
    while (System.nanoTime() < deadline) {
      open = org.orchestrator.app.Scrape.parse(node.api().get("/metrics", null).await().bodyAsString())
          .value("orchestrator_robot_channels_open");
      if (open == robots) {
        return;
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException("robot channels open: " + open + ", expected " + robots);
  }

  private static long heapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(300);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
