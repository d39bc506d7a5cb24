package org.orchestrator.jobs;

import java.util.function.LongSupplier;

/**
 * The pace at which this node hands out new work: a token bucket of {@code perSecond} tokens a
 * second holding at most {@code burst}. A heartbeat that may be handed a job takes a token first;
 * without one it is answered without a new job (the robot takes one at a later heartbeat), and a
 * token taken for a heartbeat that found no job is given back, so that idle robots do not use up
 * the pace of the ones that have work.
 *
 * <p>Why: after End every robot comes back within its {@code Retry-After} and would be handed a job
 * and report it Running at once; the pace turns that wave into a slope (decision 117). It holds for
 * every kind of new work alike: jobs created by people, schedule fires, and the catch-up jobs of
 * {@code RunOnce} schedules. Per node: a cluster of N nodes hands out up to N times the pace.
 *
 * <p>Thread-safe (the jobs verticle may run on several event loops); the clock is injected.
 */
final class StartPacer {

  private final double perNano;
  private final double burst;
  private final LongSupplier nanoTime;
  private double tokens;
  private long refilledAt;
  private long deferred;

  /** @param perSecond 0 (or less) means no pace: every heartbeat may be handed a job */
  StartPacer(double perSecond, int burst, LongSupplier nanoTime) {
    this.perNano = perSecond / 1e9;
    this.burst = Math.max(1, burst);
    this.nanoTime = nanoTime;
    this.tokens = this.burst;
    this.refilledAt = nanoTime.getAsLong();
  }

  boolean paced() {
    return perNano > 0;
  }

  /** Takes a token if one is there; false: this heartbeat hands out nothing new. */
  synchronized boolean tryTake() {
    if (!paced()) {
      return true;
    }
    long now = nanoTime.getAsLong();
    tokens = Math.min(burst, tokens + (now - refilledAt) * perNano);
    refilledAt = now;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    deferred++;
    return false;
  }

  /** Gives back a token taken for a heartbeat that found nothing to hand out. */
  synchronized void giveBack() {
    if (paced()) {
      tokens = Math.min(burst, tokens + 1);
    }
  }

  /** Heartbeats answered without a new job because the pace was spent, since the node started. */
  synchronized long deferred() {
    return deferred;
  }
}
