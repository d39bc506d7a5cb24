package org.orchestrator.retention;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.orchestrator.contracts.bus.RequestContext;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.contracts.retention.RetentionMessages.RetainedTable;
import org.orchestrator.platform.config.OrchestratorConfig;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retention module on one node: serves the policy and runs addresses, and every
 * {@value #CHECK_SECONDS} seconds (and at once when a run is asked for) tries to take the
 * retention lock, a PostgreSQL advisory lock held on a connection of its own for the whole run:
 * the node that has it marks runs of dead nodes Interrupted, then runs what was asked for, or a
 * scheduled run when none started within {@code retention.intervalSeconds}. Its gauges are
 * refreshed every minute.
 */
public final class RetentionVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(RetentionVerticle.class);
  static final long CHECK_SECONDS = 10;
  private static final long GAUGES_SECONDS = 60;

  private final Pool pool;
  private final DatabaseEndpoint database;
  private final OrchestratorConfig.Retention settings;
  private final Clock clock;
  private final MeterRegistry registry;
  private RetentionRepository repository;
  private Owners owners;
  private Archive archive;
  private RetentionMetrics metrics;
  private boolean checking;
  private boolean checkAgain;
  private boolean stopped;
  private long checkTimer = -1;
  private long gaugeTimer = -1;

  public RetentionVerticle(Pool pool, DatabaseEndpoint database, OrchestratorConfig.Retention settings, Clock clock,
      MeterRegistry registry) {
    this.pool = pool;
    this.database = database;
    this.settings = settings;
    this.clock = clock;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    EventBus bus = vertx.eventBus();
    repository = new RetentionRepository(pool);
    owners = new Owners(bus);
    archive = new Archive(settings.archiveDir());
    metrics = new RetentionMetrics(registry);
    RetentionService service = new RetentionService(repository, owners, clock, this::check);
    checkTimer = vertx.setPeriodic(CHECK_SECONDS * 1000, id -> check());
    gaugeTimer = vertx.setPeriodic(GAUGES_SECONDS * 1000, id -> refreshGauges());
    return Future.all(List.of(
        Addresses.RETENTION_POLICY_GET.serve(bus, service::get).completion(),
        Addresses.RETENTION_POLICY_PUT.serve(bus, service::put).completion(),
        Addresses.RETENTION_RUN_START.serve(bus, service::start).completion(),
        Addresses.RETENTION_RUN_LIST.serve(bus, service::runs).completion()));
  }

  /** Once every module answers: the first check and gauges (a node started late catches up at once). */
  Future<Void> ready() {
    check();
    refreshGauges();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(checkTimer);
    vertx.cancelTimer(gaugeTimer);
    return Future.succeededFuture();
  }

  /** Runs what is due if this node takes the lock; a check asked for during one runs after it. */
  void check() {
    if (stopped) {
      return;
    }
    if (Vertx.currentContext() != context) {
      // asked for by a request (POST /api/Retention/Run): the run is not that request's work, so it
      // goes on the verticle's own context, without the request's deadline, which would otherwise cut
      // off the bus request in flight when it passes (a run outlives its request by minutes)
      context.runOnContext(again -> check());
      return;
    }
    if (checking) {
      checkAgain = true;
      return;
    }
    checking = true;
    PgConnection.connect(vertx, database.connectOptions())
        .compose(connection -> connection.preparedQuery("SELECT pg_try_advisory_lock(hashtext($1))")
            .execute(Tuple.of("orchestrator retention " + database.schema()))
            .compose(rows -> rows.iterator().next().getBoolean(0) ? runDue() : Future.<Void>succeededFuture())
            .eventually(connection::close))
        .onFailure(failure -> LOG.warn("retention check failed: {}", failure.getMessage()))
        .onComplete(done -> {
          checking = false;
          if (checkAgain) {
            checkAgain = false;
            check();
          }
        });
  }

  /** With the lock held: every run asked for, then a scheduled one if due. */
  private Future<Void> runDue() {
    Instant now = clock.instant();
    return repository.interruptRunning(now)
        .compose(interrupted -> repository.nextRequested())
        .compose(requested -> requested.isPresent() ? Future.succeededFuture(requested)
            : repository.lastStart().compose(last -> last.isPresent()
                && Duration.between(last.get(), now).getSeconds() < settings.intervalSeconds()
                ? Future.succeededFuture(Optional.<Long>empty())
                : repository.request("Schedule", "retention.intervalSeconds", now).map(Optional::of)))
        .compose(next -> next.isEmpty() || stopped ? Future.succeededFuture()
            : run(next.get()).compose(ran -> runDue()));
  }

  private Future<Void> run(long runId) {
    return RequestContext.newRequest(vertx, "retention", () -> runAsRequest(runId));
  }

  private Future<Void> runAsRequest(long runId) {
    LOG.info("retention run {} starts (archive: {})", runId, archive.root());
    RetentionRun run = new RetentionRun(vertx, repository, owners, archive, settings, clock, metrics, runId);
    return repository.started(runId, clock.instant())
        .compose(started -> run.execute())
        .compose(done -> repository.ended(runId, clock.instant(), "Succeeded", null)
            .onSuccess(ended -> LOG.info("retention run {} succeeded", runId)))
        .recover(failure -> {
          LOG.warn("retention run {} failed: {}", runId, failure.toString());
          String error = failure.getMessage() == null ? failure.toString() : failure.getMessage();
          return repository.ended(runId, clock.instant(), "Failed", error.length() > 500 ? error.substring(0, 500) : error);
        })
        .onComplete(ended -> refreshGauges());
  }

  /** Table sizes, oldest rows and longest retention per table, and the last success, from the database. */
  private void refreshGauges() {
    if (stopped) {
      return;
    }
    Instant now = clock.instant();
    Map<RetainedTable, Long> sizes = new EnumMap<>(RetainedTable.class);
    Map<RetainedTable, Long> ages = new EnumMap<>(RetainedTable.class);
    Future<Void> all = Future.succeededFuture();
    for (RetainedTable table : RetainedTable.values()) {
      all = all.compose(previous -> pool.preparedQuery("SELECT coalesce(sum(pg_total_relation_size(relid)), 0) "
              + "FROM pg_partition_tree(to_regclass($1))").execute(Tuple.of(table.name()))
          .map(rows -> sizes.put(table, rows.iterator().next().getLong(0)))
          .compose(sized -> owners.oldest(table))
          .map(oldest -> ages.put(table, oldest == null ? 0 : Math.max(0, Duration.between(oldest, now).getSeconds())))
          .mapEmpty());
    }
    all.compose(measured -> repository.policies().compose(policies -> owners.tenants().map(tenants -> {
          JsonObject host = policies.getOrDefault(RetentionRepository.HOST, new JsonObject());
          Map<RetainedTable, Integer> longest = new EnumMap<>(RetainedTable.class);
          for (RetainedTable table : RetainedTable.values()) {
            Integer max = Policies.days(host, table);
            for (long tenant : tenants) {
              Integer days = Policies.days(Policies.effective(host, policies.get(tenant)), table);
              max = max == null || days == null ? null : Math.max(max, days);
            }
            if (max != null) {
              longest.put(table, max);
            }
          }
          metrics.tables(sizes, ages, longest);
          return null;
        })))
        .compose(set -> pool.query("SELECT max(ended_at) FROM retention_runs WHERE outcome = 'Succeeded'").execute())
        .onSuccess(rows -> {
          var last = rows.iterator().next().getOffsetDateTime(0);
          metrics.lastSuccess(last == null ? null : Math.max(0, Duration.between(last.toInstant(), now).getSeconds()));
        })
        .onFailure(failure -> LOG.debug("retention gauges not refreshed: {}", failure.getMessage()));
  }
}
