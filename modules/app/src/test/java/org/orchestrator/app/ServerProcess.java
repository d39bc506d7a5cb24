package org.orchestrator.app;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.orchestrator.platform.database.DatabaseEndpoint;

/**
 * The orchestrator as a separate JVM ({@code org.orchestrator.app.Main} on the test class path), so
 * that tests can {@code kill -9} it and start it again on the same data directory and database.
 */
public final class ServerProcess implements AutoCloseable {

  private final Process process;
  private final int port;
  private final Path log;

  private ServerProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /**
   * Starts Main with {@code dataDir}, on {@code database} ({@code null}: the embedded default) and
   * {@code port} (0: a free one).
   */
  public static ServerProcess start(Path dataDir, DatabaseEndpoint database, int port) throws IOException {
    return start(dataDir, database, port, -1);
  }

  /** As {@link #start(Path, DatabaseEndpoint, int)}, with the event-bus bridge on {@code bridgePort} (-1: off). */
  public static ServerProcess start(Path dataDir, DatabaseEndpoint database, int port, int bridgePort)
      throws IOException {
    return start(dataDir, database, port, bridgePort, "");
  }

  /** As {@link #start(Path, DatabaseEndpoint, int, int)}, with {@code moreYaml} (top-level sections) appended. */
  public static ServerProcess start(Path dataDir, DatabaseEndpoint database, int port, int bridgePort, String moreYaml)
      throws IOException {
    int chosen = port == 0 ? freePort() : port;
    Path config = Files.createTempFile("orchestrator", ".yaml");
    Files.writeString(config, """
        dataDir: %s
        http:
          host: 127.0.0.1
          port: %d
        database:
          url: %s
          schema: %s
        security:
          passwordIterations: 1000
          hostAdminPassword: %s
        maintenance:
          retryAfterSeconds: 1
        bridge:
          port: %d
        """.formatted(dataDir, chosen, database == null ? "" : database.url(),
        database == null ? "public" : database.schema(), TestNode.ADMIN_PASSWORD, bridgePort) + moreYaml);
    Path log = Files.createTempFile("orchestrator-process", ".log");
    ProcessBuilder builder = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-cp", System.getProperty("java.class.path"), Main.class.getName()))
        .redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(key -> key.startsWith("ORCH_"));
    env.put("ORCH_CONFIG", config.toString());
    return new ServerProcess(builder.start(), chosen, log);
  }

  /** Waits until the node at {@code api} answers /health/ready with 200 (a restarted process, say). */
  public static void awaitReady(io.vertx.core.Vertx vertx, Api api) {
    Eventually.until(vertx, () -> api.get("/health/ready", null).map(r -> r.statusCode()).otherwise(0),
        status -> status == 200, 90_000).await();
  }

  public int port() {
    return port;
  }

  public Path log() {
    return log;
  }

  /** {@code kill -9}: no shutdown hook, no flush, no goodbye. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** Waits for the process to exit by itself; false if it still runs after {@code timeout}. */
  public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
    return process.waitFor(timeout, unit);
  }

  public int exitValue() {
    return process.exitValue();
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** A graceful stop (SIGTERM: the shutdown hook runs). */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }

  /**
   * A port nothing listens on now, for a server started after this returns: chosen below the
   * kernel's ephemeral range (Linux: {@code net.ipv4.ip_local_port_range}), where no outgoing
   * connection can take it in between, as one from {@code bind(0)} could; at random, so that test
   * JVMs running at once rarely try the same one.
   */
  static int freePort() throws IOException {
    int low = 20_000;
    int high = ephemeralLow() - 1;
    if (high - low < 1_000) {
      low = 1_024;
    }
    if (high - low < 1_000) { // an ephemeral range starting below 2,024: no room beneath it
      try (ServerSocket socket = new ServerSocket(0)) {
        return socket.getLocalPort();
      }
    }
    java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
    for (int attempt = 0; attempt < 500; attempt++) {
      int port = random.nextInt(low, high + 1);
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new java.net.InetSocketAddress(port));
        return port;
      } catch (IOException taken) {
        // someone listens there: try another
      }
    }
    throw new IOException("no free port between " + low + " and " + high);
  }

  private static int ephemeralLow() {
    try {
      // read as a stream: Files.readString trusts the size /proc reports and answered "3"
      String range;
      try (java.io.InputStream in = java.nio.file.Files.newInputStream(
          java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
        range = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
      }
      return Integer.parseInt(range.trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return 32_768; // Linux's default; elsewhere (macOS 49,152) this is below the range too
    }
  }
}
