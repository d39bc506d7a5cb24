package org.orchestrator.phase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The drain estimate an operator reads: never beyond the kill deadline, never NaN, always with a basis. */
class DrainEstimateTest {

  private static final Duration NINETY = Duration.ofSeconds(90);

  @Test
  void aStuckDrainNeverPromisesMoreThanTheDeadlineLeaves() {
    // one of two jobs ended after 2 s; the other never does: the rate estimate climbs, the deadline caps it
    for (int elapsed = 2; elapsed < 90; elapsed += 4) {
      Duration left = NINETY.minusSeconds(elapsed);
      DrainEstimate estimate = DrainEstimate.of(1, 1, Duration.ofSeconds(elapsed), left);
      assertTrue(estimate.seconds() <= left.toSeconds(), elapsed + " s: " + estimate);
      assertEquals(Math.min(elapsed, left.toSeconds()), estimate.seconds(), elapsed + " s: " + estimate);
      assertEquals(elapsed < left.toSeconds() ? "rate" : "deadline", estimate.basis(), elapsed + " s");
    }
  }

  @Test
  void aStalledDrainSaysSoInsteadOfAGrowingRate() {
    // 4 of 24 jobs ignore their Stop: 20 ended in the first 10 s, nothing for 40 s since
    DrainEstimate rate = DrainEstimate.of(4, 20, Duration.ofSeconds(50), null);
    assertEquals("rate", rate.basis(), "the rate so far would promise " + rate.seconds() + " s");
    DrainEstimate stalled = DrainEstimate.of(4, 20, Duration.ofSeconds(50), null, 40L);
    assertNull(stalled.seconds());
    assertEquals("stalled: no job has ended for 40 s", stalled.basis());
    DrainEstimate bounded = DrainEstimate.of(4, 20, Duration.ofSeconds(50), Duration.ofSeconds(70), 40L);
    assertEquals(70L, bounded.seconds(), "the kill deadline still ends it");
    assertEquals("deadline", bounded.basis());
  }

  @Test
  void withoutAnEndedJobThereIsNoRate() {
    DrainEstimate none = DrainEstimate.of(5, 0, Duration.ofSeconds(10), null);
    assertNull(none.seconds());
    assertEquals(DrainEstimate.NO_JOB_DRAINED_YET, none.basis());
    DrainEstimate capped = DrainEstimate.of(5, 0, Duration.ofSeconds(10), Duration.ofMillis(80_500));
    assertEquals(81L, capped.seconds());
    assertEquals("deadline", capped.basis());
  }

  @Test
  void pastTheDeadlineTheKillIsAwaitedAndDrainedIsZero() {
    DrainEstimate late = DrainEstimate.of(2, 3, Duration.ofSeconds(95), Duration.ofSeconds(-5));
    assertNull(late.seconds());
    assertEquals(DrainEstimate.KILL_SENT, late.basis());
    assertEquals(0L, DrainEstimate.of(0, 3, Duration.ofSeconds(95), Duration.ofSeconds(-5)).seconds());
    assertEquals(0L, DrainEstimate.of(0, 0, Duration.ZERO, null).seconds());
  }

  @Test
  void theRateEstimateIsLinear() {
    DrainEstimate estimate = DrainEstimate.of(3, 1, Duration.ofSeconds(10), null);
    assertEquals(30L, estimate.seconds());
    assertEquals("rate", estimate.basis());
  }
}
