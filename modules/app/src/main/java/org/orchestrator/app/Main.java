package org.orchestrator.app;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.orchestrator.platform.BuildInfo;
import org.orchestrator.platform.StartupFailure;
import org.orchestrator.platform.config.ConfigLoader;
import org.orchestrator.platform.config.OrchestratorConfig;
import org.orchestrator.platform.metrics.BoundedLabels;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts one orchestrator node from {@code config/orchestrator.yaml} and the environment. */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);
  /**
   * JVM meters of Micrometer's binders whose Prometheus names fail {@code promtool check metrics}
   * (a unit abbreviation in the name, a gauge ending in {@code _count}); dropped.
   */
  private static final java.util.Set<String> LINT_FAILURES = java.util.Set.of(
      "jvm.compilation.time", "process.cpu.time", "system.cpu.count");
  /** Numbers each Vert.x's registry name (Vert.x keeps one registry per name in a JVM). */
  private static final java.util.concurrent.atomic.AtomicLong REGISTRIES = new java.util.concurrent.atomic.AtomicLong();
  private static final java.util.Set<String> UNREAD_PER_REQUEST = java.util.Set.of(
      "vertx.http.server.active.requests", "vertx.http.server.request.bytes", "vertx.http.server.response.bytes");

  private Main() {
  }

  public static void main(String[] args) {
    if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
      System.out.println("orchestrator " + BuildInfo.current().version() + " (commit " + BuildInfo.current().commit()
          + ")");
      return;
    }
    if (args.length > 0) {
      System.err.println("orchestrator: unknown arguments " + String.join(" ", args) + "; the only one is --version "
          + "(every setting is in config/orchestrator.yaml and the environment, see docs/operations.md)");
      System.exit(2);
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = newVertx(registry);
    try {
      OrchestratorConfig config = ConfigLoader.load(vertx, System.getenv()).await();
      Orchestrator orchestrator = Orchestrator.start(vertx, config, registry);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          LOG.info("stopping: closing the HTTP API, the bridge, the verticles, the database pool");
          orchestrator.close();
          vertx.close().await();
          LOG.info("stopped cleanly");
        } catch (Exception e) {
          LOG.warn("unclean shutdown", e);
        }
      }, "orchestrator-shutdown"));
      announce(orchestrator);
    } catch (Throwable e) {
      Throwable expected = expected(e);
      if (expected != null) {
        // a cause the operator can fix: one line that says what and which setting, no stack trace
        // whole: the log's 200-character bound is for values clients choose, and this names
        // settings and versions the operator needs to read in full
        LOG.error("the orchestrator did not start: " + expected.getMessage().replace("{}", "{ }"));
      } else {
        LOG.error("the orchestrator did not start: {}", e.getMessage(), e);
      }
      System.exit(1);
    }
  }

  /** The operator-fixable failure behind {@code e} (a port in use, a held data directory, a bad setting), or null. */
  private static Throwable expected(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof StartupFailure || t instanceof IllegalArgumentException) {
        return t;
      }
    }
    return null;
  }

  /**
   * Vert.x with Micrometer metrics (Prometheus registry, JVM metrics, HTTP route labels, latency
   * histograms for the HTTP server so that Grafana can draw quantiles), without the meters nobody
   * reads that Vert.x would record on every request (decision 120).
   */
  public static Vertx newVertx(PrometheusMeterRegistry registry) {
    boundMeters(registry);
    // per request, Vert.x registers an active-requests gauge and records both bodies' sizes: no panel,
    // alert or runbook line reads them, and at 5,000 robots they were a third of the node's
    // Micrometer time (docs/benchmarks.md, issue 35)
    registry.config().meterFilter(MeterFilter.deny(id -> UNREAD_PER_REQUEST.contains(id.getName())));
    return vertx(registry, metricsOptions()
        // three meters per event-bus message (sent, received, delivered, by address): every robot
        // request crosses the bus twice, and nothing reads them
        .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS));
  }

  /** Vert.x's meters with these options, into {@code registry}. */
  public static Vertx vertx(PrometheusMeterRegistry registry, MicrometerMetricsOptions options) {
    // Vert.x keeps one registry per name for the whole JVM: under the default name a second Vert.x
    // (a test's second node, a benchmark's second side) recorded into the first one's registry
    options.setRegistryName("orchestrator-" + REGISTRIES.incrementAndGet());
    return Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(options))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
  }

  /** Every Vert.x meter on, JVM metrics and the HTTP labels the dashboard reads. */
  public static MicrometerMetricsOptions metricsOptions() {
    return new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true)
        .addLabels(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE);
  }

  /**
   * What every meter of {@code registry} is held to: labels a client chooses stay bounded, names
   * promtool refuses and Vert.x's colliding per-address gauges are dropped, the HTTP latency has
   * buckets for quantiles.
   */
  public static void boundMeters(PrometheusMeterRegistry registry) {
    // first: every label a client can choose (method, status, route, address) stays bounded
    registry.config().meterFilter(new BoundedLabels());
    registry.config().meterFilter(MeterFilter.deny(id -> LINT_FAILURES.contains(id.getName())));
    // Vert.x registers these gauges once per address, but without the address label every address
    // after the first collides with the first (Micrometer warned "already registered" at every start
    // and kept only the first address's count): a wrong figure is worse than none, so neither is
    // exported
    registry.config().meterFilter(MeterFilter.denyNameStartsWith("vertx.eventbus.pending"));
    registry.config().meterFilter(MeterFilter.denyNameStartsWith("vertx.eventbus.handlers"));
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        if (id.getName().equals("vertx.http.server.response.time")) {
          return DistributionStatisticConfig.builder().percentilesHistogram(true)
              .minimumExpectedValue(1e6).maximumExpectedValue(3e10).build().merge(config);
        }
        return config;
      }
    });
  }

  private static void announce(Orchestrator orchestrator) {
    OrchestratorConfig config = orchestrator.config();
    String where = "http://localhost:" + orchestrator.httpPort();
    Path password = config.dataDir().resolve("initial-admin-password");
    LOG.info("{} ready at {} (Swagger: {}/swagger, health: {}/health/ready)", BuildInfo.current().describe(), where, where,
        where);
    if (Files.exists(password)) {
      LOG.info("sign in as host user 'admin' with the password in {}", password);
    } else if (config.security().hostAdminPassword() != null && !config.security().hostAdminPassword().isBlank()) {
      LOG.info("sign in as host user 'admin' (password from ORCH_HOST_ADMIN_PASSWORD or security.hostAdminPassword)");
    } else {
      // a node joining a database another node created: the password is that node's
      LOG.info("sign in as host user 'admin' with the password the database was created with (this data "
          + "directory holds no initial-admin-password: another node's does)");
    }
  }
}
