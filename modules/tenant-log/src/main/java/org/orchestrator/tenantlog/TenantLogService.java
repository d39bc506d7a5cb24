package org.orchestrator.tenantlog;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.orchestrator.contracts.Caller;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.identity.IdentityMessages.TenantIds;
import org.orchestrator.contracts.jobs.JobMessages.ListWindowJobs;
import org.orchestrator.contracts.phase.PhaseMessages.Exemption;
import org.orchestrator.contracts.jobs.JobState;
import org.orchestrator.contracts.jobs.JobMessages.WindowJob;
import org.orchestrator.contracts.jobs.JobMessages.WindowJobs;
import org.orchestrator.contracts.scheduler.ScheduleMessages.ListSkipped;
import org.orchestrator.contracts.scheduler.ScheduleMessages.TenantFire;
import org.orchestrator.contracts.scheduler.ScheduleMessages.TenantFires;
import org.orchestrator.contracts.phase.MaintenancePhase;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.CloseWindow;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.CompleteWindow;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.IncompleteWindows;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.ListIncomplete;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.GetWindowLog;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.History;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.ListHistory;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.JobOutcome;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.PhaseStep;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.SkippedTrigger;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.TenantWindowLog;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.WindowFacts;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.WindowLogs;

/**
 * Each tenant's log of each maintenance window, assembled from what the owning modules recorded:
 * jobs tagged with the window's Stop and Kill sweeps (jobs module) and fires skipped in the window
 * (scheduler). Live while the window is open; frozen, one record per tenant, at End.
 */
final class TenantLogService {

  private final TenantLogRepository logs;
  private final Function<ListWindowJobs, Future<WindowJobs>> windowJobs;
  private final Function<ListSkipped, Future<TenantFires>> skipped;
  private final java.util.function.Supplier<Future<TenantIds>> tenants;

  TenantLogService(TenantLogRepository logs, Function<ListWindowJobs, Future<WindowJobs>> windowJobs,
      Function<ListSkipped, Future<TenantFires>> skipped, java.util.function.Supplier<Future<TenantIds>> tenants) {
    this.logs = logs;
    this.windowJobs = windowJobs;
    this.skipped = skipped;
    this.tenants = tenants;
  }

  Future<WindowLogs> get(GetWindowLog query) {
    return logs.window(query.windowId(), query.tenantId()).compose(frozen -> !frozen.logs().isEmpty()
        ? Future.succeededFuture(new WindowLogs(frozen.logs(), frozen.complete()))
        : assemble(query.windowId(), null, null, query.tenantId(), List.of(), null, query.exemptions())
            .map(WindowLogs::new));
  }

  /**
   * Freezes a window's records, before its End commits: every tenant's for the platform's window,
   * the one tenant's for its own. Incomplete until {@link #complete}.
   */
  Future<WindowLogs> close(CloseWindow command) {
    Future<List<Long>> everyTenant = command.tenantId() != null ? Future.succeededFuture(List.of())
        : tenants.get().map(TenantIds::ids);
    return everyTenant.compose(ids -> assemble(command.windowId(), command.from(), command.to(), command.tenantId(),
            ids, command.facts(), exemptions(command.facts())))
        .compose(all -> logs.save(all, false).map(saved -> new WindowLogs(all)));
  }

  /**
   * Freezes a window's records again after its End committed (decision 128): what they froze at
   * close, with the stops, kills and skips tagged with the window since (a fire skipped while End
   * was being stored) and each job's state now, the end as stored with the window. It only adds: a
   * job the window stopped stays in its record after retention deleted the row, or after a later
   * window tagged the job as its own. A window without records is left alone.
   */
  Future<WindowLogs> complete(CompleteWindow command) {
    return logs.window(command.windowId(), null).compose(frozen -> {
      if (frozen.logs().isEmpty()) {
        return Future.succeededFuture(new WindowLogs(List.of()));
      }
      TenantWindowLog first = frozen.logs().get(0);
      // a tenant's own window has that tenant's record only: its jobs and fires are the tenant's
      return assemble(command.windowId(), first.startedAt(), first.endedAt(), null, List.of(), first.facts(),
              exemptions(first.facts()))
          .map(fresh -> merged(frozen.logs(), fresh, command.endedAt(), command.endedBy()))
          .compose(all -> logs.save(all, true).map(saved -> new WindowLogs(all)));
    });
  }

