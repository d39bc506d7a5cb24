package org.orchestrator.scheduler;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.FailureCode;
import org.orchestrator.contracts.jobs.JobMessages.CreateScheduledJob;
import org.orchestrator.contracts.jobs.JobMessages.Job;
import org.orchestrator.contracts.phase.PhaseMessages.PhaseSnapshot;
import org.orchestrator.contracts.scheduler.ScheduleMessages.FireOutcome;
import org.orchestrator.platform.metrics.Meters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One scheduler tick: claim the due schedules (recording each fire), then ask job control for the
 * job of every pending fire. A fire is recorded before its job is asked for, and the job is unique
 * per (schedule, planned time), so a crash between the two steps re-sends the request on the next
 * tick and never creates a second job. During maintenance due fires are recorded as Skipped, tagged
 * with the window, and never run (no catch-up after End). Until the phase is known, nothing fires.
 */
final class FireDispatcher {

  private static final Logger LOG = LoggerFactory.getLogger(FireDispatcher.class);
  static final String MAINTENANCE_REASON = "Maintenance";

  private final ScheduleRepository schedules;
  private final Function<CreateScheduledJob, Future<Job>> createJob;
  private final Clock clock;
  private final Supplier<PhaseSnapshot> phase;
  private final MeterRegistry registry;
  private boolean running;

  FireDispatcher(ScheduleRepository schedules, Function<CreateScheduledJob, Future<Job>> createJob, Clock clock,
      Supplier<PhaseSnapshot> phase, MeterRegistry registry) {
    this.registry = registry;
    this.schedules = schedules;
    this.createJob = createJob;
    this.clock = clock;
    this.phase = phase;
  }

  /** Runs one tick unless the previous one is still running. */
  Future<Void> tick() {
    if (running) {
      return Future.succeededFuture();
    }
    running = true;
    Instant now = clock.instant();
    PhaseSnapshot snapshot = phase.get();
    if (snapshot == null) {
      running = false;
      return Future.succeededFuture(); // phase unknown: decide nothing yet
    }
    boolean skip = snapshot.phase().inMaintenance();
    return schedules.claimDue(now,
            schedule -> CronSchedule.parse(schedule.cron(), schedule.timeZone()).nextAfter(now),
            skip ? FireOutcome.Skipped : FireOutcome.Pending, skip ? MAINTENANCE_REASON : null,
            skip ? snapshot.windowId() : null)
        .onSuccess(claimed -> claimed.stream().filter(fire -> fire.outcome() == FireOutcome.Skipped)
            .forEach(fire -> skipped(fire.tenantId())))
        .compose(claimed -> schedules.pending(500))
        .compose(this::dispatch)
        .onComplete(done -> running = false);
  }

  private void skipped(long tenantId) {
    Counter.builder(Meters.TRIGGERS_SKIPPED).description("schedule fires skipped for maintenance")
        .tag("tenant", Long.toString(tenantId)).register(registry).increment();
  }

  private Future<Void> dispatch(List<ScheduleRepository.PendingFire> fires) {
    Future<Void> chain = Future.succeededFuture();
    for (ScheduleRepository.PendingFire fire : fires) {
      chain = chain.compose(ignored -> dispatch(fire));
    }
    return chain;
  }

  private Future<Void> dispatch(ScheduleRepository.PendingFire fire) {
    if (fire.processName() == null) {
      return schedules.settle(fire.scheduleId(), fire.plannedAt(), FireOutcome.Failed, null, "schedule deleted", null);
    }
    return createJob.apply(new CreateScheduledJob(fire.tenantId(), fire.scheduleId(), fire.processName(),
            fire.robotId(), fire.plannedAt()))
        .compose(job -> schedules.settle(fire.scheduleId(), fire.plannedAt(), FireOutcome.Created, job.id(), null,
            null))
        .recover(failure -> {
          if (failure instanceof Failure f && f.code() == FailureCode.MAINTENANCE) {
            PhaseSnapshot snapshot = phase.get();
            skipped(fire.tenantId());
            return schedules.settle(fire.scheduleId(), fire.plannedAt(), FireOutcome.Skipped, null, MAINTENANCE_REASON,
                snapshot == null ? null : snapshot.windowId());
          }
          if (failure instanceof Failure f && f.code().httpStatus() < 500) {
            return schedules.settle(fire.scheduleId(), fire.plannedAt(), FireOutcome.Failed, null, f.getMessage(), null);
          }
          LOG.warn("fire of schedule {} at {} not dispatched yet: {}", fire.scheduleId(), fire.plannedAt(),
              failure.getMessage());
          return Future.succeededFuture();
        });
  }
}
