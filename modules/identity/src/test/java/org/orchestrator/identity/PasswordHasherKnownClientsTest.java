package org.orchestrator.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.FailureCode;

/**
 * The hashing pool's share for known clients (issue 30, item 6): work from elsewhere holds at most
 * {@code maxPending - reserved} places and is refused beyond them, a known client is admitted while
 * the others' share is full, and its work is handed to the pool before the others' that wait.
 * The work is a latch, not a hash, so the order is decided by the pool's rules alone.
 */
@Timeout(60)
class PasswordHasherKnownClientsTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void knownClientsKeepTheirPlacesAndGoFirst() throws Exception {
    PasswordHasher hasher = new PasswordHasher(vertx, 1_000, 1, 4, 1);
    CountDownLatch release = new CountDownLatch(1);
    List<String> finished = Collections.synchronizedList(new ArrayList<>());
    List<Future<String>> admitted = new ArrayList<>();
    // the others' share (3 of 4): one runs and blocks the only thread, two wait
    for (int i = 1; i <= 3; i++) {
      admitted.add(hasher.bounded(work("other-" + i, release, finished), false));
    }
    Future<String> refused = hasher.bounded(work("other-4", release, finished), false);
    assertTrue(refused.failed(), "beyond the others' share");
    assertEquals(FailureCode.UNAVAILABLE, ((Failure) refused.cause()).code());
    // a known client is admitted in the place kept for it, and is next once the thread is free
    admitted.add(hasher.bounded(work("known", release, finished), true));
    assertEquals(4, hasher.pending());
    Future<String> full = hasher.bounded(work("known-2", release, finished), true);
    assertTrue(full.failed(), "no place is left at all");
    release.countDown();
    Future.all(admitted).await();
    assertEquals(List.of("other-1", "known", "other-2", "other-3"), finished);
    assertEquals(0, hasher.pending());
  }

  private static java.util.concurrent.Callable<String> work(String name, CountDownLatch release, List<String> finished) {
    return () -> {
      assertTrue(release.await(30, TimeUnit.SECONDS));
      finished.add(name);
      return name;
    };
  }
}
