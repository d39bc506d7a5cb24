package org.orchestrator.scheduler;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.FailureCode;
import org.orchestrator.contracts.jobs.JobMessages.CreateScheduledJob;
import org.orchestrator.contracts.jobs.JobMessages.CreateScheduledJobs;
import org.orchestrator.contracts.jobs.JobMessages.ScheduledJob;
import org.orchestrator.contracts.jobs.JobMessages.ScheduledJobs;
import org.orchestrator.contracts.phase.PhaseMessages.PhaseSnapshot;
import org.orchestrator.scheduler.CatchUpRepository.DueCatchUp;
import org.orchestrator.scheduler.CatchUpRepository.Settled;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The missed-fire policy RunOnce: after a window closes, each RunOnce schedule that skipped fires
 * in it gets exactly one job, the jobs of a window spread evenly over
 * {@code scheduler.catchUpSpreadSeconds} so that thousands of schedules do not start at once.
 *
 * <p>Planning happens when the phase changes (and once at start), for every window that skipped
 * fires, is closed and is not planned yet: it is written in one transaction per window, so a node
 * that dies before it leaves the window unplanned and the next node plans it. The catch-ups are
 * then claimed when due, like fires, and asked of job control under the key of the schedule's last
 * skipped fire, so a catch-up asked for twice makes one job. While the platform is in maintenance
 * they wait.
 */
final class CatchUps {

  private static final Logger LOG = LoggerFactory.getLogger(CatchUps.class);
  static final int BATCH = CreateScheduledJobs.MAX;

  private final CatchUpRepository catchUps;
  private final Function<CreateScheduledJobs, Future<ScheduledJobs>> createJobs;
  private final int spreadSeconds;
  private final SchedulerMetrics metrics;
  /** The phase version whose closed windows are planned (-1: none yet). */
  private long plannedAt = -1;

  CatchUps(CatchUpRepository catchUps, Function<CreateScheduledJobs, Future<ScheduledJobs>> createJobs,
      int spreadSeconds, SchedulerMetrics metrics) {
    this.catchUps = catchUps;
    this.createJobs = createJobs;
    this.spreadSeconds = spreadSeconds;
    this.metrics = metrics;
  }

  /** Plans what the last phase change closed, then runs the catch-ups due (not in maintenance). */
  Future<Void> tick(PhaseSnapshot phase, Instant now) {
    Future<Void> planned = phase.version() == plannedAt ? Future.succeededFuture() : plan(phase, now);
    // the catch-ups of tenants in a window of their own wait for its End
    return planned.compose(done -> phase.phase().inMaintenance() ? Future.succeededFuture()
        : claimUntilDone(now, List.copyOf(phase.tenants().keySet())));
  }

  private Future<Void> plan(PhaseSnapshot phase, Instant now) {
    return catchUps.unplanned(phase.openWindows()).compose(windows -> planEach(windows, 0, now))
        .onSuccess(done -> plannedAt = phase.version());
  }

  private Future<Void> planEach(List<Long> windows, int index, Instant now) {
    if (index == windows.size()) {
      return Future.succeededFuture();
    }
    long window = windows.get(index);
    return catchUps.plan(window, now, spreadSeconds)
        .onSuccess(owed -> LOG.info("window {}: {} RunOnce schedules get their catch-up job within {} s", window,
            owed, spreadSeconds))
        .compose(owed -> planEach(windows, index + 1, now));
  }

  private Future<Void> claimUntilDone(Instant now, List<Long> waiting) {
    return catchUps.claimDue(now, BATCH, waiting, this::decide).compose(settled -> {
      counted(settled);
      return settled.size() < BATCH ? Future.succeededFuture() : claimUntilDone(now, waiting);
    });
  }

  private void counted(List<Settled> settled) {
    Map<Long, Integer> byTenant = new HashMap<>();
    settled.stream().filter(done -> done.jobId() != null).forEach(done -> byTenant.merge(done.tenantId(), 1,
        Integer::sum));
    byTenant.forEach((tenantId, count) -> metrics.caughtUp(tenantId).increment(count));
  }

  /**
   * Asks job control for the catch-ups' jobs in one request. In maintenance (job control refuses)
   * the claim fails and they stay Pending; a schedule deleted or disabled since gets none.
   */
  private Future<List<Settled>> decide(List<DueCatchUp> due) {
    List<Settled> settled = new ArrayList<>(due.size());
    List<CreateScheduledJob> requests = new ArrayList<>(due.size());
    Map<String, DueCatchUp> byKey = new HashMap<>();
    for (DueCatchUp catchUp : due) {
      if (catchUp.processName() == null || !catchUp.enabled()) {
        settled.add(new Settled(catchUp.scheduleId(), catchUp.windowId(), catchUp.tenantId(), null,
            catchUp.processName() == null ? "schedule deleted" : "schedule disabled"));
      } else {
        requests.add(new CreateScheduledJob(catchUp.tenantId(), catchUp.scheduleId(), catchUp.processName(),
            catchUp.robotId(), catchUp.plannedAt()));
        byKey.put(catchUp.scheduleId() + "@" + catchUp.plannedAt(), catchUp);
      }
    }
    if (requests.isEmpty()) {
      return Future.succeededFuture(settled);
    }
    return createJobs.apply(new CreateScheduledJobs(requests)).map(answer -> {
      for (ScheduledJob job : answer.items()) {
        DueCatchUp catchUp = byKey.get(job.scheduleId() + "@" + job.plannedAt());
        if (ScheduledJob.MAINTENANCE.equals(job.refusal())) {
          continue; // its tenant's own window: it stays Pending until that window ends
        }
        settled.add(new Settled(catchUp.scheduleId(), catchUp.windowId(), catchUp.tenantId(), job.jobId(),
            job.jobId() == null ? job.refusal() : null));
      }
      return settled;
    }).recover(failure -> {
      if (failure instanceof Failure f && f.code() != FailureCode.MAINTENANCE && f.code().httpStatus() < 500) {
        requests.forEach(request -> settled.add(new Settled(request.scheduleId(),
            byKey.get(request.scheduleId() + "@" + request.plannedAt()).windowId(), request.tenantId(), null,
            f.getMessage())));
        return Future.succeededFuture(settled);
      }
      return Future.failedFuture(failure); // maintenance, or job control did not answer: asked again
    });
  }
}
