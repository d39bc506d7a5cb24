package org.orchestrator.app;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.sqlclient.Pool;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.orchestrator.contracts.bus.LocalRecordCodec;
import org.orchestrator.http.HttpApiVerticle;
import org.orchestrator.http.HttpEdge;
import org.orchestrator.http.bridge.BridgeVerticle;
import org.orchestrator.assets.AssetsModule;
import org.orchestrator.webhooks.WebhooksModule;
import org.orchestrator.retention.RetentionModule;
import org.orchestrator.identity.IdentityModule;
import org.orchestrator.jobs.JobsModule;
import org.orchestrator.phase.PhaseModule;
import org.orchestrator.scheduler.SchedulerModule;
import org.orchestrator.tenantlog.TenantLogModule;
import org.orchestrator.platform.BuildInfo;
import org.orchestrator.platform.config.OrchestratorConfig;
import org.orchestrator.dbadmin.DataDirectory;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.orchestrator.dbadmin.EmbeddedPostgresServer;
import org.orchestrator.dbadmin.Migrations;
import org.orchestrator.platform.database.Pools;
import org.orchestrator.platform.modules.FeatureModule;
import org.orchestrator.platform.modules.ModuleContext;
import org.orchestrator.platform.security.SigningKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running orchestrator node, started in this order: data directory lock, database (embedded
 * unless a URL is configured), migrations of every module, signing keys, event-bus codec, then the
 * verticles: phase first (the stored phase is loaded before anything reads it), identity,
 * tenant-log, jobs, scheduler; then a stored maintenance phase is enforced again (sweeps, kill
 * deadline); HTTP last, so the gate has the phase before the port opens.
 * {@link #start} blocks: call it from {@code main} or a test thread, never from an event loop.
 */
public final class Orchestrator implements AutoCloseable {

  /** Modules with tables, in migration order (a module may reference the tables of earlier ones). */
  /**
   * The feature modules, in the order they start: phase first (every reader of the phase loads it
   * from there), then the modules that serve the others. Their migrations run in this order too.
   */
  public static final List<FeatureModule> MODULES = List.of(new PhaseModule(), new IdentityModule(),
      new TenantLogModule(), new AssetsModule(), new JobsModule(), new SchedulerModule(), new WebhooksModule(),
      new RetentionModule());

  private static final Logger LOG = LoggerFactory.getLogger(Orchestrator.class);

  private final Vertx vertx;
  private final OrchestratorConfig config;
  private final DataDirectory dataDirectory;
  private final EmbeddedPostgresServer embedded;
  private final DatabaseEndpoint database;
  private final Pool pool;
  private final List<String> deployments;
  private final HttpApiVerticle http;
  private final BridgeVerticle bridge;

  private Orchestrator(Vertx vertx, OrchestratorConfig config, DataDirectory dataDirectory,
      EmbeddedPostgresServer embedded, DatabaseEndpoint database, Pool pool, List<String> deployments,
      HttpApiVerticle http, BridgeVerticle bridge) {
    this.bridge = bridge;
    this.vertx = vertx;
    this.config = config;
    this.dataDirectory = dataDirectory;
    this.embedded = embedded;
    this.database = database;
    this.pool = pool;
    this.deployments = deployments;
    this.http = http;
  }

  public static Orchestrator start(Vertx vertx, OrchestratorConfig config, PrometheusMeterRegistry registry)
      throws IOException {
    return start(vertx, config, registry, Clock.systemUTC());
  }

  /** Starts with an explicit clock for the scheduler (tests move time instead of sleeping). */
  public static Orchestrator start(Vertx vertx, OrchestratorConfig config, PrometheusMeterRegistry registry,
      Clock clock) throws IOException {
    return start(vertx, config, registry, new Options(clock, true));
  }

  /**
   * What code (never configuration) may change: the scheduler's clock for tests, and, for the
   * benchmarks' baselines only, a node without the maintenance gate or without the body guard
   * (bodies read before the token is checked, as before issue 30).
   */
  public record Options(Clock clock, boolean gate, boolean bodyGuard) {

    public Options(Clock clock, boolean gate) {
      this(clock, gate, true);
    }
  }

  public static Orchestrator start(Vertx vertx, OrchestratorConfig config, PrometheusMeterRegistry registry,
      Options options) throws IOException {
    Clock clock = options.clock();
    LOG.info("starting {}", BuildInfo.current().describe());
    DataDirectory dataDirectory = DataDirectory.claim(config.dataDir());
    EmbeddedPostgresServer embedded = null;
    Pool pool = null;
    List<String> deployments = new ArrayList<>();
    try {
      DatabaseEndpoint database;
      if (config.database().embedded()) {
        embedded = EmbeddedPostgresServer.start(dataDirectory.embeddedCluster());
        database = embedded.endpoint(config.database().schema());
      } else {
        database = DatabaseEndpoint.fromUrl(config.database().url(), config.database().schema());
      }
      LOG.info("database {}", database);
      Migrations.apply(database, MODULES.stream().map(FeatureModule::name).toList());
      SigningKeys keys = SigningKeys.loadOrCreate(config.security().keyDirectory());
      LocalRecordCodec.register(vertx.eventBus());

      pool = Pools.create(vertx, database, config.database().poolSize());
      Pool readinessPool = pool;
      HealthChecks readiness = HealthChecks.create(vertx)
          .register("database", 2_000, promise -> readinessPool.query("SELECT 1").execute()
              .onComplete(ok -> promise.complete(Status.OK()),
                  failure -> promise.complete(Status.KO())));

      HttpEdge edge = HttpEdge.of(config, keys, readiness, registry, PrometheusScrapingHandler.create(registry),
          options.gate(), options.bodyGuard());
      ModuleContext context = new ModuleContext(pool, database, config, keys, clock, registry);
      List<Deployable> firsts = new ArrayList<>();
      for (FeatureModule module : MODULES) {
        List<Deployable> made = new ArrayList<>();
        deployments.add(vertx.deployVerticle(() -> {
          Deployable verticle = module.verticle(context);
          made.add(verticle);
          return verticle;
        }, new DeploymentOptions().setInstances(module.instances())).await());
        firsts.add(made.get(0));
      }
      for (int i = 0; i < MODULES.size(); i++) {
        MODULES.get(i).ready(firsts.get(i)).await();
      }
      // one instance per event loop, sharing the port: a node's HTTP work is spread over its cores
      List<HttpApiVerticle> instances = new java.util.concurrent.CopyOnWriteArrayList<>();
      deployments.add(vertx.deployVerticle(() -> {
        HttpApiVerticle instance = new HttpApiVerticle(edge);
        instances.add(instance);
        return instance;
      }, new DeploymentOptions().setInstances(edge.instances())).await());
      HttpApiVerticle http = instances.get(0);
      BridgeVerticle bridge = null;
      if (config.bridge().enabled()) {
        bridge = new BridgeVerticle(config, keys);
        deployments.add(vertx.deployVerticle(bridge).await());
      }
      return new Orchestrator(vertx, config, dataDirectory, embedded, database, pool, deployments, http, bridge);
    } catch (RuntimeException | IOException e) {
      undeploy(vertx, deployments);
      if (pool != null) {
        pool.close().await();
      }
      if (embedded != null) {
        embedded.close();
      }
      dataDirectory.close();
      throw e;
    }
  }

  public int httpPort() {
    return http.actualPort();
  }

  /** The event-bus bridge's port; -1 when the bridge is off. */
  public int bridgePort() {
    return bridge == null ? -1 : bridge.actualPort();
  }

  public DatabaseEndpoint database() {
    return database;
  }

  public OrchestratorConfig config() {
    return config;
  }

  /** Stops serving, then closes the pool, the embedded database and the data directory lock. */
  @Override
  public void close() throws IOException {
    undeploy(vertx, deployments);
    pool.close().await();
    if (embedded != null) {
      embedded.close();
    }
    dataDirectory.close();
  }

  private static void undeploy(Vertx vertx, List<String> deployments) {
    List<String> reversed = new ArrayList<>(deployments);
    java.util.Collections.reverse(reversed);
    for (String id : reversed) {
      vertx.undeploy(id).recover(failure -> Future.succeededFuture()).await();
    }
  }
}