  /** Each frozen record with what {@code fresh} adds to it; the end, as stored with the window. */
  static List<TenantWindowLog> merged(List<TenantWindowLog> frozen, List<TenantWindowLog> fresh, Instant endedAt,
      String endedBy) {
    Map<Long, TenantWindowLog> now = new TreeMap<>();
    fresh.forEach(log -> now.put(log.tenantId(), log));
    Map<Long, TenantWindowLog> result = new TreeMap<>();
    for (TenantWindowLog kept : frozen) {
      TenantWindowLog added = now.remove(kept.tenantId());
      result.put(kept.tenantId(), added == null ? ended(kept, endedAt, endedBy) : merged(kept, added, endedAt, endedBy));
    }
    now.values().forEach(log -> result.put(log.tenantId(), ended(log, endedAt, endedBy)));
    return List.copyOf(result.values());
  }

  private static TenantWindowLog merged(TenantWindowLog kept, TenantWindowLog added, Instant endedAt, String endedBy) {
    TreeSet<Long> stopped = new TreeSet<>(kept.stoppedJobs());
    stopped.addAll(added.stoppedJobs());
    TreeSet<Long> killed = new TreeSet<>(kept.killedJobs());
    killed.addAll(added.killedJobs());
    // a job's entry as it is now where the window still has it; as frozen where it does not
    Map<Long, JobOutcome> jobs = new TreeMap<>();
    kept.jobs().forEach(job -> jobs.put(job.jobId(), job));
    added.jobs().forEach(job -> jobs.put(job.jobId(), job));
    Map<String, SkippedTrigger> skipped = new java.util.LinkedHashMap<>();
    kept.skippedTriggers().forEach(fire -> skipped.putIfAbsent(fire.scheduleId() + "@" + fire.plannedAt(), fire));
    added.skippedTriggers().forEach(fire -> skipped.putIfAbsent(fire.scheduleId() + "@" + fire.plannedAt(), fire));
    List<SkippedTrigger> fires = new ArrayList<>(skipped.values());
    fires.sort(java.util.Comparator.comparing(SkippedTrigger::plannedAt).thenComparingLong(SkippedTrigger::scheduleId));
    return ended(new TenantWindowLog(kept.windowId(), kept.tenantId(), kept.startedAt(), kept.endedAt(), kept.closedAt(),
        List.copyOf(stopped), List.copyOf(killed), List.copyOf(fires), List.copyOf(jobs.values()), kept.facts()),
        endedAt, endedBy);
  }

  /**
   * The record with the window's end as stored with it: another node's End that lost the
   * compare-and-set may have frozen the records last, with its own moment and name.
   */
  private static TenantWindowLog ended(TenantWindowLog log, Instant endedAt, String endedBy) {
    if (endedAt == null) {
      return log;
    }
    WindowFacts facts = log.facts();
    if (facts != null && facts.timeline() != null) {
      List<PhaseStep> timeline = new ArrayList<>(facts.timeline());
      if (!timeline.isEmpty() && MaintenancePhase.None.name().equals(timeline.get(timeline.size() - 1).phase())) {
        timeline.remove(timeline.size() - 1);
      }
      timeline.add(new PhaseStep(MaintenancePhase.None.name(), endedAt, endedBy));
      facts = new WindowFacts(facts.reason(), facts.startedBy(), facts.killAfter(), facts.killDeadlineAt(),
          List.copyOf(timeline), facts.exemptions());
    }
    return new TenantWindowLog(log.windowId(), log.tenantId(), log.startedAt(), endedAt, log.closedAt(),
        log.stoppedJobs(), log.killedJobs(), log.skippedTriggers(), log.jobs(), facts);
  }

