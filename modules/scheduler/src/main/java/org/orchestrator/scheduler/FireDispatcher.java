package org.orchestrator.scheduler;

import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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
import org.orchestrator.scheduler.ScheduleRepository.PendingFire;
import org.orchestrator.scheduler.ScheduleRepository.Settlement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One scheduler tick: claim the due schedules in batches of {@link #BATCH}, and settle each batch's
 * fires inside its claim: one bus request asks job control for all its jobs (or, in maintenance,
 * the fires are Skipped, tagged with the window: never run, except once by {@link CatchUps} for a
 * RunOnce schedule after the window), then the
 * fires are recorded with their outcome and the schedules moved on, in the claim's transaction.
 * A claim that fails or dies before its commit leaves its schedules due; the next claim asks again
 * and job control answers with the jobs it created the first time (one job per schedule and planned
 * time), so a fire never runs twice. Until the phase is known, nothing fires.
 *
 * <p>{@link #WORKERS} claims run at once (they lock different schedules), each with at most one
 * batch, so memory stays bounded however many fires are due.
 */
final class FireDispatcher {

  private static final Logger LOG = LoggerFactory.getLogger(FireDispatcher.class);
  static final String MAINTENANCE_REASON = "Maintenance";
  static final int BATCH = CreateScheduledJobs.MAX;
  /** Concurrent claims: each holds a connection while job control (another) creates its jobs. */
  static final int WORKERS = 2;
  /** A fire an earlier version left Pending this long ago is settled now. */
  static final int STRAGGLER_SECONDS = 5;
  private static final int PARSED_CRON_CACHE = 1_024;

  private final ScheduleRepository schedules;
  private final Function<CreateScheduledJobs, Future<ScheduledJobs>> createJobs;
  private final Clock clock;
  private final Supplier<PhaseSnapshot> phase;
  private final SchedulerMetrics metrics;
  private final CatchUps catchUps;
  private final Map<String, CronSchedule> parsed = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, CronSchedule> eldest) {
      return size() > PARSED_CRON_CACHE;
    }
  };
  private boolean running;
  /**
   * The fire after an instant, per cron expression, time zone and instant, for the tick at
   * {@link #nextFor} (cleared each tick, so bounded by one tick's fires): thousands of schedules
   * usually share a few expressions and the same due time, and each computation costs cron-utils
   * tens of microseconds.
   */
  private final Map<String, Optional<Instant>> nextByCron = new HashMap<>();
  private Instant nextFor;
  private final java.time.Duration misfireThreshold;

  FireDispatcher(ScheduleRepository schedules, Function<CreateScheduledJobs, Future<ScheduledJobs>> createJobs,
      Clock clock, Supplier<PhaseSnapshot> phase, SchedulerMetrics metrics, CatchUps catchUps,
      java.time.Duration misfireThreshold) {
    this.misfireThreshold = misfireThreshold;
    this.metrics = metrics;
    this.catchUps = catchUps;
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
    List<Future<Void>> workers = new ArrayList<>(WORKERS);
    for (int i = 0; i < WORKERS; i++) {
      workers.add(claimUntilDone(now));
    }
    return Future.all(workers)
        .compose(claimed -> schedules.stragglers(STRAGGLER_SECONDS, BATCH))
        .compose(this::settleStragglers)
        .compose(settled -> catchUps.tick(snapshot, now))
        .onComplete(done -> running = false);
  }

  /** Claims batch after batch until a claim finds fewer than a full batch due. */
  private Future<Void> claimUntilDone(Instant now) {
    return schedules.claimDue(now, schedule -> due(schedule, now), BATCH, this::decide)
        .compose(settled -> {
          skipped(settled);
          return settled.size() < BATCH ? Future.succeededFuture() : claimUntilDone(now);
        });
  }

  /**
   * The fires of a claimed schedule due at {@code now}: its next fire and every later one up to
   * {@code now}, each to run (or be skipped in maintenance) once, so that a tick a few seconds late
   * loses none of an every-second schedule's fires. A schedule behind by more than the misfire
   * threshold (no node ran the scheduler) runs its first missed fire once, as before, and the fires
   * from its second up to the threshold are one Missed record; those within the threshold run.
   */
  private DueFires due(Schedule schedule, Instant now) {
    Instant first = schedule.nextFireAt();
    Instant cutoff = now.minus(misfireThreshold);
    List<Instant> run = new ArrayList<>();
    run.add(first);
    Optional<Instant> next = nextAfter(schedule, first, now);
    Instant missedFrom = null;
    if (first.isBefore(cutoff) && next.isPresent() && !next.get().isAfter(cutoff)) {
      missedFrom = next.get();
      next = nextAfter(schedule, cutoff, now);
    }
    while (next.isPresent() && !next.get().isAfter(now)) {
      run.add(next.get());
      next = nextAfter(schedule, next.get(), now);
    }
    return new DueFires(run, missedFrom, missedFrom == null ? null : cutoff, next.orElse(null));
  }

  /** The first fire of {@code schedule} strictly after {@code instant}, memoized for the tick at {@code now}. */
  private Optional<Instant> nextAfter(Schedule schedule, Instant instant, Instant now) {
    if (!now.equals(nextFor)) {
      nextByCron.clear();
      nextFor = now;
    }
    String cron = schedule.cron() + '\u0000' + schedule.timeZone();
    return nextByCron.computeIfAbsent(cron + '\u0000' + instant, k -> parsed.computeIfAbsent(cron,
        parse -> CronSchedule.parse(schedule.cron(), schedule.timeZone())).nextAfter(instant));
  }

  /**
   * What a claim does with one schedule: the fires to run, in order; the range of fires missed while
   * no node ran the scheduler ({@code missedFrom} to {@code missedUntil}, null when none), recorded
   * as one Skipped fire; the next fire after them (null: never again).
   */
  record DueFires(List<Instant> run, Instant missedFrom, Instant missedUntil, Instant next) {
  }

  private void skipped(List<Settlement> settled) {
    Map<Long, Integer> byTenant = new LinkedHashMap<>();
    settled.stream().filter(fire -> fire.outcome() == FireOutcome.Skipped && MAINTENANCE_REASON.equals(fire.reason()))
        .forEach(fire -> byTenant.merge(fire.tenantId(), 1, Integer::sum));
    byTenant.forEach((tenantId, count) -> metrics.skipped(tenantId).increment(count));
  }

  /**
   * What becomes of a batch of fires: Skipped in maintenance (as job control answers, deciding on the
   * committed phase), else the jobs job control creates in one request. Fails (and the claim with
   * it) when job control does not answer.
   */
  private Future<List<Settlement>> decide(List<PendingFire> fires) {
    // Whether a fire is skipped is decided on the committed phase, by job control's start fence,
    // never on this node's copy of it: a copy that has not heard of End yet would skip (and lose)
    // the fires due after it
    List<Settlement> settled = new ArrayList<>(fires.size());
    List<PendingFire> asked = new ArrayList<>(fires.size());
    List<CreateScheduledJob> requests = new ArrayList<>(fires.size());
    for (PendingFire fire : fires) {
      if (fire.processName() == null) {
        settled.add(new Settlement(fire.scheduleId(), fire.tenantId(), fire.plannedAt(), FireOutcome.Failed, null,
            "schedule deleted", null));
      } else {
        asked.add(fire);
        requests.add(new CreateScheduledJob(fire.tenantId(), fire.scheduleId(), fire.processName(), fire.robotId(),
            fire.plannedAt()));
      }
    }
    if (requests.isEmpty()) {
      return Future.succeededFuture(settled);
    }
    Map<String, Long> tenantOf = new HashMap<>(asked.size() * 2);
    asked.forEach(fire -> tenantOf.put(fire.scheduleId() + "@" + fire.plannedAt(), fire.tenantId()));
    return createJobs.apply(new CreateScheduledJobs(requests))
        .map(answer -> {
          for (ScheduledJob job : answer.items()) {
            long tenantId = tenantOf.get(job.scheduleId() + "@" + job.plannedAt());
            if (job.jobId() != null) {
              settled.add(new Settlement(job.scheduleId(), tenantId, job.plannedAt(), FireOutcome.Created, job.jobId(),
                  null, null));
            } else if (ScheduledJob.MAINTENANCE.equals(job.refusal())) {
              // a window opened meanwhile: job control, deciding on the committed phase, saw it first.
              // The skip belongs to that window; until this node knows which it is, the claim fails
              // and the fires stay due for the next tick (milliseconds later, this node knows)
              PhaseSnapshot now = phase.get();
              Long windowId = now == null ? null : now.windowOf(tenantId);
              if (windowId == null) {
                throw new Failure(FailureCode.MAINTENANCE, "a maintenance window opened that this node has not "
                    + "loaded yet");
              }
              settled.add(new Settlement(job.scheduleId(), tenantId, job.plannedAt(), FireOutcome.Skipped, null,
                  MAINTENANCE_REASON, windowId));
            } else {
              settled.add(new Settlement(job.scheduleId(), tenantId, job.plannedAt(), FireOutcome.Failed, null,
                  job.refusal(), null));
            }
          }
          return settled;
        })
        .recover(failure -> {
          PhaseSnapshot now = phase.get();
          if (failure instanceof Failure f && f.code() == FailureCode.MAINTENANCE && now != null
              && now.phase().inMaintenance()) {
            settled.addAll(skip(asked, now.windowId()));
            return Future.succeededFuture(settled);
          }
          if (failure instanceof Failure f && f.code() == FailureCode.MAINTENANCE) {
            LOG.info("{} due fires wait for this node to load the window that refused them", asked.size());
            return Future.failedFuture(failure);
          }
          if (failure instanceof Failure f && f.code().httpStatus() < 500) {
            asked.forEach(fire -> settled.add(new Settlement(fire.scheduleId(), fire.tenantId(), fire.plannedAt(),
                FireOutcome.Failed, null, f.getMessage(), null)));
            return Future.succeededFuture(settled);
          }
          LOG.warn("{} due fires not dispatched yet (asked again next tick): {}", asked.size(), failure.getMessage());
          return Future.failedFuture(failure);
        });
  }

  private static List<Settlement> skip(List<PendingFire> fires, Long windowId) {
    return fires.stream().map(fire -> new Settlement(fire.scheduleId(), fire.tenantId(), fire.plannedAt(),
        FireOutcome.Skipped, null, MAINTENANCE_REASON, windowId)).toList();
  }

  /** Fires an earlier version left Pending: decided the same way, settled in one statement. */
  private Future<Void> settleStragglers(List<PendingFire> fires) {
    if (fires.isEmpty()) {
      return Future.succeededFuture();
    }
    return decide(fires)
        .compose(settled -> schedules.settle(settled).onSuccess(done -> skipped(settled)))
        .recover(failure -> {
          LOG.warn("{} pending fires not settled yet: {}", fires.size(), failure.getMessage());
          return Future.succeededFuture();
        });
  }
}
