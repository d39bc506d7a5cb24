package org.orchestrator.dbadmin;

import org.orchestrator.platform.database.DatabaseEndpoint;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A private PostgreSQL server whose cluster lives under the data directory and survives restarts:
 * the default when no external database is configured. Works as root too (the binaries run in a
 * user namespace). A server orphaned by a crashed JVM ({@code kill -9}) is stopped before a new one
 * starts on the same cluster; the caller must hold the data directory's lock (see
 * {@link DataDirectory}) so that such a server can only be an orphan.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

  private final EmbeddedPostgres postgres;
  private final Path cluster;

  private EmbeddedPostgresServer(EmbeddedPostgres postgres, Path cluster) {
    this.postgres = postgres;
    this.cluster = cluster;
  }

  /** Starts (or restarts) the cluster in {@code cluster} on a free port; blocks for a few seconds. */
  public static EmbeddedPostgresServer start(Path cluster) throws IOException {
    return start(cluster, 0);
  }

  /** As {@link #start(Path)} on {@code port} (0: a free one), e.g. to restart a server where clients expect it. */
  public static EmbeddedPostgresServer start(Path cluster, int port) throws IOException {
    return start(cluster, port, Map.of());
  }

  /**
   * As {@link #start(Path, int)} with {@code overrides} applied over the shipped settings: only for
   * benchmarks that measure what durability costs (see the test-jar's {@code EmbeddedPostgresForBenchmarks}).
   */
  static EmbeddedPostgresServer start(Path cluster, int port, Map<String, String> overrides) throws IOException {
    Files.createDirectories(cluster);
    stopOrphan(cluster);
    long started = System.nanoTime();
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
    if (port > 0) {
      builder.setPort(port);
    }
    builder
        .setDataDirectory(cluster)
        .setCleanDataDirectory(false)
        .setRegisterShutdownHook(false)
        .setPGStartupWait(Duration.ofSeconds(60))
        .setServerConfig("max_connections", "200")
        // durable: the library's defaults turn fsync and synchronous_commit off, so a power cut
        // or an OS crash could lose committed rows (the maintenance phase among them) or corrupt
        // the cluster. What the docs promise about crashes holds for the default run
        .setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("full_page_writes", "on");
    overrides.forEach(builder::setServerConfig);
    EmbeddedPostgres postgres = builder.start();
    LOG.info("embedded PostgreSQL on 127.0.0.1:{} with cluster {} ({} ms)", postgres.getPort(), cluster,
        (System.nanoTime() - started) / 1_000_000);
    return new EmbeddedPostgresServer(postgres, cluster);
  }

  /** The server's {@code postgres} database as the superuser. */
  public DatabaseEndpoint endpoint(String schema) {
    return new DatabaseEndpoint("127.0.0.1", postgres.getPort(), "postgres", "postgres", null, schema);
  }

  public Path cluster() {
    return cluster;
  }

  @Override
  public void close() throws IOException {
    postgres.close();
  }

  private static void stopOrphan(Path cluster) throws IOException {
    Path pidFile = cluster.resolve("postmaster.pid");
    if (!Files.isRegularFile(pidFile)) {
      return;
    }
    List<String> lines = Files.readAllLines(pidFile);
    Optional<ProcessHandle> orphan = lines.isEmpty() ? Optional.empty()
        : parsePid(lines.get(0)).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive);
    if (orphan.isEmpty()) {
      return;
    }
    ProcessHandle process = orphan.get();
    LOG.warn("stopping PostgreSQL (pid {}) left running by a previous run on {}", process.pid(), cluster);
    process.destroy();
    try {
      process.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      process.destroyForcibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while stopping an orphaned PostgreSQL", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IOException("could not stop the orphaned PostgreSQL " + process.pid(), e);
    }
  }

  private static Optional<Long> parsePid(String line) {
    try {
      return Optional.of(Long.parseLong(line.trim()));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
