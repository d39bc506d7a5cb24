package org.orchestrator.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.FailureCode;

/** Passwords: PBKDF2 with a salt of its own, on a bounded pool, with a decoy for unknown users. */
class PasswordHasherTest {

  private static Vertx vertx;
  private static PasswordHasher hasher;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    hasher = new PasswordHasher(vertx, 1_000, 1, 4);
  }

  @AfterAll
  static void stop() {
    hasher.close().await();
    vertx.close().await();
  }

  @Test
  void aHashVerifiesItsPasswordAndNoOther() {
    String stored = hasher.hash("correct horse battery staple").await();
    assertTrue(stored.startsWith("$pbkdf2$"), stored);
    assertTrue(stored.contains("it=1000"), "the cost is stored with the hash: " + stored);
    assertTrue(hasher.verify(stored, "correct horse battery staple").await());
    assertFalse(hasher.verify(stored, "correct horse battery stapl").await());
    assertFalse(hasher.verify(stored, "").await());
  }

  @Test
  void theSamePasswordHashesDifferentlyEachTime() {
    assertNotEquals(hasher.hash("same").await(), hasher.hash("same").await(), "each hash has its own salt");
  }

  @Test
  void anUnknownUserNeverMatchesEvenWithTheDecoysPassword() {
    assertFalse(hasher.verify(null, "anything").await());
    assertFalse(hasher.verify(null, "").await());
  }

  @Test
  void beyondItsBoundTheHasherRefusesAtOnceAndRecovers() {
    // production cost (about 0.1-0.2 s a hash here), one thread, 4 running or waiting at most: 40
    // asked at once, only the first few can be taken before the rest are refused. The bound is
    // loose (30 of the 36 beyond it) so that a test thread descheduled for a while on a loaded
    // machine, letting hashes finish and permits return meanwhile, does not fail it
    PasswordHasher costly = new PasswordHasher(vertx, 210_000, 1, 4);
    try {
      List<Future<String>> burst = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        burst.add(costly.hash("flood-" + i));
      }
      Future.join(burst).otherwiseEmpty().await();
      long refused = burst.stream().filter(Future::failed).count();
      assertTrue(refused >= 30 && refused <= 36, "4 running or waiting at most; refused " + refused);
      burst.stream().filter(Future::failed).forEach(failed -> {
        Failure failure = (Failure) failed.cause();
        assertEquals(FailureCode.UNAVAILABLE, failure.code());
      });
      assertEquals(0, costly.pending(), "every permit returned");
      assertTrue(costly.verify(costly.hash("after").await(), "after").await(), "served again after the burst");
    } finally {
      costly.close().await();
    }
  }

  @Test
  void tooFewIterationsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new PasswordHasher(vertx, 999, 1, 1));
  }
}
