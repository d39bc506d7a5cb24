package org.orchestrator.phase;

import java.time.Duration;

/**
 * A drain estimate and what it rests on: {@code rate} (remaining jobs at the rate seen so far),
 * {@code deadline} (the kill deadline comes first), {@code drained} (nothing left), or, with
 * {@code seconds} null, why there is none yet.
 */
record DrainEstimate(Long seconds, String basis) {

  static final String NO_JOB_DRAINED_YET = "no job has ended yet";
  static final String KILL_SENT = "kill deadline passed: waiting for robots to report their killed jobs";
  static final String STALLED = "stalled: no job has ended for %d s";

  /**
   * @param remaining jobs still running; {@code drained} jobs of the window ended so far
   * @param elapsed time since the window opened; {@code deadlineLeft} time to the kill deadline
   *     (null without one; zero or negative once it passed)
   */
  static DrainEstimate of(long remaining, long drained, Duration elapsed, Duration deadlineLeft) {
    return of(remaining, drained, elapsed, deadlineLeft, null);
  }

  /**
   * As above; {@code stalledFor} (non-null once the drain is stalled) replaces a rate that would only
   * grow with each second nothing ends by "stalled" (the kill deadline, when there is one, still
   * bounds it).
   */
  static DrainEstimate of(long remaining, long drained, Duration elapsed, Duration deadlineLeft, Long stalledFor) {
    if (remaining == 0) {
      return new DrainEstimate(0L, "drained");
    }
    if (deadlineLeft != null && deadlineLeft.toMillis() <= 0) {
      return new DrainEstimate(null, KILL_SENT);
    }
    Long bound = deadlineLeft == null ? null : Math.max(1, (long) Math.ceil(deadlineLeft.toMillis() / 1000.0));
    if (stalledFor != null) {
      return bound != null ? new DrainEstimate(bound, "deadline") : new DrainEstimate(null, STALLED.formatted(stalledFor));
    }
    if (drained <= 0) {
      return bound == null ? new DrainEstimate(null, NO_JOB_DRAINED_YET) : new DrainEstimate(bound, "deadline");
    }
    long byRate = Math.max(1, Math.round((double) remaining * elapsed.toMillis() / 1000.0 / drained));
    return bound != null && bound <= byRate ? new DrainEstimate(bound, "deadline") : new DrainEstimate(byRate, "rate");
  }
}
