package org.orchestrator.phase;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.orchestrator.contracts.Caller;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.jobs.JobMessages.ActiveJobs;
import org.orchestrator.contracts.scheduler.ScheduleMessages.PreviewFires;
import org.orchestrator.contracts.jobs.JobMessages.ListActive;
import org.orchestrator.contracts.jobs.JobMessages.SweepJobs;
import org.orchestrator.contracts.jobs.JobMessages.SweepResult;
import org.orchestrator.contracts.jobs.JobMessages.WindowCounts;
import org.orchestrator.contracts.phase.MaintenancePhase;
import org.orchestrator.contracts.Role;
import org.orchestrator.contracts.phase.PhaseMessages.DrainProgress;
import org.orchestrator.contracts.phase.PhaseMessages.Exemption;
import org.orchestrator.contracts.phase.PhaseMessages.MaintenancePlan;
import org.orchestrator.contracts.phase.PhaseMessages.EndMaintenance;
import org.orchestrator.contracts.phase.PhaseMessages.PhaseSnapshot;
import org.orchestrator.contracts.phase.PhaseMessages.StartMaintenance;
import org.orchestrator.contracts.phase.PhaseMessages.StartOutcome;
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

  /** What this module asks of the others. */
  interface Peers {
    /** {@code tenantId}: that tenant's jobs only; null: every tenant's. */
    Future<SweepResult> stopAll(SweepJobs sweep);

    Future<SweepResult> killAll(SweepJobs sweep);

    Future<ActiveJobs> active(ListActive query);

    Future<WindowCounts> counts(long windowId);

    Future<SkippedCounts> skipped(long windowId);

    /** Freezes a window's records before its End commits (incomplete). */
    Future<WindowLogs> closeLogs(long windowId, Instant from, Instant to, Long tenantId, WindowFacts facts);

    /** Freezes them again, complete, after End committed (at {@code endedAt} by {@code endedBy}). */
    Future<WindowLogs> completeLogs(long windowId, Instant endedAt, String endedBy);

    /** Windows with records not completed yet. */
    Future<List<Long>> incompleteLogs(int limit);

    Future<FirePreview> fires(PreviewFires query);
  }

  private final Vertx vertx;
  private final PhaseRepository repository;
  private final Peers peers;
  private final Clock clock;
  private final Consumer<PhaseSnapshot> publish;
  /** Written on the event loop, read by the scrape thread (gauges): volatile. */
  private volatile PhaseSnapshot snapshot;
  private Future<?> queue = Future.succeededFuture();
  // the seams of maintenance beside the window's own start and end
  private final DrainProgressTracker progress;
  private final KillDeadline deadline;
  private final MaintenancePlans plans;
  private final DrainPreview preview;

  MaintenanceService(Vertx vertx, PhaseRepository repository, Peers peers, Clock clock,
      Consumer<PhaseSnapshot> publish) {
    this(vertx, repository, peers, clock, publish,
        Duration.ofSeconds(org.orchestrator.platform.config.OrchestratorConfig.Maintenance.DEFAULT_STALLED_AFTER_SECONDS));
  }

  MaintenanceService(Vertx vertx, PhaseRepository repository, Peers peers, Clock clock,
      Consumer<PhaseSnapshot> publish, Duration stalledAfter) {
    this.vertx = vertx;
    this.repository = repository;
    this.peers = peers;
    this.clock = clock;
    this.publish = publish;
    this.progress = new DrainProgressTracker(this::snapshot, repository, peers, clock, stalledAfter);
    this.deadline = new KillDeadline(vertx, clock, repository, this::snapshot, this::serialized,
        () -> kill("system", "killAfter " + snapshot.killAfter() + " elapsed", false));
    this.plans = new MaintenancePlans(repository, this, clock);
    this.preview = new DrainPreview(repository, peers, clock);
  }

  /** Planned windows: created, listed and cancelled there; started by {@link #startDuePlan()}. */
  MaintenancePlans plans() {
    return plans;
  }

  /** What a drain started now would stop and skip. */
  DrainPreview preview() {
    return preview;
  }

  /** The drain's progress as every reader reads it (see {@link DrainProgressTracker#progress()}). */
  DrainProgressTracker progress() {
    return progress;
  }

  /**
   * Runs while in maintenance, once a second, on one node (see {@link TickLeadership}): the
   * progress's tick (the Stop sweep again, the counts), then Suspended by itself when asked to and
   * nothing runs, the exempt jobs included.
   */
  Future<DrainProgress> tick() {
    return progress.tick().compose(counted -> {
      if (snapshot.autoSuspend() && snapshot.phase() == MaintenancePhase.Draining && counted.nothingRunning()) {
        // every node may try; the compare-and-set lets one win, the others just reload
        return serialized(() -> repository.load().compose(fresh -> {
              stored(fresh);
              return snapshot.phase() == MaintenancePhase.Draining
                  ? audit(MaintenancePhase.Suspended, true, "system", "autoSuspend: drained")
                  : Future.succeededFuture(snapshot);
            }))
            .recover(conflict -> refresh())
            .map(ignored -> counted);
      }
      return Future.succeededFuture(counted);
    });
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
        deadline.arm();
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
          .map(window -> peers.stopAll(new SweepJobs(window.windowId(), window.tenantId()))).toList()).mapEmpty();
      if (!snapshot.phase().inMaintenance()) {
        return tenants;
      }
      LOG.info("node starts in maintenance ({}, window {}): enforcing it", snapshot.phase(), snapshot.windowId());
      // the window's audit says that a node restarted and what its re-run of the stop sweep did, so
      // stops the operator did not send are accounted for
      return tenants.compose(done -> peers.stopAll(new SweepJobs(snapshot.windowId(), null))).compose(swept -> audit(null, false, "system",
              "node restarted in " + snapshot.phase() + ": stop sweep run again, Stop sent to "
                  + swept.affected() + " more jobs")
          .recover(conflict -> repository.load().onSuccess(this::stored).mapEmpty())
          .mapEmpty());
    }).onSuccess(ok -> deadline.arm());
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
          ? peers.active(new ListActive(BLOCKING_SAMPLE)).map(active -> active.total() > 0 ? active : null)
          : Future.succeededFuture(null);
      return blocking.compose(jobs -> jobs != null
          ? Future.succeededFuture(new StartOutcome(current, jobs))
          : carryOut(plan, request).map(done -> {
            LOG.info("maintenance: {} by {} (window {}){}", done.phase(), caller.name(), done.windowId(),
                what(plan, request));
            return new StartOutcome(done, null);
          }));
      }));
    }).onSuccess(outcome -> deadline.arm());
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
        .compose(open -> plan.stopSweep() ? peers.stopAll(new SweepJobs(open.windowId(), null, plan.target() == MaintenancePhase.Suspended))
            .compose(swept -> audit(null, false, by, "Stop sent to " + swept.affected() + " jobs"))
            : Future.succeededFuture(open))
        .compose(open -> plan.killSweep() ? kill(by, "killJobs", plan.target() == MaintenancePhase.Suspended) : Future.succeededFuture(open))
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
          ? peers.active(new ListActive(BLOCKING_SAMPLE)).map(active -> onlyTenant(active, tenantId))
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
        .compose(open -> plan.stopSweep() ? peers.stopAll(new SweepJobs(windowOf(tenantId), tenantId, plan.target() == MaintenancePhase.Suspended))
            .compose(swept -> tenantAudit(tenantId, null, by, "Stop sent to " + swept.affected() + " jobs"))
            : Future.succeededFuture(open))
        .compose(open -> plan.killSweep() ? peers.killAll(new SweepJobs(windowOf(tenantId), tenantId, plan.target() == MaintenancePhase.Suspended))
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
  static ActiveJobs onlyTenant(ActiveJobs active, long tenantId) {
    long total = active.byTenant().getOrDefault(tenantId, 0L);
    long exempt = active.exemptByTenant().getOrDefault(tenantId, 0L);
    return new ActiveJobs(total, total == 0 ? Map.of() : Map.of(tenantId, total),
        active.sample().stream().filter(job -> job.tenantId() == tenantId).toList(), exempt,
        exempt == 0 ? Map.of() : Map.of(tenantId, exempt));
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
      return repository.windowExemptions(own.windowId())
          .compose(exempt -> peers.closeLogs(own.windowId(), own.startedAt(), now, tenantId,
              new WindowFacts(own.reason(), own.startedBy(), null, null, List.copyOf(timeline), exempt)))
          .compose(logs -> repository.closeTenant(snapshot.version(), tenantId, own.windowId(), now,
              request.caller().name()))
          .onSuccess(this::stored)
          .onSuccess(ended -> LOG.info("maintenance of tenant {}: ended by {} (window {})", tenantId,
              request.caller().name(), own.windowId()))
          .map(ended -> new Ended(ended, own.windowId()));
    })).compose(this::completed);
  }

  /**
   * The tenants' own windows, once a second on the ticking node: the Stop sweep of each Draining
   * one again (a job handed out as it opened is stopped too).
   */
  Future<Void> sweepTenantWindows() {
    List<Future<SweepResult>> sweeps = snapshot.tenants().values().stream()
        .filter(window -> window.phase() == MaintenancePhase.Draining)
        .map(window -> peers.stopAll(new SweepJobs(window.windowId(), window.tenantId()))).toList();
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
      return repository.windowExemptions(snapshot.windowId())
          .compose(exempt -> peers.closeLogs(snapshot.windowId(), snapshot.windowStartedAt(), now, null,
              facts(snapshot, now, request.caller().name(), exempt)))
          .compose(logs -> repository.close(snapshot.version(), snapshot.windowId(), now, request.caller().name()))
          .onSuccess(this::stored)
          .onSuccess(ended -> LOG.info("maintenance: ended by {} (window {})", request.caller().name(),
              ended.windowId()))
          .map(ended -> new Ended(ended, ended.windowId()));
    })).compose(this::completed)).onSuccess(ended -> deadline.cancel());
  }

  /** A stored End: the state it left and the window it ended. */
  private record Ended(PhaseSnapshot snapshot, long windowId) {
  }

  /**
   * After End committed, outside the queue of phase changes: the window's records, frozen before
   * it, are frozen again with what was tagged with the window since (decision 128; a fire refused
   * while End was being stored is recorded before End commits, under the start fence, but after
   * the first freeze). End has happened whatever this does: a failure or a slow answer is left to
   * {@link #completeEndedLogs()}.
   */
  private Future<PhaseSnapshot> completed(Ended ended) {
    return completeEnded(List.of(ended.windowId())).transform(done -> {
      if (done.failed()) {
        LOG.warn("window {}: the tenants' records not completed yet: {}", ended.windowId(), done.cause().getMessage());
      }
      return Future.succeededFuture(ended.snapshot());
    });
  }

  /**
   * Completes the records of every ended window left incomplete (a node stopped between End's
   * commit and {@link #completed}, or its completion failed). Every node looks once its modules run
   * and then every 5 s: one indexed read when there is nothing to do.
   */
  Future<Void> completeEndedLogs() {
    return peers.incompleteLogs(INCOMPLETE_BATCH)
        .compose(windows -> windows.isEmpty() ? Future.succeededFuture() : completeEnded(windows));
  }

  /**
   * Completes the records of those of {@code windowIds} that have ended, with the end stored with
   * each, one window at a time: one that fails does not hold back the others (its failure is
   * logged; every node retries within 5 s). A window whose End did not commit (its records were
   * frozen, then the compare-and-set failed) is left for its End.
   */
  private Future<Void> completeEnded(List<Long> windowIds) {
    return repository.ended(windowIds).compose(ended -> {
      Future<Void> chain = Future.succeededFuture();
      for (PhaseRepository.EndedWindow window : ended) {
        chain = chain.compose(done -> peers.completeLogs(window.windowId(), window.endedAt(), window.endedBy())
            .<Void>mapEmpty()
            .onSuccess(ok -> LOG.info("window {}: the tenants' records completed after End", window.windowId()))
            .recover(failure -> {
              LOG.warn("window {}: the tenants' records not completed yet: {}; every node retries within 5 s",
                  window.windowId(), failure.getMessage());
              return Future.succeededFuture();
            }));
      }
      return chain;
    });
  }

  /** Open windows with records left by an End that lost its compare-and-set are few: this is plenty. */
  static final int INCOMPLETE_BATCH = 1_000;

  /** The platform's window as its tenants' records keep it: reason, who, deadline, its phase changes. */
  static WindowFacts facts(PhaseSnapshot window, Instant endedAt, String endedBy, List<Exemption> exempt) {
    List<PhaseStep> timeline = new java.util.ArrayList<>();
    for (Transition t : window.transitions()) {
      if (t.changed()) {
        timeline.add(new PhaseStep(t.phase().name(), t.at(), t.by()));
      }
    }
    timeline.add(new PhaseStep(MaintenancePhase.None.name(), endedAt, endedBy));
    return new WindowFacts(window.reason(), window.startedBy(),
        window.killAfter() == null ? null : window.killAfter().toString(), window.killDeadlineAt(), List.copyOf(timeline),
        exempt);
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
        .onSuccess(ok -> deadline.arm())
        // another node started it (or changed the phase) first: read what it stored
        .recover(conflict -> refresh().<Void>mapEmpty()));
  }

  /** {@code exemptionsEnd}: the Kill of a move to Suspended, which ends the exemptions (see {@link SweepJobs}). */
  private Future<PhaseSnapshot> kill(String by, String why, boolean exemptionsEnd) {
    return peers.killAll(new SweepJobs(snapshot.windowId(), null, exemptionsEnd))
        .compose(swept -> swept.affected() == 0 && "system".equals(by)
            ? Future.succeededFuture(snapshot) // another node's deadline timer got there first
            : audit(null, false, by, "Kill sent to " + swept.affected() + " jobs (" + why + ")"));
  }

  private Future<PhaseSnapshot> audit(MaintenancePhase phase, boolean changed, String by, String note) {
    return repository.act(snapshot.version(), snapshot.windowId(), phase, changed, clock.instant(), by, note)
        .onSuccess(this::stored);
  }

  private void stored(PhaseSnapshot stored) {
    if (snapshot == null || stored.version() > snapshot.version()) {
      snapshot = stored;
      publish.accept(stored);
    }
  }

  /**
   * A change of the stored state made beside the window's own (plans, exemptions): written after
   * every earlier change, on the freshly loaded state (its version is the compare-and-set's), and
   * the state it leaves is loaded, kept and published.
   */
  <T> Future<T> write(java.util.function.Function<PhaseSnapshot, Future<T>> change) {
    return serialized(() -> repository.load().compose(fresh -> {
      stored(fresh);
      return change.apply(fresh);
    }).compose(result -> repository.load().onSuccess(this::stored).map(result)));
  }

  /**
   * Runs {@code operation} after every earlier one has finished (successfully or not), on the
   * caller's context: an operation queued behind another (an End behind the kill deadline's sweep)
   * would otherwise run on the context the earlier one finished on, and its log lines and bus hops
   * would carry that one's request id.
   */
  private <T> Future<T> serialized(Supplier<Future<T>> operation) {
    Context caller = vertx.getOrCreateContext();
    Promise<T> result = Promise.promise();
    queue = queue.transform(ignored -> {
      Promise<T> ran = Promise.promise();
      caller.runOnContext(v -> {
        Future<T> run;
        try {
          run = operation.get();
        } catch (RuntimeException e) {
          run = Future.failedFuture(e);
        }
        run.onComplete(ran);
      });
      return ran.future().onComplete(result);
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
