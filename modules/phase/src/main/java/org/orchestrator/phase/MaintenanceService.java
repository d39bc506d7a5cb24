package org.orchestrator.phase;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.orchestrator.contracts.Caller;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.jobs.JobMessages.ActiveJobs;
import org.orchestrator.contracts.jobs.JobMessages.SweepResult;
import org.orchestrator.contracts.jobs.JobMessages.WindowCounts;
import org.orchestrator.contracts.phase.MaintenancePhase;
import org.orchestrator.contracts.Role;
import org.orchestrator.contracts.bus.RequestContext;
import org.orchestrator.contracts.phase.PhaseMessages.CancelPlan;
import org.orchestrator.contracts.phase.PhaseMessages.CreatePlan;
import org.orchestrator.contracts.phase.PhaseMessages.DrainProgress;
import org.orchestrator.contracts.phase.PhaseMessages.ListEvents;
import org.orchestrator.contracts.phase.PhaseMessages.ListPlans;
import org.orchestrator.contracts.phase.PhaseMessages.MaintenanceEvents;
import org.orchestrator.contracts.phase.PhaseMessages.MaintenancePlan;
import org.orchestrator.contracts.phase.PhaseMessages.Plans;
import org.orchestrator.contracts.phase.PhaseMessages.EndMaintenance;
import org.orchestrator.contracts.phase.PhaseMessages.PhaseSnapshot;
import org.orchestrator.contracts.phase.PhaseMessages.PlannedFire;
import org.orchestrator.contracts.phase.PhaseMessages.Preview;
import org.orchestrator.contracts.phase.PhaseMessages.PreviewReport;
import org.orchestrator.contracts.phase.PhaseMessages.StartMaintenance;
import org.orchestrator.contracts.phase.PhaseMessages.StartOutcome;
import org.orchestrator.contracts.phase.PhaseMessages.TenantTally;
import org.orchestrator.contracts.phase.PhaseMessages.TenantWindow;
import org.orchestrator.contracts.phase.PhaseMessages.Transition;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.PhaseStep;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.WindowFacts;
import org.orchestrator.contracts.scheduler.ScheduleMessages.FirePreview;
import org.orchestrator.contracts.scheduler.ScheduleMessages.SkippedCounts;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.WindowLogs;
import org.orchestrator.phase.PhaseMachine.Plan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out maintenance: decides with {@link PhaseMachine}, stores with {@link PhaseRepository},
 * asks job control and the scheduler over the bus, publishes every stored change. Starts and Ends
 * run one at a time. A new phase is stored <em>before</em> its sweeps run, and
 * {@link #enforce()} re-runs the (idempotent) sweeps and re-arms the kill deadline after a
 * restart, so a crash at any point leaves nothing half-done.
 */
final class MaintenanceService {

  private static final Logger LOG = LoggerFactory.getLogger(MaintenanceService.class);
  static final Duration MAX_KILL_AFTER = Duration.ofDays(7);
  static final int BLOCKING_SAMPLE = 100;
  /** A node that claimed the deadline's Kill and went silent loses the claim after this long. */
  static final Duration DEADLINE_CLAIM_LEASE = Duration.ofSeconds(30);
  /** The preview's sample of fires to skip; its counts are always complete. */
  static final int PREVIEW_FIRE_SAMPLE = 1_000;
  /** A ticked progress older than this (the ticking node died) is computed again by a reader. */
  static final Duration FRESH = Duration.ofSeconds(5);

  /** What this module asks of the others. */
  interface Peers {
    /** {@code tenantId}: that tenant's jobs only; null: every tenant's. */
    Future<SweepResult> stopAll(long windowId, Long tenantId);

    Future<SweepResult> killAll(long windowId, Long tenantId);

    Future<ActiveJobs> active(int sample);

    Future<WindowCounts> counts(long windowId);

    Future<SkippedCounts> skipped(long windowId);

    Future<WindowLogs> closeLogs(long windowId, Instant from, Instant to, Long tenantId, WindowFacts facts);

    Future<FirePreview> fires(Instant from, Instant to, int limit);
  }

  private final Vertx vertx;
  private final PhaseRepository repository;
  private final Peers peers;
  private final Clock clock;
  private final Consumer<PhaseSnapshot> publish;
  private final Duration stalledAfter;
  /**
   * The drain this node watches (window id), how many of its jobs it has seen ended, and when that
   * count last grew on this node's clock: a drain with jobs left is stalled after
   * {@code stalledAfter} without one ending. Event loop only.
   */
  private long watchedWindow = -1;
  private long endedSeen;
  private Instant lastEndSeen;
  /** Written on the event loop, read by the scrape thread (gauges): volatile. */
  private volatile PhaseSnapshot snapshot;
  /** The progress every reader gets, and the state version it was computed at. */
  private volatile Known known;
  private Future<?> queue = Future.succeededFuture();
  private long deadlineTimer = -1;
  private long armedWindow = -1;
  private Instant armedDeadline;
  private long deadlineDoneWindow = -1;

  MaintenanceService(Vertx vertx, PhaseRepository repository, Peers peers, Clock clock,
      Consumer<PhaseSnapshot> publish) {
    this(vertx, repository, peers, clock, publish,
        Duration.ofSeconds(org.orchestrator.platform.config.OrchestratorConfig.Maintenance.DEFAULT_STALLED_AFTER_SECONDS));
  }

  MaintenanceService(Vertx vertx, PhaseRepository repository, Peers peers, Clock clock,
      Consumer<PhaseSnapshot> publish, Duration stalledAfter) {
    this.stalledAfter = stalledAfter;
    this.vertx = vertx;
    this.repository = repository;
    this.peers = peers;
    this.clock = clock;
    this.publish = publish;
  }

  /** Loads the stored phase; call before serving anything. */
  Future<PhaseSnapshot> load() {
    return repository.load().onSuccess(this::stored);
  }

  /**
   * Reloads the stored phase (another node changed it: NOTIFY, or the periodic check) and re-arms
   * the kill deadline when the window changed.
   */
  Future<PhaseSnapshot> refresh() {
    long before = snapshot.version();
    return repository.load().onSuccess(loaded -> {
      stored(loaded);
      if (loaded.version() > before) {
        armDeadline();
      }
    });
  }

  PhaseSnapshot snapshot() {
    return snapshot;
  }

  /**
   * After a start in maintenance: Stop sweep again (catches a crash between storing Draining and
   * sweeping), and the kill deadline re-armed (or run now, if it passed while the node was down).
   */
  Future<Void> enforce() {
    return this.<Void>serialized(() -> {
      // every tenant's own window first: its Stop sweep again (a crash between storing and sweeping)
      Future<Void> tenants = Future.all(snapshot.tenants().values().stream()
          .map(window -> peers.stopAll(window.windowId(), window.tenantId())).toList()).mapEmpty();
      if (!snapshot.phase().inMaintenance()) {
        return tenants;
      }
      LOG.info("node starts in maintenance ({}, window {}): enforcing it", snapshot.phase(), snapshot.windowId());
      // the window's audit says that a node restarted and what its re-run of the stop sweep did, so
      // stops the operator did not send are accounted for
      return tenants.compose(done -> peers.stopAll(snapshot.windowId(), null)).compose(swept -> audit(null, false, "system",
              "node restarted in " + snapshot.phase() + ": stop sweep run again, Stop sent to "
                  + swept.affected() + " more jobs")
          .recover(conflict -> repository.load().onSuccess(this::stored).mapEmpty())
          .mapEmpty());
    }).onSuccess(ok -> armDeadline());
  }

  Future<StartOutcome> start(StartMaintenance request) {
    Caller caller = request.caller();
    return caller.hostAdministrator(HOST_ONLY).compose(host -> {
      validate(request);
      if (request.tenantId() != null) {
        return startTenant(request);
      }
      return serialized(() -> repository.load().compose(fresh -> {
      stored(fresh);
      PhaseSnapshot current = snapshot;
      Plan plan = PhaseMachine.start(current.phase(), request.phase(), request.killJobs(), request.force());
      Future<ActiveJobs> blocking = plan.requireDrained()
          ? peers.active(BLOCKING_SAMPLE).map(active -> active.total() > 0 ? active : null)
          : Future.succeededFuture(null);
      return blocking.compose(jobs -> jobs != null
          ? Future.succeededFuture(new StartOutcome(current, jobs))
          : carryOut(plan, request).map(done -> {
            LOG.info("maintenance: {} by {} (window {}){}", done.phase(), caller.name(), done.windowId(),
                what(plan, request));
            return new StartOutcome(done, null);
          }));
      }));
    }).onSuccess(outcome -> armDeadline());
  }

  private Future<PhaseSnapshot> carryOut(Plan plan, StartMaintenance request) {
    return carryOut(plan, request, null);
  }

  /** What a Start did, for the log line that reports it: ": window opened, Stop sent, ..." or "". */
  static String what(Plan plan, StartMaintenance request) {
    List<String> parts = new java.util.ArrayList<>();
    if (plan.openWindow()) {
      parts.add("window opened");
    }
    if (plan.stopSweep()) {
      parts.add("Stop sent to running jobs");
    }
    if (plan.killSweep()) {
      parts.add("Kill sent to unfinished jobs (killJobs)");
    }
    if (request.force()) {
      parts.add("force: jobs still running left to their robots");
    }
    if (request.killAfter() != null) {
      parts.add("kill deadline after " + request.killAfter());
    }
    if (request.autoSuspend()) {
      parts.add("autoSuspend");
    }
    if (request.reason() != null) {
      parts.add("reason: " + request.reason());
    }
    return parts.isEmpty() ? "" : ": " + String.join(", ", parts);
  }

  /** {@code planned}: the plan this Start carries out (its window names it and its expected end). */
  private Future<PhaseSnapshot> carryOut(Plan plan, StartMaintenance request, MaintenancePlan planned) {
    String by = request.caller().name();
    Instant now = clock.instant();
    Future<PhaseSnapshot> opened;
    if (plan.openWindow()) {
      opened = repository.open(snapshot.version(), MaintenancePhase.Draining, now, by, request.reason(),
          request.killAfter(), request.autoSuspend(), planned == null ? null : planned.id(),
          planned == null ? null : planned.expectedEnd()).onSuccess(this::stored);
    } else if (request.reason() != null || request.killAfter() != null || request.autoSuspend()) {
      opened = repository.updateOptions(snapshot.version(), snapshot.windowId(), now, by, request.reason(),
          request.killAfter(), request.autoSuspend() ? Boolean.TRUE : null).onSuccess(this::stored);
    } else {
      opened = Future.succeededFuture(snapshot);
    }
    return opened
        .compose(open -> plan.stopSweep() ? peers.stopAll(open.windowId(), null)
            .compose(swept -> audit(null, false, by, "Stop sent to " + swept.affected() + " jobs"))
            : Future.succeededFuture(open))
        .compose(open -> plan.killSweep() ? kill(by, "killJobs") : Future.succeededFuture(open))
        .compose(open -> open.phase() != plan.target()
            ? audit(plan.target(), true, by, request.force() ? "force" : null)
            : Future.succeededFuture(open));
  }

  // A tenant's own window: the same phases for one tenant, beside the platform's. It has no kill
  // deadline and no autoSuspend (the platform's window has them); it is suspended and ended by Start
  // and End naming the tenant.

  private Future<StartOutcome> startTenant(StartMaintenance request) {
    long tenantId = request.tenantId();
    if (request.killAfter() != null || request.autoSuspend()) {
      return Future.failedFuture(Failure.badRequest("killAfter and autoSuspend are for the platform's window; "
          + "a tenant's window is suspended with Start?phase=Suspended&tenantId=" + tenantId + "&killJobs=true"));
    }
    return serialized(() -> repository.load().compose(fresh -> {
      stored(fresh);
      PhaseSnapshot current = snapshot;
      if (current.phase().inMaintenance()) {
        return Future.failedFuture(Failure.conflict("the whole platform is in maintenance (" + current.phase()
            + ", window " + current.windowId() + "), which covers tenant " + tenantId + " already"));
      }
      TenantWindow own = current.tenants().get(tenantId);
      Plan plan = PhaseMachine.start(own == null ? MaintenancePhase.None : own.phase(), request.phase(),
          request.killJobs(), request.force());
      Future<ActiveJobs> blocking = plan.requireDrained()
          ? peers.active(BLOCKING_SAMPLE).map(active -> onlyTenant(active, tenantId))
              .map(active -> active.total() > 0 ? active : null)
          : Future.succeededFuture(null);
      return blocking.compose(jobs -> jobs != null
          ? Future.succeededFuture(new StartOutcome(current, jobs))
          : carryOutTenant(plan, request).map(done -> {
            TenantWindow window = done.tenants().get(tenantId);
            LOG.info("maintenance of tenant {}: {} by {} (window {}{})", tenantId, window.phase(),
                request.caller().name(), window.windowId(), request.reason() == null ? "" : ", reason: " + request.reason());
            return new StartOutcome(done, null);
          }));
    }));
  }

  private Future<PhaseSnapshot> carryOutTenant(Plan plan, StartMaintenance request) {
    long tenantId = request.tenantId();
    String by = request.caller().name();
    Future<PhaseSnapshot> opened = plan.openWindow()
        ? repository.openTenant(snapshot.version(), tenantId, MaintenancePhase.Draining, clock.instant(), by,
            request.reason()).onSuccess(this::stored)
        : Future.succeededFuture(snapshot);
    return opened
        .compose(open -> plan.stopSweep() ? peers.stopAll(windowOf(tenantId), tenantId)
            .compose(swept -> tenantAudit(tenantId, null, by, "Stop sent to " + swept.affected() + " jobs"))
            : Future.succeededFuture(open))
        .compose(open -> plan.killSweep() ? peers.killAll(windowOf(tenantId), tenantId)
            .compose(swept -> tenantAudit(tenantId, null, by, "Kill sent to " + swept.affected() + " jobs (killJobs)"))
            : Future.succeededFuture(open))
        .compose(open -> open.tenants().get(tenantId).phase() != plan.target()
            ? tenantAudit(tenantId, plan.target(), by, request.force() ? "force" : null)
            : Future.succeededFuture(open));
  }

  private long windowOf(long tenantId) {
    return snapshot.tenants().get(tenantId).windowId();
  }

  /** Records an action on a tenant's window; a non-null {@code phase} moves the tenant to it. */
  private Future<PhaseSnapshot> tenantAudit(long tenantId, MaintenancePhase phase, String by, String note) {
    TenantWindow own = snapshot.tenants().get(tenantId);
    return repository.actTenant(snapshot.version(), tenantId, own.windowId(), phase == null ? own.phase() : phase,
        phase != null, clock.instant(), by, note).onSuccess(this::stored);
  }

  /** The active jobs of one tenant, out of every tenant's. */
  private static ActiveJobs onlyTenant(ActiveJobs active, long tenantId) {
    long total = active.byTenant().getOrDefault(tenantId, 0L);
    return new ActiveJobs(total, total == 0 ? Map.of() : Map.of(tenantId, total),
        active.sample().stream().filter(job -> job.tenantId() == tenantId).toList());
  }

  private Future<PhaseSnapshot> endTenant(EndMaintenance request) {
    long tenantId = request.tenantId();
    return serialized(() -> repository.load().compose(fresh -> {
      stored(fresh);
      TenantWindow own = snapshot.tenants().get(tenantId);
      if (own == null) {
        return Future.failedFuture(Failure.conflict("tenant " + tenantId + " has no maintenance window of its own"
            + (snapshot.phase().inMaintenance() ? "; the platform's window is ended with End, without tenantId" : "")));
      }
      Instant now = clock.instant();
      List<PhaseStep> timeline = new java.util.ArrayList<>(List.of(
          new PhaseStep(MaintenancePhase.Draining.name(), own.startedAt(), own.startedBy())));
      if (own.phase() == MaintenancePhase.Suspended) {
        timeline.add(new PhaseStep(MaintenancePhase.Suspended.name(), own.phaseSince(), null));
      }
      timeline.add(new PhaseStep(MaintenancePhase.None.name(), now, request.caller().name()));
      WindowFacts facts = new WindowFacts(own.reason(), own.startedBy(), null, null, List.copyOf(timeline));
      return peers.closeLogs(own.windowId(), own.startedAt(), now, tenantId, facts)
          .compose(logs -> repository.closeTenant(snapshot.version(), tenantId, own.windowId(), now,
              request.caller().name()))
          .onSuccess(this::stored)
          .onSuccess(ended -> LOG.info("maintenance of tenant {}: ended by {} (window {})", tenantId,
              request.caller().name(), own.windowId()));
    }));
  }

  /**
   * The tenants' own windows, once a second on the ticking node: the Stop sweep of each Draining
   * one again (a job handed out as it opened is stopped too).
   */
  Future<Void> sweepTenantWindows() {
    List<Future<SweepResult>> sweeps = snapshot.tenants().values().stream()
        .filter(window -> window.phase() == MaintenancePhase.Draining)
        .map(window -> peers.stopAll(window.windowId(), window.tenantId())).toList();
    return Future.all(sweeps).mapEmpty();
  }

  Future<PhaseSnapshot> end(EndMaintenance request) {
    if (request.tenantId() != null) {
      return request.caller().hostAdministrator(HOST_ONLY).compose(host -> endTenant(request));
    }
    return request.caller().hostAdministrator(HOST_ONLY).compose(host -> serialized(() -> repository.load().compose(fresh -> {
      stored(fresh);
      PhaseMachine.end(snapshot.phase());
      Instant now = clock.instant();
      return peers.closeLogs(snapshot.windowId(), snapshot.windowStartedAt(), now, null, facts(snapshot, now,
              request.caller().name()))
          .compose(logs -> repository.close(snapshot.version(), snapshot.windowId(), now, request.caller().name()))
          .onSuccess(this::stored)
          .onSuccess(ended -> LOG.info("maintenance: ended by {} (window {})", request.caller().name(),
              ended.windowId()));
    }))).onSuccess(ended -> cancelDeadline());
  }

  /** The platform's window as its tenants' records keep it: reason, who, deadline, its phase changes. */
  static WindowFacts facts(PhaseSnapshot window, Instant endedAt, String endedBy) {
    List<PhaseStep> timeline = new java.util.ArrayList<>();
    for (Transition t : window.transitions()) {
      if (t.changed()) {
        timeline.add(new PhaseStep(t.phase().name(), t.at(), t.by()));
      }
    }
    timeline.add(new PhaseStep(MaintenancePhase.None.name(), endedAt, endedBy));
    return new WindowFacts(window.reason(), window.startedBy(),
        window.killAfter() == null ? null : window.killAfter().toString(), window.killDeadlineAt(), List.copyOf(timeline));
  }

  /** Plans waiting at once, at most: each is a row every node reads while it waits. */
  static final int MAX_PLANNED = 50;
  /** Plans listed at most (newest drainAt first). */
  static final int PLAN_LIST_LIMIT = 200;
  static final Duration PLAN_HORIZON = Duration.ofDays(366);
  static final Duration MAX_EXPECTED_LENGTH = Duration.ofDays(30);

  Future<MaintenancePlan> createPlan(CreatePlan request) {
    return request.caller().hostAdministrator(HOST_ONLY).compose(host -> checkedPlan(request));
  }

  private Future<MaintenancePlan> checkedPlan(CreatePlan request) {
    Instant now = clock.instant();
    if (request.drainAt() == null) {
      throw Failure.badRequest("drainAt is required: an ISO-8601 instant such as 2026-12-01T22:00:00Z");
    }
    if (!request.drainAt().isAfter(now) || request.drainAt().isAfter(now.plus(PLAN_HORIZON))) {
      throw Failure.badRequest("drainAt must be in the future and within " + PLAN_HORIZON.toDays() + " days; got "
          + request.drainAt() + " (now " + now + ")");
    }
    if (request.killAfter() != null && !wholeSecondsUpToAWeek(request.killAfter())) {
      throw Failure.badRequest("killAfter is an ISO-8601 duration of whole seconds between PT1S and P7D, e.g. PT15M");
    }
    if (request.expectedEnd() != null && (!request.expectedEnd().isAfter(request.drainAt())
        || request.expectedEnd().isAfter(request.drainAt().plus(MAX_EXPECTED_LENGTH)))) {
      throw Failure.badRequest("expectedEnd must be after drainAt and within " + MAX_EXPECTED_LENGTH.toDays()
          + " days of it");
    }
    if (request.reason() == null || request.reason().isBlank() || request.reason().length() > 500) {
      throw Failure.badRequest("reason is required (what tenants are told), at most 500 characters");
    }
    return serialized(() -> repository.load().compose(fresh -> {
      stored(fresh);
      return repository.createPlan(snapshot.version(), request.drainAt(), request.killAfter(), request.autoSuspend(),
          request.expectedEnd(), request.reason().strip(), now, request.caller().name(), MAX_PLANNED);
    }).compose(plan -> repository.load().onSuccess(this::stored).map(plan)))
        .onSuccess(plan -> LOG.info("maintenance planned by {}: plan {} drains at {}", request.caller().name(),
            plan.id(), plan.drainAt()));
  }

  Future<MaintenancePlan> cancelPlan(CancelPlan request) {
    return request.caller().hostAdministrator(HOST_ONLY).compose(host -> serialized(() -> repository.load().compose(fresh -> {
      stored(fresh);
      return repository.cancelPlan(snapshot.version(), request.id(), clock.instant(), request.caller().name());
    }).compose(plan -> repository.load().onSuccess(this::stored).map(plan))))
        .onSuccess(plan -> LOG.info("maintenance plan {} cancelled by {}", plan.id(), request.caller().name()));
  }

  /** The host administrator sees every plan; tenant users the ones still Planned, as tenants are told of them. */
  Future<Plans> plans(ListPlans request) {
    Caller caller = request.caller();
    if (caller.isRobot()) {
      return Future.failedFuture(Failure.forbidden("plans are read by people"));
    }
    boolean host = caller.isHostAdmin();
    return repository.plans(host, PLAN_LIST_LIMIT + 1).map(list -> new Plans(
        list.stream().limit(PLAN_LIST_LIMIT).map(plan -> host ? plan : plan.forTenants()).toList(),
        list.size() > PLAN_LIST_LIMIT));
  }

  Future<MaintenanceEvents> events(ListEvents request) {
    return repository.events(Math.max(0, request.after()), Math.max(1, Math.min(request.limit(), 1_000)))
        .map(MaintenanceEvents::new);
  }

  /**
   * Starts the earliest plan whose drainAt has come, as if its Start had been called by
   * {@code plan <id>}; every node calls this once a second (and at start, so a plan whose moment
   * passed while every node was down starts with the first node up). One node wins: the plan leaves
   * Planned in the transaction that opens the window, after the state's compare-and-set. A plan
   * that comes due while a window is open is Superseded: that window goes on as it is.
   */
  Future<Void> startDuePlan() {
    return repository.duePlan(clock.instant()).compose(due -> due == null ? Future.<Void>succeededFuture()
        : serialized(() -> repository.load().compose(fresh -> {
          stored(fresh);
          if (snapshot.phase().inMaintenance()) {
            long windowId = snapshot.windowId();
            return repository.supersede(snapshot.version(), due.id(), windowId, clock.instant())
                .onSuccess(settled -> {
                  if (settled) {
                    LOG.info("plan {} came due during window {}: that window goes on", due.id(), windowId);
                  }
                })
                .compose(done -> repository.load().onSuccess(this::stored)).<Void>mapEmpty();
          }
          Caller planner = new Caller(0, "plan " + due.id(), Role.HOST_ADMINISTRATOR, null);
          StartMaintenance request = new StartMaintenance(planner, MaintenancePhase.Draining, false, false,
              due.killAfter(), due.autoSuspend(), due.reason(), null);
          return carryOut(PhaseMachine.start(snapshot.phase(), MaintenancePhase.Draining, false, false), request, due)
              .onSuccess(done -> LOG.info("maintenance: Draining by plan {} (window {}), due at {}", due.id(),
                  done.windowId(), due.drainAt()))
              .<Void>mapEmpty();
        }))
        .onSuccess(ok -> armDeadline())
        // another node started it (or changed the phase) first: read what it stored
        .recover(conflict -> refresh().<Void>mapEmpty()));
  }

  private record Known(long version, DrainProgress progress) {
  }

  /**
   * The drain progress as every reader reads it: the tick's latest (this node's, or the one the
   * ticking node stored) while it belongs to the current state version and is at most
   * {@link #FRESH} old; otherwise computed once here and kept. Outside maintenance it is kept until
   * the state changes.
   */
  Future<DrainProgress> progress() {
    PhaseSnapshot current = snapshot;
    Known last = known;
    if (last != null && last.version() == current.version() && (!current.phase().inMaintenance()
        || Duration.between(last.progress().at(), clock.instant()).compareTo(FRESH) <= 0)) {
      return Future.succeededFuture(last.progress());
    }
    return compute().onSuccess(progress -> remember(current.version(), progress));
  }

  /** The progress the ticking node stored, when it is newer than what this node knows; else null. */
  Future<DrainProgress> announced() {
    return repository.loadProgress().map(stored -> {
      Known last = known;
      if (stored == null || stored.version() != snapshot.version()
          || last != null && last.version() == stored.version() && !stored.progress().at().isAfter(last.progress().at())) {
        return null;
      }
      remember(stored.version(), stored.progress());
      return stored.progress();
    });
  }

  private void remember(long version, DrainProgress progress) {
    Known last = known;
    if (last == null || version > last.version()
        || version == last.version() && !progress.at().isBefore(last.progress().at())) {
      known = new Known(version, progress);
    }
  }

  /** Counts it all again: the active jobs, the window's stops, kills and skipped fires per tenant. */
  private Future<DrainProgress> compute() {
    PhaseSnapshot current = snapshot;
    Instant now = clock.instant();
    if (current.windowStartedAt() == null) {
      return Future.succeededFuture(DrainProgress.idle(current.phase(), now, null, "never in maintenance"));
    }
    Instant from = current.windowStartedAt();
    long windowId = current.windowId();
    boolean open = current.phase().inMaintenance();
    return Future.all(peers.active(0), peers.counts(windowId), peers.skipped(windowId)).map(all -> {
      ActiveJobs active = all.resultAt(0);
      WindowCounts counts = all.resultAt(1);
      SkippedCounts skipped = all.resultAt(2);
      // outside maintenance nothing drains: running jobs are ordinary work, not a remainder
      long remaining = open ? active.total() : 0;
      long toDrain = Math.max(counts.stopsSent(), remaining);
      long drained = toDrain - remaining;
      Double ratio = toDrain == 0 ? 1.0 : (double) drained / toDrain;
      Instant deadline = open ? current.killDeadlineAt() : null;
      Instant lastEnd = lastEnd(windowId, drained, from, now);
      // only while Draining: Suspended cuts robots off, so nothing can end there
      Long sinceLastEnd = current.phase() == MaintenancePhase.Draining && remaining > 0
          ? Math.max(0, Duration.between(lastEnd, now).toSeconds()) : null;
      boolean stalled = sinceLastEnd != null && sinceLastEnd >= stalledAfter.toSeconds();
      DrainEstimate estimate = open
          ? DrainEstimate.of(remaining, drained, Duration.between(from, now),
              deadline == null ? null : Duration.between(now, deadline), stalled ? sinceLastEnd : null)
          : new DrainEstimate(null, "not in maintenance");
      return new DrainProgress(current.phase(), now, remaining, open ? active.byTenant() : Map.of(),
          counts.stopsSent(), counts.stopsAcknowledged(), counts.killsSent(), counts.killsAcknowledged(),
          skipped.total(), ratio, estimate.seconds(), estimate.basis(), deadline, tallies(counts, skipped),
          sinceLastEnd, stalled);
    });
  }

  /**
   * When a job of window {@code windowId}'s drain last ended, as this node saw it: when the count of
   * ended jobs last grew. A window first seen with none ended: since it opened (certain); with some
   * ended (a node that just took over the tick): from now, as when is not known here.
   */
  private Instant lastEnd(long windowId, long drained, Instant windowStart, Instant now) {
    if (windowId != watchedWindow) {
      watchedWindow = windowId;
      endedSeen = drained;
      lastEndSeen = drained == 0 ? windowStart : now;
    } else if (drained > endedSeen) {
      endedSeen = drained;
      lastEndSeen = now;
    }
    return lastEndSeen;
  }

  /** Per tenant, in the names of UiPath's MaintenanceSetting; one source with stopsSent and killsSent. */
  private static Map<Long, TenantTally> tallies(WindowCounts counts, SkippedCounts skipped) {
    Map<Long, TenantTally> tallies = new TreeMap<>();
    counts.byTenant().forEach((tenant, c) -> tallies.put(tenant, new TenantTally(c.stopsSent(), c.killsSent(), 0)));
    skipped.byTenant().forEach((tenant, fires) -> tallies.merge(tenant, new TenantTally(0, 0, fires),
        (a, b) -> new TenantTally(a.jobStopsAttempted(), a.jobKillsAttempted(), b.triggersSkipped())));
    return Collections.unmodifiableMap(tallies);
  }

  /**
   * Runs while in maintenance, once a second, on one node (see {@link TickLeadership}): repeats the (idempotent) Stop sweep while Draining,
   * so a job handed to a robot just as the window opened is stopped too, computes the progress, and
   * enters Suspended by itself when asked to and drained. The progress is kept for this node's
   * readers and stored for the other nodes' ({@link #announced()}).
   */
  Future<DrainProgress> tick() {
    Future<?> sweep = snapshot.phase() == MaintenancePhase.Draining
        ? peers.stopAll(snapshot.windowId(), null) : Future.succeededFuture();
    return sweep.compose(swept -> {
      long version = snapshot.version();
      return compute().compose(progress -> {
        remember(version, progress);
        return repository.saveProgress(version, progress).map(progress);
      });
    }).compose(progress -> {
      if (snapshot.autoSuspend() && snapshot.phase() == MaintenancePhase.Draining && progress.remaining() == 0) {
        // every node may try; the compare-and-set lets one win, the others just reload
        return serialized(() -> repository.load().compose(fresh -> {
              stored(fresh);
              return snapshot.phase() == MaintenancePhase.Draining
                  ? audit(MaintenancePhase.Suspended, true, "system", "autoSuspend: drained")
                  : Future.succeededFuture(snapshot);
            }))
            .recover(conflict -> refresh())
            .map(ignored -> progress);
      }
      return Future.succeededFuture(progress);
    });
  }

  Future<PreviewReport> preview(Preview request) {
    return request.caller().hostAdministrator(HOST_ONLY).compose(host -> checkedPreview(request));
  }

  private Future<PreviewReport> checkedPreview(Preview request) {
    Duration horizon = request.horizon() == null ? Duration.ofHours(1) : request.horizon();
    if (!wholeSecondsUpToAWeek(horizon)) {
      return Future.failedFuture(Failure.badRequest("duration is an ISO-8601 duration of whole seconds between PT1S and P7D"));
    }
    Instant now = clock.instant();
    Long tenant = request.tenantId();
    return Future.all(peers.active(BLOCKING_SAMPLE), peers.fires(now, now.plus(horizon), PREVIEW_FIRE_SAMPLE))
        .map(all -> {
          ActiveJobs active = tenant == null ? all.resultAt(0) : onlyTenant(all.resultAt(0), tenant);
          FirePreview fires = all.resultAt(1);
          List<PlannedFire> sample = fires.sample().stream()
              .filter(f -> tenant == null || f.tenantId() == tenant)
              .map(f -> new PlannedFire(f.tenantId(), f.scheduleId(), f.scheduleName(), f.plannedAt())).toList();
          if (tenant == null) {
            return new PreviewReport(active.total(), active.byTenant(), active.sample(), sample, horizon, fires.total(),
                fires.byTenant(), fires.truncated(), fires.limit());
          }
          // one tenant's window: its own counts; its sample is its part of the earliest fires of all
          long total = fires.byTenant().getOrDefault(tenant, 0L);
          return new PreviewReport(active.total(), active.byTenant(), active.sample(), sample, horizon, total,
              total == 0 ? Map.of() : Map.of(tenant, total), sample.size() < total, fires.limit());
        });
  }

  private Future<PhaseSnapshot> kill(String by, String why) {
    return peers.killAll(snapshot.windowId(), null)
        .compose(swept -> swept.affected() == 0 && "system".equals(by)
            ? Future.succeededFuture(snapshot) // another node's deadline timer got there first
            : audit(null, false, by, "Kill sent to " + swept.affected() + " jobs (" + why + ")"));
  }

  private Future<PhaseSnapshot> audit(MaintenancePhase phase, boolean changed, String by, String note) {
    return repository.act(snapshot.version(), snapshot.windowId(), phase, changed, clock.instant(), by, note)
        .onSuccess(this::stored);
  }

  /**
   * Arms the timer of the drain deadline, once per (window, deadline) on this node: reloads of newer
   * versions of the same window leave an armed timer alone, and a window whose deadline Kill is done
   * is not armed again. When it fires, the Kill is claimed in the database first, so it runs (and is
   * logged) once per window in the whole cluster, also across restarts.
   */
  private void armDeadline() {
    PhaseSnapshot current = snapshot;
    if (!current.phase().inMaintenance() || current.killDeadlineAt() == null) {
      cancelDeadline();
      return;
    }
    long windowId = current.windowId();
    Instant deadline = current.killDeadlineAt();
    if (windowId == deadlineDoneWindow
        || deadlineTimer >= 0 && windowId == armedWindow && deadline.equals(armedDeadline)) {
      return;
    }
    cancelDeadline();
    armedWindow = windowId;
    armedDeadline = deadline;
    armDeadlineTimer(windowId, Math.max(1, Duration.between(clock.instant(), deadline).toMillis()));
  }

  /**
   * The timer counts as armed until its claim is settled, so reloads meanwhile do not arm another.
   * Detached from the request that armed it: the kill must not inherit what was left of that
   * request's time (decision 104).
   */
  private void armDeadlineTimer(long windowId, long delay) {
    deadlineTimer = RequestContext.setDetachedTimer(vertx, delay, id -> RequestContext.newRequest(vertx, "deadline",
            () -> serialized(() -> deadlineReached(windowId)))
        .onFailure(failure -> LOG.error("kill at the drain deadline failed", failure))
        .onComplete(done -> {
          if (deadlineTimer == id) {
            deadlineTimer = -1;
          }
        }));
  }

  private Future<PhaseSnapshot> deadlineReached(long windowId) {
    if (!snapshot.phase().inMaintenance() || snapshot.windowId() != windowId) {
      return Future.succeededFuture(snapshot);
    }
    return repository.claimDeadlineKill(windowId, DEADLINE_CLAIM_LEASE).compose(claim -> switch (claim) {
      case DONE -> {
        deadlineDoneWindow = windowId;
        yield Future.succeededFuture(snapshot);
      }
      case HELD -> { // another node is sending it; should it die, its lease runs out and this node takes over
        armDeadlineTimer(windowId, DEADLINE_CLAIM_LEASE.toMillis());
        yield Future.succeededFuture(snapshot);
      }
      case CLAIMED -> {
        LOG.warn("drain deadline of window {} reached: sending Kill to every unfinished job", windowId);
        yield kill("system", "killAfter " + snapshot.killAfter() + " elapsed")
            .compose(killed -> repository.settleDeadlineKill(windowId, true).map(killed))
            .onSuccess(killed -> deadlineDoneWindow = windowId)
            .recover(failure -> repository.settleDeadlineKill(windowId, false)
                .transform(released -> Future.failedFuture(failure)));
      }
    });
  }

  private void cancelDeadline() {
    if (deadlineTimer >= 0) {
      vertx.cancelTimer(deadlineTimer);
      deadlineTimer = -1;
    }
  }

  private void stored(PhaseSnapshot stored) {
    if (snapshot == null || stored.version() > snapshot.version()) {
      snapshot = stored;
      publish.accept(stored);
    }
  }

  /** Runs {@code operation} after every earlier one has finished (successfully or not). */
  private <T> Future<T> serialized(Supplier<Future<T>> operation) {
    Promise<T> result = Promise.promise();
    queue = queue.transform(ignored -> {
      Future<T> run;
      try {
        run = operation.get();
      } catch (RuntimeException e) {
        run = Future.failedFuture(e);
      }
      return run.onComplete(result);
    });
    return result.future();
  }

  private static void validate(StartMaintenance request) {
    if (request.killAfter() != null && !wholeSecondsUpToAWeek(request.killAfter())) {
      throw Failure.badRequest("killAfter is an ISO-8601 duration of whole seconds between PT1S and P7D, "
          + "e.g. PT15M; got " + request.killAfter());
    }
    if (request.reason() != null && request.reason().length() > 500) {
      throw Failure.badRequest("reason has at most 500 characters");
    }
  }

  /** PT1S..P7D in whole seconds: what the deadline is stored as, and what the documentation promises. */
  static boolean wholeSecondsUpToAWeek(Duration duration) {
    return duration.getNano() == 0 && duration.getSeconds() >= 1 && duration.compareTo(MAX_KILL_AFTER) <= 0;
  }

  private static final String HOST_ONLY = "maintenance is for the host administrator";
}
