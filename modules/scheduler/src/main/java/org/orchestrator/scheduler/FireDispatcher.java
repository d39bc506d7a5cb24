package org.orchestrator.scheduler;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.FailureCode;
import org.orchestrator.contracts.jobs.JobMessages.CreateScheduledJob;
import org.orchestrator.contracts.jobs.JobMessages.CreateScheduledJobs;
import org.orchestrator.contracts.jobs.JobMessages.ScheduledJob;
import org.orchestrator.contracts.jobs.JobMessages.ScheduledJobs;
import org.orchestrator.contracts.phase.PhaseMessages.PhaseSnapshot;
import org.orchestrator.contracts.scheduler.ScheduleMessages.FireOutcome;
import org.orchestrator.contracts.scheduler.ScheduleMessages.Schedule;
import org.orchestrator.platform.metrics.Meters;
import org.orchestrator.scheduler.ScheduleRepository.PendingFire;
import org.orchestrator.scheduler.ScheduleRepository.Settlement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One scheduler tick: claim the due schedules in batches (recording each fire), and ask job control
 * for the jobs of each batch in one request. A fire is recorded before its job is asked for, and the
 * job is unique per (schedule, planned time), so a crash between the two steps leaves the fire
 * Pending; any node asks for its job again once it is {@link #STRAGGLER_SECONDS} old, and never
 * creates a second job. During maintenance due fires are recorded as Skipped, tagged with the
 * window, and never run (no catch-up after End). Until the phase is known, nothing fires.
 *
 * <p>Batches are pipelined: the next batch is claimed while job control creates the jobs of the
 * previous one, with at most two batches of {@link CreateScheduledJobs#MAX} fires in flight, so
 * memory stays bounded however many fires are due.
 */
final class FireDispatcher {

  private static final Logger LOG = LoggerFactory.getLogger(FireDispatcher.class);
  static final String MAINTENANCE_REASON = "Maintenance";
  static final int BATCH = CreateScheduledJobs.MAX;
  /** A Pending fire this old was left behind (its node died, or job control did not answer). */
  static final int STRAGGLER_SECONDS = 5;
  private static final int PARSED_CRON_CACHE = 1_024;

  private final ScheduleRepository schedules;
  private final Function<CreateScheduledJobs, Future<ScheduledJobs>> createJobs;
  private final Clock clock;
  private final Supplier<PhaseSnapshot> phase;
  private final MeterRegistry registry;
  private final Map<String, CronSchedule> parsed = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, CronSchedule> eldest) {
      return size() > PARSED_CRON_CACHE;
    }
  };
  private boolean running;

  FireDispatcher(ScheduleRepository schedules, Function<CreateScheduledJobs, Future<ScheduledJobs>> createJobs,
      Clock clock, Supplier<PhaseSnapshot> phase, MeterRegistry registry) {
    this.registry = registry;
    this.schedules = schedules;
    this.createJobs = createJobs;
    this.clock = clock;
    this.phase = phase;
  }

  /** Runs one tick unless the previous one is still running. */
  Future<Void> tick() {
    if (running) {
      return Future.succeededFuture();
    }
    PhaseSnapshot snapshot = phase.get();
    if (snapshot == null) {
      return Future.succeededFuture(); // phase unknown: decide nothing yet
    }
    running = true;
    Instant now = clock.instant();
    return rounds(now, snapshot, Future.succeededFuture())
        .compose(claimed -> schedules.stragglers(STRAGGLER_SECONDS, BATCH))
        .compose(this::dispatch)
        .onComplete(done -> running = false);
  }

  /**
   * Claims one batch and starts creating its jobs; while that runs, claims the next batch once the
   * batch before has been dispatched (two batches in flight at most).
   */
  private Future<Void> rounds(Instant now, PhaseSnapshot snapshot, Future<Void> previous) {
    boolean skip = snapshot.phase().inMaintenance();
    return schedules.claimDue(now, schedule -> nextAfter(schedule, now), skip ? FireOutcome.Skipped : FireOutcome.Pending,
            skip ? MAINTENANCE_REASON : null, skip ? snapshot.windowId() : null, BATCH)
        .compose(claimed -> {
          Future<Void> dispatched;
          if (skip) {
            skipped(claimed);
            dispatched = Future.succeededFuture();
          } else {
            dispatched = dispatch(claimed);
          }
          if (claimed.size() < BATCH) {
            return Future.all(previous, dispatched).mapEmpty();
          }
          return previous.compose(done -> rounds(now, snapshot, dispatched));
        });
  }

  private Optional<Instant> nextAfter(Schedule schedule, Instant now) {
    return parsed.computeIfAbsent(schedule.cron() + '\u0000' + schedule.timeZone(),
        key -> CronSchedule.parse(schedule.cron(), schedule.timeZone())).nextAfter(now);
  }

  private void skipped(List<PendingFire> fires) {
    Map<Long, Integer> byTenant = new LinkedHashMap<>();
    fires.forEach(fire -> byTenant.merge(fire.tenantId(), 1, Integer::sum));
    byTenant.forEach((tenantId, count) -> Counter.builder(Meters.TRIGGERS_SKIPPED)
        .description("schedule fires skipped for maintenance").tag("tenant", Long.toString(tenantId))
        .register(registry).increment(count));
  }

  /** Asks job control for the jobs of a batch in one request and settles every fire in one statement. */
  private Future<Void> dispatch(List<PendingFire> fires) {
    if (fires.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Settlement> settled = new ArrayList<>(fires.size());
    List<CreateScheduledJob> requests = new ArrayList<>(fires.size());
    for (PendingFire fire : fires) {
      if (fire.processName() == null) {
        settled.add(new Settlement(fire.scheduleId(), fire.plannedAt(), FireOutcome.Failed, null,
            "schedule deleted", null));
      } else {
        requests.add(new CreateScheduledJob(fire.tenantId(), fire.scheduleId(), fire.processName(), fire.robotId(),
            fire.plannedAt()));
      }
    }
    Future<Void> created = requests.isEmpty() ? Future.succeededFuture()
        : createJobs.apply(new CreateScheduledJobs(requests))
            .map(answer -> {
              for (ScheduledJob job : answer.items()) {
                settled.add(job.jobId() != null
                    ? new Settlement(job.scheduleId(), job.plannedAt(), FireOutcome.Created, job.jobId(), null, null)
                    : new Settlement(job.scheduleId(), job.plannedAt(), FireOutcome.Failed, null, job.refusal(),
                        null));
              }
              return (Void) null;
            })
            .recover(failure -> {
              if (failure instanceof Failure f && f.code() == FailureCode.MAINTENANCE) {
                PhaseSnapshot snapshot = phase.get();
                Long windowId = snapshot == null ? null : snapshot.windowId();
                requests.forEach(r -> settled.add(new Settlement(r.scheduleId(), r.plannedAt(), FireOutcome.Skipped,
                    null, MAINTENANCE_REASON, windowId)));
                skipped(fires.stream().filter(fire -> fire.processName() != null).toList());
                return Future.succeededFuture();
              }
              if (failure instanceof Failure f && f.code().httpStatus() < 500) {
                requests.forEach(r -> settled.add(new Settlement(r.scheduleId(), r.plannedAt(), FireOutcome.Failed,
                    null, f.getMessage(), null)));
                return Future.succeededFuture();
              }
              LOG.warn("{} fires not dispatched yet (asked again in {} s): {}", requests.size(), STRAGGLER_SECONDS,
                  failure.getMessage());
              return Future.succeededFuture();
            });
    return created.compose(done -> schedules.settle(settled))
        .recover(failure -> {
          LOG.warn("{} fires not settled yet (asked again in {} s): {}", settled.size(), STRAGGLER_SECONDS,
              failure.getMessage());
          return Future.succeededFuture();
        });
  }
}
