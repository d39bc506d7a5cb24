package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Drain progress as Prometheus sees it: a scrape in each phase holds the values the situation
 * implies; the exposition passes promtool; the alert rules pass promtool; every metric the
 * Grafana dashboard queries is one the server exports.
 */
@org.junit.jupiter.api.Timeout(value = 90, unit = TimeUnit.SECONDS)
class MetricsTest {

  private static final Path ROOT = Path.of("../..");
  private static TestNode node;
  private static Api api;
  private static Maintenance maintenance;
  private static Tenants.Fixture tenant;
  private static final List<String> scrapes = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start("metrics");
    api = node.api();
    String host = api.signInHostAdmin().await();
    maintenance = new Maintenance(api, host);
    tenant = Tenants.create(api, host, "metered", 3).await();
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static Future<Scrape> scrapeAsync() {
    return api.get("/metrics", null).map(response -> {
      scrapes.add(response.bodyAsString());
      return Scrape.parse(response.bodyAsString());
    });
  }

  /** Blocking: call from the test thread only. */
  private static Scrape scrape() {
    return scrapeAsync().await();
  }

  /** Polls without blocking the event loop; blocks the test thread until the condition holds. */
  private static Scrape scrapeUntil(java.util.function.Predicate<Scrape> condition) {
    return Eventually.until(node.vertx(), MetricsTest::scrapeAsync, condition, 15_000).await();
  }

  private static String t(String name) {
    return name + "{tenant=\"" + tenant.id() + "\"}";
  }

