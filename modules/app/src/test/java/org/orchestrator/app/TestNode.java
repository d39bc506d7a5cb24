package org.orchestrator.app;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.orchestrator.platform.config.OrchestratorConfig;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.orchestrator.dbadmin.testing.TestDatabase;

/**
 * A whole orchestrator node for tests: its own Vert.x, a real PostgreSQL schema (or the embedded
 * default), real HTTP on a free loopback port. PBKDF2 runs with fewer iterations to keep sign-ins
 * fast; everything else is as in production.
 */
public final class TestNode implements AutoCloseable {

  public static final String ADMIN_PASSWORD = "host-admin-password";

  private final Vertx vertx;
  private final Orchestrator orchestrator;
  private final PrometheusMeterRegistry registry;

  private TestNode(Vertx vertx, Orchestrator orchestrator, PrometheusMeterRegistry registry) {
    this.vertx = vertx;
    this.orchestrator = orchestrator;
    this.registry = registry;
  }

  /** A node on a fresh schema of the shared test database. */
  public static TestNode start(String label) throws IOException {
    return start(TestDatabase.newSchema(label), Files.createTempDirectory("orchestrator-" + label));
  }

  /** A node whose scheduler reads {@code clock} and ticks every 25 ms. */
  public static TestNode start(String label, java.time.Clock clock) throws IOException {
    return start(TestDatabase.newSchema(label), Files.createTempDirectory("orchestrator-" + label), clock);
  }

  /** A node on {@code database} ({@code null}: the embedded default) with {@code dataDir}. */
  public static TestNode start(DatabaseEndpoint database, Path dataDir) throws IOException {
    return start(database, dataDir, java.time.Clock.systemUTC());
  }

  public static TestNode start(DatabaseEndpoint database, Path dataDir, java.time.Clock clock) throws IOException {
    return start(database, dataDir, clock, null);
  }

  /** A node of a deployment whose nodes share {@code keyDirectory} (the token signing key). */
  public static TestNode start(DatabaseEndpoint database, Path dataDir, Path keyDirectory) throws IOException {
    return start(database, dataDir, java.time.Clock.systemUTC(), keyDirectory);
  }

  public static TestNode start(DatabaseEndpoint database, Path dataDir, java.time.Clock clock, Path keyDirectory)
      throws IOException {
    return start(database, dataDir, clock, keyDirectory, true);
  }

  /** A node on a fresh schema whose configuration has {@code overrides} merged over the test defaults. */
  public static TestNode start(String label, JsonObject overrides) throws IOException {
    return start(TestDatabase.newSchema(label), Files.createTempDirectory("orchestrator-" + label),
        java.time.Clock.systemUTC(), null, true, overrides);
  }

  /** A node on a fresh schema, on {@code clock}, with {@code overrides} merged over the test defaults. */
  public static TestNode start(String label, java.time.Clock clock, JsonObject overrides) throws IOException {
    return start(TestDatabase.newSchema(label), Files.createTempDirectory("orchestrator-" + label), clock, null, true,
        overrides);
  }

  /** A node on {@code database} whose configuration has {@code overrides} merged over the test defaults. */
  public static TestNode start(DatabaseEndpoint database, Path dataDir, JsonObject overrides) throws IOException {
    return start(database, dataDir, java.time.Clock.systemUTC(), null, true, overrides);
  }

  /** {@code gate} false: the benchmark's baseline node, without the maintenance gate. */
  public static TestNode start(DatabaseEndpoint database, Path dataDir, java.time.Clock clock, Path keyDirectory,
      boolean gate) throws IOException {
    return start(database, dataDir, clock, keyDirectory, gate, new JsonObject());
  }

  /**
   * The body-guard benchmark's baseline: a node that reads request bodies before it checks the
   * token, with one body limit and no budget of bodies in flight (as before issue 30).
   */
  public static TestNode startWithoutBodyGuard(DatabaseEndpoint database, Path dataDir, Path keyDirectory)
      throws IOException {
    return start(database, dataDir, keyDirectory, new Orchestrator.Options(java.time.Clock.systemUTC(), true, false),
        new JsonObject());
  }

  private static TestNode start(DatabaseEndpoint database, Path dataDir, java.time.Clock clock, Path keyDirectory,
      boolean gate, JsonObject overrides) throws IOException {
    return start(database, dataDir, keyDirectory, new Orchestrator.Options(clock, gate), overrides);
  }

  private static TestNode start(DatabaseEndpoint database, Path dataDir, Path keyDirectory,
      Orchestrator.Options options, JsonObject overrides) throws IOException {
    JsonObject json = new JsonObject()
        .put("dataDir", dataDir.toString())
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("security", new JsonObject().put("passwordIterations", 1_000)
            .put("hostAdminPassword", ADMIN_PASSWORD)
            .put("keyDirectory", keyDirectory == null ? null : keyDirectory.toString()))
        .put("scheduler", new JsonObject().put("tickMillis", 25))
        .put("maintenance", new JsonObject().put("retryAfterSeconds", 1).put("robotRetryAfterSeconds", 1)
            .put("robotReturnSpreadSeconds", 0))
        .put("bridge", new JsonObject().put("host", "127.0.0.1").put("port", ServerProcess.freePort()));
    if (database != null) {
      json.put("database", new JsonObject().put("url", database.url()).put("schema", database.schema()));
    }
    json.mergeIn(overrides, true);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = Main.newVertx(registry);
    try {
      return new TestNode(vertx, Orchestrator.start(vertx, OrchestratorConfig.fromJson(json), registry, options),
          registry);
    } catch (IOException | RuntimeException e) {
      vertx.close().await();
      throw e;
    }
  }

  public int port() {
    return orchestrator.httpPort();
  }

  public int bridgePort() {
    return orchestrator.bridgePort();
  }

  public Orchestrator orchestrator() {
    return orchestrator;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** An HTTP client against this node. */
  public Api api() {
    return new Api(vertx, port());
  }

  public Vertx vertx() {
    return vertx;
  }

  @Override
  public void close() throws IOException {
    orchestrator.close();
    vertx.close().await();
  }
}
