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
import org.orchestrator.contracts.tenantlog.TenantLogMessages.CloseWindow;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.CompleteWindow;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.IncompleteWindows;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.ListIncomplete;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.GetWindowLog;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.History;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.ListHistory;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.JobOutcome;
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
    return logs.window(query.windowId(), query.tenantId()).compose(frozen -> !frozen.isEmpty()
        ? Future.succeededFuture(new WindowLogs(frozen))
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
   * Freezes a window's records again after its End committed (decision 128): the same period,
   * tenants and facts as at close, with every stop, kill and skip that committed before End did
   * (a fire skipped while End was being stored is in them). A window without records is left alone.
   */
  Future<WindowLogs> complete(CompleteWindow command) {
    return logs.window(command.windowId(), null).compose(frozen -> {
      if (frozen.isEmpty()) {
        return Future.succeededFuture(new WindowLogs(List.of()));
      }
      TenantWindowLog first = frozen.get(0);
      List<Long> ids = frozen.stream().map(TenantWindowLog::tenantId).toList();
      // a tenant's own window has that tenant's record only: its jobs and fires are the tenant's
      return assemble(command.windowId(), first.startedAt(), first.endedAt(), null, ids, first.facts(),
              exemptions(first.facts()))
          .compose(all -> logs.save(all, true).map(saved -> new WindowLogs(all)));
    });
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
