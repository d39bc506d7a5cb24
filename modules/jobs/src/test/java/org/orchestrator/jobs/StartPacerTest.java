package org.orchestrator.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The start pace on an injected clock: the burst, the refill, tokens given back, no pace at 0. */
class StartPacerTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  @Test
  void theBurstThenOneTokenPerIntervalAndNeverMoreThanTheBurst() {
    StartPacer pacer = new StartPacer(10, 3, now::get);   // 10 a second, 3 at once
    assertTrue(pacer.tryTake());
    assertTrue(pacer.tryTake());
    assertTrue(pacer.tryTake());
    assertFalse(pacer.tryTake(), "the burst is spent");
    now.addAndGet(99_000_000L);                          // 99 ms: not yet a whole token
    assertFalse(pacer.tryTake());
    now.addAndGet(1_000_000L);                           // 100 ms: one
    assertTrue(pacer.tryTake());
    assertFalse(pacer.tryTake());
    assertEquals(3, pacer.deferred());
    now.addAndGet(60_000_000_000L);                      // a minute idle: the bucket holds the burst only
    for (int i = 0; i < 3; i++) {
      assertTrue(pacer.tryTake());
    }
    assertFalse(pacer.tryTake());
  }

  @Test
  void aTokenGivenBackIsTheNextHeartbeatsButTheBucketNeverOverflows() {
    StartPacer pacer = new StartPacer(0.001, 1, now::get);
    assertTrue(pacer.tryTake());
    pacer.giveBack();                                     // that heartbeat found no job
    assertTrue(pacer.tryTake());
    assertFalse(pacer.tryTake());
    pacer.giveBack();
    pacer.giveBack();
    assertTrue(pacer.tryTake());
    assertFalse(pacer.tryTake(), "given back twice, still at most the burst");
  }

  @Test
  void noPaceAtZero() {
    StartPacer pacer = new StartPacer(0, 1, now::get);
    for (int i = 0; i < 10_000; i++) {
      assertTrue(pacer.tryTake());
    }
    assertEquals(0, pacer.deferred());
  }
}
