package org.orchestrator.phase;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.orchestrator.contracts.identity.IdentityMessages.ListTenantIds;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.contracts.bus.RequestContext;
import org.orchestrator.contracts.phase.MaintenancePhase;
import org.orchestrator.contracts.phase.PhaseMessages.DrainProgress;
import org.orchestrator.contracts.phase.PhaseMessages.PhaseSnapshot;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.orchestrator.platform.metrics.Meters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bus adapter of the phase module. Deployed before every reader of the phase; its start completes
 * only after the stored phase is loaded and enforced. While in maintenance it publishes the drain
 * progress every second ({@code phase.progress.updated}).
 */
public final class PhaseVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(PhaseVerticle.class);
  private static final long PROGRESS_PERIOD_MS = 1_000;

  private static final long REFRESH_PERIOD_MS = 5_000;

  private final Pool pool;
  private final DatabaseEndpoint database;
  private final Clock clock;
  private final MeterRegistry registry;
  private final java.time.Duration stalledAfter;
  private PgSubscriber subscriber;
  private long refresher = -1;
  private MaintenanceService service;
  private volatile DrainProgress lastProgress;
  private long ticker = -1;
  private Meters.PerTenant tenantPhase;
  private final java.util.Map<Long, Integer> tenantPhaseSeen = new java.util.concurrent.ConcurrentHashMap<>();
  private boolean ticking;
  private TickLeadership leadership;
  private NodePresence presence;

  /**
   * @param database where the pool points; a separate connection LISTENs there for phase changes
   *     made by other nodes
   * @param stalledAfterSeconds {@code maintenance.stalledAfterSeconds}: a drain with jobs left and
   *     none ended for this long is stalled
   */
  public PhaseVerticle(Pool pool, DatabaseEndpoint database, Clock clock, MeterRegistry registry,
      int stalledAfterSeconds) {
    this.stalledAfter = java.time.Duration.ofSeconds(stalledAfterSeconds);
    this.pool = pool;
    this.database = database;
    this.clock = clock;
    this.registry = registry;
  }

  /**
   * Each tenant's own maintenance phase as a number (0 None, 1 Draining, 2 Suspended); a tenant
   * keeps its series at 0 after its window (bounded by the tenants that ever had one).
   */
  private void tenantPhases(PhaseSnapshot snapshot) {
    snapshot.tenants().keySet().forEach(tenant -> tenantPhaseSeen.put(tenant, 0));
    java.util.Map<Long, Integer> values = new java.util.TreeMap<>();
    tenantPhaseSeen.keySet().forEach(tenant -> {
      var window = snapshot.tenants().get(tenant);
      values.put(tenant, window == null ? 0 : window.phase().ordinal());
    });
    tenantPhase.set(values);
  }

  private void registerMeters() {
    tenantPhase = new Meters.PerTenant(registry, Meters.TENANT_PHASE,
        "a tenant's own maintenance window: 0 None, 1 Draining, 2 Suspended", null);
    org.orchestrator.platform.BuildInfo build = org.orchestrator.platform.BuildInfo.current();
    Gauge.builder(Meters.BUILD_INFO, () -> 1).description("the release this node runs and the commit it was built from")
        .tag("version", build.version()).tag("commit", build.commit()).register(registry);
    for (MaintenancePhase phase : MaintenancePhase.values()) {
      Gauge.builder(Meters.PHASE, () -> service.snapshot().phase() == phase ? 1 : 0)
          .description("1 for the current maintenance phase").tag("phase", phase.name()).register(registry);
    }
    Gauge.builder(Meters.TENANTS_IN_MAINTENANCE, () -> service.snapshot().tenants().size())
        .description("tenants in a maintenance window of their own").register(registry);
    Gauge.builder(Meters.PHASE_SECONDS, () -> {
      Instant since = service.snapshot().phaseSince();
      return since == null ? 0 : Duration.between(since, clock.instant()).toMillis() / 1000.0;
    }).description("seconds in the current phase").baseUnit("seconds").register(registry);
    Gauge.builder(Meters.WINDOW_SECONDS, () -> {
      PhaseSnapshot snapshot = service.snapshot();
      return !snapshot.phase().inMaintenance() || snapshot.windowStartedAt() == null ? 0
          : Duration.between(snapshot.windowStartedAt(), clock.instant()).toMillis() / 1000.0;
    }).description("seconds since the maintenance window began").baseUnit("seconds").register(registry);
    Gauge.builder(Meters.DRAIN_RATIO, () -> {
      DrainProgress progress = lastProgress;
      return progress == null || progress.ratio() == null ? 1.0 : progress.ratio();
    }).description("share of the window's jobs that have drained").register(registry);
    Gauge.builder(Meters.DRAIN_STALLED, () -> {
      DrainProgress progress = lastProgress;
      return progress == null || !progress.stalled() || progress.sinceLastEndSeconds() == null ? 0
          : progress.sinceLastEndSeconds();
    }).description("seconds since a job of a stalled drain last ended (0 while jobs keep ending, and outside a "
        + "drain)").baseUnit("seconds").register(registry);
    // absent while in maintenance without an estimate (never NaN); 0 outside maintenance
    estimate = MultiGauge.builder(Meters.DRAIN_ETA).description("estimated seconds until drained, never beyond "
        + "the kill deadline").baseUnit("seconds").register(registry);
    deadline = MultiGauge.builder(Meters.DRAIN_DEADLINE).description("seconds until the kill deadline")
        .baseUnit("seconds").register(registry);
    remaining = new Meters.PerTenant(registry, Meters.DRAIN_REMAINING, "unfinished jobs per tenant in maintenance", null);
    exemptRunning = new Meters.PerTenant(registry, Meters.DRAIN_EXEMPT_RUNNING,
        "active jobs of exempt processes per tenant in maintenance (not in remaining: they run through Draining)", null);
  }

  private Meters.PerTenant remaining;
  private Meters.PerTenant exemptRunning;
  private MultiGauge estimate;
  private MultiGauge deadline;
  private volatile List<Long> knownTenants = List.of();
  private volatile Long estimatedSeconds;
  private volatile Instant deadlineAt;

  private void observed(DrainProgress progress) {
    lastProgress = progress;
    Map<Long, Long> byTenant = new TreeMap<>();
    Map<Long, Long> exempt = new TreeMap<>();
    knownTenants.forEach(tenant -> {
      byTenant.put(tenant, 0L);
      exempt.put(tenant, 0L);
    });
    if (progress.phase().inMaintenance()) {
      byTenant.putAll(progress.remainingByTenant());
      exempt.putAll(progress.exemptRunningByTenant());
    }
    remaining.set(byTenant);
    exemptRunning.set(exempt);
    Long seconds = progress.phase().inMaintenance() ? progress.estimatedSecondsLeft() : Long.valueOf(0);
    estimatedSeconds = seconds;
    // registered once while it has a value (reading the latest), removed while there is none
    estimate.register(seconds == null ? List.of()
        : List.of(MultiGauge.Row.of(Tags.empty(), this, PhaseVerticle::estimateNow)), false);
  }

  /** The last estimate, capped by the deadline as it is at the scrape (the estimate is a second old). */
  private double estimateNow() {
    Long seconds = estimatedSeconds;
    double value = seconds == null ? 0 : seconds;
    return deadlineAt == null ? value : Math.min(value, deadlineLeftNow());
  }

  private double deadlineLeftNow() {
    Instant when = deadlineAt;
    return when == null ? 0 : Math.max(0, Duration.between(clock.instant(), when).toMillis() / 1000.0);
  }

  /** The kill deadline's countdown, read at each scrape; absent when the window has none. */
  private void deadlineChanged(PhaseSnapshot snapshot) {
    Instant at = snapshot.phase().inMaintenance() ? snapshot.killDeadlineAt() : null;
    deadlineAt = at;
    deadline.register(at == null ? List.of() : List.of(MultiGauge.Row.of(Tags.empty(), this,
        PhaseVerticle::deadlineLeftNow)), false);
  }

  /** Every tenant gets a zero series from the start, so dashboards show 0 rather than no data. */
  private void refreshTenants(EventBus bus) {
    Addresses.IDENTITY_TENANT_IDS.request(bus, new ListTenantIds())
        .onSuccess(ids -> {
          boolean changed = !ids.ids().equals(knownTenants);
          knownTenants = List.copyOf(ids.ids());
          if (changed && lastProgress != null) {
            observed(lastProgress);
          }
        })
        .onFailure(failure -> LOG.debug("tenant ids not read: {}", failure.getMessage()));
  }

  @Override
  public Future<?> start() {
    EventBus bus = vertx.eventBus();
    leadership = new TickLeadership(vertx, database);
    String channel = PhaseRepository.channel(database.schema());
    // the gauges follow a stored change before anyone hears of it (a scrape right after End's
    // answer sees no deadline), then every module is told
    PhaseRepository repository = new PhaseRepository(pool, channel);
    BusPeers peers = new BusPeers(bus);
    service = new MaintenanceService(vertx, repository, peers, clock,
        snapshot -> {
          tenantPhases(snapshot);
          if (!snapshot.phase().inMaintenance()) {
            observed(DrainProgress.idle(snapshot.phase(), clock.instant(), 1.0, "not in maintenance"));
          }
          deadlineChanged(snapshot);
          Addresses.PHASE_CHANGED.publish(bus, snapshot);
        }, stalledAfter);
    ExemptionService exemptions = new ExemptionService(repository, service, peers,
        () -> Addresses.IDENTITY_TENANT_IDS.request(bus, new ListTenantIds()).map(ids -> java.util.Set.copyOf(ids.ids())),
        clock);
    registerMeters();
    presence = new NodePresence(vertx, pool, org.orchestrator.platform.BuildInfo.current());
    return service.load()
        .compose(loaded -> presence.start())
        .compose(loaded -> Future.all(List.of(
            Addresses.PHASE_STATE_GET.serve(bus, query -> Future.succeededFuture(service.snapshot())).completion(),
            Addresses.PHASE_MAINTENANCE_START.serve(bus, service::start).completion(),
            Addresses.PHASE_MAINTENANCE_END.serve(bus, service::end).completion(),
            Addresses.PHASE_PROGRESS_GET.serve(bus, query -> service.progress().progress()).completion(),
            Addresses.PHASE_NODES_LIST.serve(bus, query -> presence.live()).completion(),
            Addresses.PHASE_VIEW_GET.serve(bus, new MaintenanceView(bus, service::snapshot,
                () -> service.progress().progress(), presence::live)::get).completion(),
            Addresses.PHASE_MAINTENANCE_PREVIEW.serve(bus, service.preview()::preview).completion(),
            Addresses.PHASE_PLAN_CREATE.serve(bus, service.plans()::createPlan).completion(),
            Addresses.PHASE_PLAN_LIST.serve(bus, service.plans()::plans).completion(),
            Addresses.PHASE_PLAN_CANCEL.serve(bus, service.plans()::cancelPlan).completion(),
            Addresses.PHASE_EXEMPTIONS_GET.serve(bus, exemptions::get).completion(),
            Addresses.PHASE_EXEMPTIONS_SET.serve(bus, exemptions::set).completion(),
            Addresses.PHASE_EVENT_LIST.serve(bus, service.plans()::events).completion())))
        .compose(ready -> listen(channel, bus))
        .onSuccess(ready -> {
          ticker = vertx.setPeriodic(PROGRESS_PERIOD_MS, id -> {
            tick(bus);
            startDuePlan();
          });
          refresher = vertx.setPeriodic(REFRESH_PERIOD_MS, id -> {
            service.refresh().onFailure(failure -> LOG.debug("phase not refreshed: {}", failure.getMessage()));
            refreshTenants(bus);
            completeEndedLogs();
          });
          vertx.setTimer(PROGRESS_PERIOD_MS, id -> refreshTenants(bus));
        });
  }

  /**
   * LISTENs for the changes other nodes store (they NOTIFY in the same transaction); reconnects
   * by itself, and reloads once connected in case a change was missed while disconnected.
   */
  private Future<Void> listen(String channel, EventBus bus) {
    subscriber = PgSubscriber.subscriber(vertx, database.connectOptions()).reconnectPolicy(retries -> 1_000L);
    subscriber.channel(channel)
        .subscribeHandler(subscribed -> service.refresh())
        .handler(payload -> {
          if (PhaseRepository.PROGRESS.equals(payload)) {
            progressAnnounced(bus);
          } else {
            service.refresh()
                .onFailure(failure -> LOG.warn("phase change {} not loaded: {}", payload, failure.getMessage()));
          }
        });
    return subscriber.connect();
  }

  /**
   * Enforces a stored maintenance phase, then starts a plan whose moment passed while the node was
   * down; run once every module it asks is deployed.
   */
  public Future<Void> enforce() {
    return service.enforce().onSuccess(ok -> {
      enforced = true;
      startDuePlan();
      completeEndedLogs();
    });
  }

  /** Every module runs (tenant-log answers): the records left incomplete may be completed. */
  private boolean enforced;
  private boolean completing;

  /** Records of ended windows left incomplete are completed (decision 128); one look at a time. */
  private void completeEndedLogs() {
    if (completing || !enforced) {
      return;
    }
    completing = true;
    service.completeEndedLogs()
        .onFailure(failure -> LOG.warn("maintenance records not completed yet: {}", failure.getMessage()))
        .onComplete(done -> completing = false);
  }

  private boolean planning;

  /** A due plan is started (by one node); one look at a time. */
  private void startDuePlan() {
    if (planning) {
      return;
    }
    planning = true;
    service.startDuePlan()
        .onFailure(failure -> LOG.warn("planned maintenance not started: {}", failure.getMessage()))
        .onComplete(done -> planning = false);
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(ticker);
    vertx.cancelTimer(refresher);
    return Future.all(leadership.close(), subscriber == null ? Future.succeededFuture() : subscriber.close(),
        presence == null ? Future.succeededFuture() : presence.stop());
  }

  /**
   * Once a second in maintenance, on the node that holds the tick's lock: the tick, its progress
   * published here and stored for the other nodes, which publish it when told ({@link
   * #progressAnnounced}).
   */
  private void tick(EventBus bus) {
    PhaseSnapshot snapshot = service.snapshot();
    if (ticking || !snapshot.anyMaintenance()) {
      return;
    }
    ticking = true;
    RequestContext.newRequest(vertx, "tick", () -> leadership.lead()
        .compose(leading -> !leading ? Future.succeededFuture() : service.sweepTenantWindows()
            .onFailure(failure -> LOG.warn("tenant windows not swept: {}", failure.getMessage()))
            .transform(swept -> !snapshot.phase().inMaintenance() ? Future.succeededFuture()
                : service.tick().onSuccess(progress -> progressObserved(bus, progress))
                    .onFailure(failure -> LOG.warn("drain progress not computed: {}", failure.getMessage())))))
        .onComplete(done -> ticking = false);
  }

  /** The ticking node stored a progress: this node's readers, gauges and streams take it. */
  private void progressAnnounced(EventBus bus) {
    if (leadership.leading()) {
      return;
    }
    service.progress().announced()
        .onSuccess(progress -> {
          if (progress != null) {
            progressObserved(bus, progress);
          }
        })
        .onFailure(failure -> LOG.debug("stored progress not read: {}", failure.getMessage()));
  }

  private void progressObserved(EventBus bus, DrainProgress progress) {
    observed(progress);
    Addresses.PHASE_PROGRESS_UPDATED.publish(bus, progress);
  }
}