  @Test
  void aScrapeInEachPhaseShowsTheDrain() throws Exception {
    String tag = "tenant=\"" + tenant.id() + "\"";
    List<Long> jobs = new ArrayList<>();
    for (Tenants.Robot robot : tenant.robots()) {
      long id = Api.expect(api.post("/api/Jobs", tenant.adminToken(), new JsonObject().put("processName", "p")
          .put("robotId", robot.id())).await(), 201).await().getLong("id");
      robot.heartbeat().await();
      assertEquals(200, robot.report(id, "Running").await().statusCode());
      jobs.add(id);
    }
    Api.expect(api.post("/api/Schedules", tenant.adminToken(), new JsonObject().put("name", "each-second")
        .put("processName", "tick").put("cron", "* * * * * ?")).await(), 201).await();

    // the job and robot gauges are refreshed by two queries, the tenant list of the drain gauges
    // every few seconds: wait for all three
    Scrape none = scrapeUntil(s -> s.value("orchestrator_jobs{state=\"Running\"," + tag + "}") == 3
        && s.value(t("orchestrator_robots_connected")) == 3 && !Double.isNaN(s.value(t("orchestrator_drain_remaining_jobs")))
        && !Double.isNaN(s.value(t("orchestrator_triggers_skipped_total")))
        // registered one after the other on the scheduler's loop: a scrape can fall between the two
        && !Double.isNaN(s.value(t("orchestrator_triggers_caught_up_total"))));
    assertEquals(1.0, none.value("orchestrator_maintenance_phase{phase=\"None\"}"));
    assertEquals(3.0, none.value(t("orchestrator_robots_connected")));
    assertEquals(0.0, none.sum("orchestrator_job_stops_sent_total"));

    assertEquals(0.0, none.value(t("orchestrator_drain_remaining_jobs")), "0 outside maintenance, not absent");
    // every per-tenant counter exists at 0 before its first increment, so increase() sees that one
    assertEquals(0.0, none.value(t("orchestrator_triggers_skipped_total")));
    assertEquals(0.0, none.value(t("orchestrator_triggers_caught_up_total")));
    assertEquals(1.0, none.value("orchestrator_tenant_info{name=\"metered\"," + tag + "}"));

    maintenance.start("phase=Draining&killAfter=PT1H").await();
    assertEquals(503, api.get("/api/Jobs", tenant.adminToken()).await().statusCode());
    Scrape draining = scrapeUntil(s -> s.value(t("orchestrator_drain_remaining_jobs")) == 3
        && s.sum("orchestrator_triggers_skipped_total") >= 1);
    double deadline = draining.value("orchestrator_drain_deadline_seconds");
    assertTrue(deadline > 3500 && deadline <= 3600, "the kill deadline counts down from an hour: " + deadline);
    // a scrape reads the two gauges microseconds apart, both counting down: equal within a second
    double estimate = draining.value("orchestrator_drain_estimated_seconds");
    assertTrue(estimate <= deadline + 1, "never beyond the deadline: " + estimate + " > " + deadline);
    assertEquals(1.0, draining.value("orchestrator_maintenance_phase{phase=\"Draining\"}"));
    assertEquals(3.0, draining.sum("orchestrator_job_stops_sent_total"), "after a drain of 3 jobs, 3 stops sent");
    assertEquals(0.0, draining.sum("orchestrator_job_stops_acknowledged_total"));
    assertEquals(0.0, draining.value("orchestrator_drain_progress_ratio"));
    assertTrue(draining.value("orchestrator_gate_refusals_total{phase=\"Draining\",route_class=\"human\"}") >= 1);
    assertTrue(draining.value(t("orchestrator_triggers_skipped_total")) >= 1);
    assertTrue(draining.value("orchestrator_maintenance_window_seconds") >= 0);

    // two robots honour their Stop; the third ignores it and is killed
    for (int i = 0; i < jobs.size() - 1; i++) {
      assertEquals(200, tenant.robots().get(i).report(jobs.get(i), "Stopped").await().statusCode());
    }
    maintenance.start("phase=Draining&killJobs=true").await();
    assertEquals(200, tenant.robots().get(2).report(jobs.get(2), "Stopped").await().statusCode());
    Scrape drained = scrapeUntil(s -> s.sum("orchestrator_drain_remaining_jobs") == 0
        && s.value("orchestrator_drain_progress_ratio") == 1.0);
    assertEquals(0.0, drained.value("orchestrator_drain_estimated_seconds"));
    // one definition (docs/metrics.md): a Stop is acknowledged by its job ending without a Kill; the
    // killed job acknowledged its Kill, not its Stop. The counter and the window's progress agree
    assertEquals(2.0, drained.sum("orchestrator_job_stops_acknowledged_total"));
    assertEquals(1.0, drained.sum("orchestrator_job_kills_acknowledged_total"));
    JsonObject progress = Eventually.until(node.vertx(), () -> maintenance.get(null),
        got -> got.getJsonObject("progress").getLong("killsAcknowledged") == 1, 10_000).await()
        .getJsonObject("progress");
    assertEquals(3L, progress.getLong("stopsSent"), progress.encode());
    assertEquals(2L, progress.getLong("stopsAcknowledged"), progress.encode());
    assertEquals(1L, progress.getLong("killsSent"), progress.encode());

    maintenance.start("phase=Suspended").await();
    assertEquals(503, api.post("/api/robot/heartbeat", tenant.robots().get(0).token(), new JsonObject()).await()
        .statusCode());
    Scrape suspended = scrape();
    assertEquals(1.0, suspended.value("orchestrator_maintenance_phase{phase=\"Suspended\"}"));
    assertTrue(suspended.value("orchestrator_gate_refusals_total{phase=\"Suspended\",route_class=\"robot\"}") >= 1);

    maintenance.end().await();
    Scrape after = scrape();
    assertEquals(1.0, after.value("orchestrator_maintenance_phase{phase=\"None\"}"));
    assertTrue(Double.isNaN(after.value("orchestrator_drain_deadline_seconds")), "no deadline outside maintenance");
    assertEquals(0.0, after.value("orchestrator_maintenance_window_seconds"));
    assertTrue(after.value("vertx_http_server_response_time_seconds_count{code=\"200\",method=\"GET\",route=\"/metrics\"}") >= 1
        || after.sum("vertx_http_server_response_time_seconds_count") > 0);
  }

  @Test
  void theExpositionPassesPromtool() throws Exception {
    requirePromtool();
    String text = scrapes.isEmpty() ? api.get("/metrics", null).await().bodyAsString() : scrapes.get(scrapes.size() - 1);
    Process check = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
    check.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    check.getOutputStream().close();
    String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(check.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, check.exitValue(), output);
  }