  Future<IncompleteWindows> incomplete(ListIncomplete query) {
    return logs.incomplete(Math.max(1, Math.min(query.limit(), 1_000))).map(IncompleteWindows::new);
  }

  private static List<Exemption> exemptions(WindowFacts facts) {
    return facts == null || facts.exemptions() == null ? List.of() : facts.exemptions();
  }

  Future<History> history(ListHistory query) {
    return query.caller().administeredTenant(query.tenantId(), "maintenance logs are read by administrators",
            "a tenant administrator reads the maintenance logs of their own tenant only")
        // the host administrator without a tenant: every window, each with its tenants' records
        .compose(tenantId -> tenantId == null ? logs.windows(query.page()) : logs.history(tenantId, query.page()));
  }

  /**
   * One record per tenant with jobs or fires in the window, and one for each of {@code tenantIds}
   * (also those the window did not touch); the jobs that ran through the window as exempt are
   * listed as {@code Exempt}, with the reason {@code exempt} gives for their process.
   */
  private Future<List<TenantWindowLog>> assemble(long windowId, Instant from, Instant to, Long tenantId,
      List<Long> tenantIds, WindowFacts facts, List<Exemption> exempt) {
    return Future.all(windowJobs.apply(new ListWindowJobs(windowId, tenantId, exempt)),
            skipped.apply(new ListSkipped(windowId, tenantId)))
        .map(all -> {
          Map<Long, Builder> byTenant = new TreeMap<>();
          tenantIds.forEach(id -> byTenant.computeIfAbsent(id, Builder::new));
          if (tenantId != null) {
            byTenant.computeIfAbsent(tenantId, Builder::new);
          }
          for (WindowJob job : all.<WindowJobs>resultAt(0).items()) {
            Builder builder = byTenant.computeIfAbsent(job.tenantId(), Builder::new);
            if (job.exemptReason() != null) {
              builder.jobs.add(new JobOutcome(job.jobId(), job.processName(), JobOutcome.EXEMPT, job.state(),
                  job.exemptReason()));
              continue;
            }
            if (job.stopped()) {
              builder.stopped.add(job.jobId());
            }
            if (job.killed()) {
              builder.killed.add(job.jobId());
            }
            builder.jobs.add(new JobOutcome(job.jobId(), job.processName(), outcome(job), job.state()));
          }
          for (TenantFire fire : all.<TenantFires>resultAt(1).items()) {
            byTenant.computeIfAbsent(fire.tenantId(), Builder::new).skipped
                .add(new SkippedTrigger(fire.scheduleId(), fire.scheduleName(), fire.plannedAt()));
          }
          List<TenantWindowLog> result = new ArrayList<>(byTenant.size());
          byTenant.values().forEach(b -> result.add(new TenantWindowLog(windowId, b.tenantId, from, to, null,
              List.copyOf(b.stopped), List.copyOf(b.killed), List.copyOf(b.skipped), List.copyOf(b.jobs), facts)));
          return result;
        });
  }

  /**
   * What became of a job the window stopped or killed. The stoppedJobs and killedJobs lists keep
   * UiPath's meaning (a job killed after ignoring its Stop is in both); this says which it was.
   */
  static String outcome(WindowJob job) {
    JobState state = job.state() == null ? null : JobState.parse(job.state());
    if (state == null || !state.isFinal()) {
      return "NotEnded";
    }
    if (job.killed()) {
      return "Killed";
    }
    return state == JobState.Stopped ? "Stopped" : "FinishedOnItsOwn";
  }

  private static final class Builder {
    final long tenantId;
    final TreeSet<Long> stopped = new TreeSet<>();
    final TreeSet<Long> killed = new TreeSet<>();
    final List<SkippedTrigger> skipped = new ArrayList<>();
    final List<JobOutcome> jobs = new ArrayList<>();

    Builder(long tenantId) {
      this.tenantId = tenantId;
    }
  }
}