  @Test
  void metersNobodyReadsAreNotRecordedPerRequestOrMessage() throws Exception {
    // decision 120: Vert.x would look these up for every request and bus message (and its per-address
    // gauges, vertx.eventbus.handlers, lacked their address: every address after the first collided)
    io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry = new io.micrometer.prometheusmetrics
        .PrometheusMeterRegistry(io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
    io.vertx.core.Vertx vertx = Main.newVertx(registry);
    try {
      vertx.eventBus().consumer("test.echo", message -> message.reply(message.body())).completion().await();
      vertx.eventBus().consumer("test.other", message -> { }).completion().await();
      io.vertx.core.http.HttpServer server = vertx.createHttpServer().requestHandler(request -> vertx.eventBus()
          .request("test.echo", "ping").onComplete(reply -> request.response().end("pong"))).listen(0, "127.0.0.1").await();
      io.vertx.core.http.HttpClient client = vertx.createHttpClient();
      assertEquals("pong", client.request(io.vertx.core.http.HttpMethod.POST, server.actualPort(), "127.0.0.1", "/")
          .compose(request -> request.send("body")).compose(io.vertx.core.http.HttpClientResponse::body).await()
          .toString());
      // Vert.x records the request once the response is written, which may be after the client has
      // it: the count, then the latency (the last meter it would record is a body size, denied)
      String scraped = Eventually.until(vertx, () -> Future.succeededFuture(registry.scrape()),
          text -> text.contains("vertx_http_server_requests_total")
              && text.contains("vertx_http_server_response_time_seconds_bucket"), 10_000).await();
      for (String unread : List.of("vertx_eventbus_", "vertx_http_server_active_requests",
          "vertx_http_server_request_bytes", "vertx_http_server_response_bytes")) {
        assertTrue(!scraped.contains(unread), unread + " is not recorded");
      }
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void aGaugeReplacedWhileScrapedNeverFailsTheScrape() throws Exception {
    // MultiGauge's overwrite removes and re-adds a series: a scrape meeting both failed whole with
    // "Duplicate labels" (a 500 on /metrics, seen beside the retention gauges); LiveRows never does
    io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry = new io.micrometer.prometheusmetrics
        .PrometheusMeterRegistry(io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
    org.orchestrator.platform.metrics.Meters.LiveRows rows = new org.orchestrator.platform.metrics.Meters.LiveRows(
        io.micrometer.core.instrument.MultiGauge.builder("test.replaced").register(registry));
    rows.set(java.util.Map.of(io.micrometer.core.instrument.Tags.of("table", "jobs"), -1));
    java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
    Thread writer = new Thread(() -> {
      for (long i = 0; !done.get(); i++) {
        rows.set(java.util.Map.of(io.micrometer.core.instrument.Tags.empty(), i,
            io.micrometer.core.instrument.Tags.of("table", "jobs"), i));
      }
    });
    writer.start();
    try {
      for (int scrape = 0; scrape < 3_000; scrape++) {
        assertTrue(registry.scrape().contains("test_replaced{table=\"jobs\"}"));
      }
    } finally {
      done.set(true);
      writer.join();
    }
  }

  @Test
  void theAlertRulesPassPromtool() throws Exception {
    requirePromtool();
    Process check = new ProcessBuilder("promtool", "check", "rules",
        ROOT.resolve("config/prometheus/alerts.yml").toString()).redirectErrorStream(true).start();
    String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(check.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, check.exitValue(), output);
    long rules = Files.readString(ROOT.resolve("config/prometheus/alerts.yml")).lines()
        .filter(line -> line.trim().startsWith("- alert:")).count();
    assertTrue(rules >= 4 && output.contains(rules + " rules found"), output);
  }

  @Test
  void everyMetricTheDashboardAndTheAlertsQueryIsExported() throws Exception {
    aScrapeInEachPhaseShowsTheDrainOnce();
    Set<String> exported = new TreeSet<>();
    scrapes.forEach(text -> exported.addAll(Scrape.parse(text).names()));
    Set<String> queried = new TreeSet<>();
    JsonObject dashboard = new JsonObject(Files.readString(ROOT.resolve("config/grafana/maintenance-dashboard.json")));
    dashboard.getJsonArray("panels").forEach(panel -> ((JsonObject) panel).getJsonArray("targets")
        .forEach(target -> queried.addAll(metricNames(((JsonObject) target).getString("expr")))));
    queried.addAll(metricNames(Files.readString(ROOT.resolve("config/prometheus/alerts.yml"))));
    queried.addAll(metricNames(Files.readString(ROOT.resolve("config/prometheus/alerts.test.yml"))));
    assertTrue(queried.size() >= 12, queried.toString());
    queried.removeAll(exported);
    assertEquals(Set.of(), queried, "queried but never exported");
  }

  private static final Pattern INPUT_SERIES = Pattern.compile("series: '([a-z0-9_]+)\\{([^}]*)\\}'");

  /**
   * The alert rule tests (config/prometheus/alerts.test.yml, run by scripts/test-alerts.sh) feed
   * series the server really exports: same name, same labels and label values (any tenant id;
   * instance and job are Prometheus's), so a renamed metric or label breaks the build.
   */
  @Test
  void theAlertTestsInputSeriesAreOnesTheServerExports() throws Exception {
    aScrapeInEachPhaseShowsTheDrainOnce();
    Set<String> exported = new TreeSet<>();
    scrapes.forEach(text -> Scrape.parse(text).series().keySet().forEach(key -> exported.add(key.contains("{")
        ? seriesKey(key.substring(0, key.indexOf('{')), key.substring(key.indexOf('{') + 1, key.length() - 1))
        : key)));
    Matcher input = INPUT_SERIES.matcher(Files.readString(ROOT.resolve("config/prometheus/alerts.test.yml")));
    Set<String> fed = new TreeSet<>();
    while (input.find()) {
      fed.add(seriesKey(input.group(1), input.group(2)));
    }
    assertTrue(fed.size() >= 8, fed.toString());
    fed.removeAll(exported);
    assertEquals(Set.of(), fed, "fed to the alert tests but never exported");
  }

  /** name{labels} with the labels sorted, tenant ids as T, without Prometheus's instance and job. */
  private static String seriesKey(String name, String labels) {
    String kept = java.util.Arrays.stream(labels.split(","))
        .filter(label -> !label.isBlank() && !label.startsWith("instance=") && !label.startsWith("job="))
        .map(label -> label.replaceAll("^tenant=\"[0-9]+\"$", "tenant=\"T\"")).sorted()
        .collect(java.util.stream.Collectors.joining(","));
    return kept.isEmpty() ? name : name + "{" + kept + "}";
  }

  private static boolean ran;

  private void aScrapeInEachPhaseShowsTheDrainOnce() throws Exception {
    if (!ran && scrapes.stream().noneMatch(s -> s.contains("orchestrator_triggers_skipped_total"))) {
      ran = true;
      aScrapeInEachPhaseShowsTheDrain();
    }
  }

  private static final Pattern METRIC = Pattern.compile("\\b((?:orchestrator|vertx)_[a-z0-9_]+)");

  static Set<String> metricNames(String text) {
    Set<String> names = new TreeSet<>();
    Matcher matcher = METRIC.matcher(text);
    while (matcher.find()) {
      names.add(matcher.group(1));
    }
    return names;
  }

  private static void requirePromtool() throws IOException, InterruptedException {
    boolean present;
    try {
      present = new ProcessBuilder("promtool", "--version").start().waitFor() == 0;
    } catch (IOException e) {
      present = false;
    }
    String missing = "promtool is not installed (Debian package 'prometheus'); scripts/test.sh installs it when it "
        + "runs as root";
    // in CI the install script runs as root, so a missing promtool is a fault, not a reason to skip
    if (!present && "true".equals(System.getenv("CI"))) {
      org.junit.jupiter.api.Assertions.fail(missing + " (CI=true: required)");
    }
    Assumptions.assumeTrue(present, missing + "; skipped");
  }
}
