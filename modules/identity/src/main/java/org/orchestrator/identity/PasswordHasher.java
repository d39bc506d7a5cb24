package org.orchestrator.identity;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.ext.auth.hashing.HashingStrategy;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.FailureCode;

/**
 * PBKDF2-HMAC-SHA512 password hashes (vertx-auth's {@code pbkdf2}), stored in the PHC-like string
 * form {@code $pbkdf2$it=N$salt$hash}. Hashing is slow on purpose (0.1-0.2 s of one core at
 * 210,000 iterations), so it runs on its own small worker pool, never on the shared one, with a cap
 * on the work waiting for it: beyond {@link #maxPending} a request fails at once with 503
 * {@code UNAVAILABLE} (the HTTP layer adds {@code Retry-After}) instead of queueing behind a flood
 * of wrong passwords while health checks and robots wait.
 */
public final class PasswordHasher {

  private static final HashingStrategy STRATEGY = HashingStrategy.load();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Map<String, String> parameters;
  /**
   * Verified when the user is unknown, so that timing does not tell which user names exist; hashed
   * on the hashing pool when the hasher is made (a full-cost hash must not run on an event loop).
   */
  private final Future<String> decoy;
  private final WorkerExecutor executor;
  private final int maxPending;
  private final AtomicInteger pending = new AtomicInteger();

  /**
   * @param threads hashing threads (leave cores for the event loops)
   * @param maxPending hashes running or waiting at most; more are refused at once
   */
  public PasswordHasher(Vertx vertx, int iterations, int threads, int maxPending) {
    if (iterations < 1_000) {
      throw new IllegalArgumentException("PBKDF2 needs at least 1000 iterations, got " + iterations);
    }
    this.parameters = Map.of("it", Integer.toString(iterations));
    this.executor = vertx.createSharedWorkerExecutor("password-hashing", threads);
    this.maxPending = maxPending;
    this.decoy = executor.executeBlocking(() -> hashNow("decoy-" + RANDOM.nextLong()), false);
  }

  /**
   * One thread per two cores (at least one), eight hashes running or waiting per thread: about a
   * second of queue at production cost, twice what one address may hold (SignInThrottle).
   */
  public static PasswordHasher sized(Vertx vertx, int iterations) {
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    return new PasswordHasher(vertx, iterations, threads, 8 * threads);
  }

  public Future<String> hash(String password) {
    return bounded(() -> hashNow(password));
  }

  /** Checks {@code password} against {@code storedHash}; a {@code null} hash never matches. */
  public Future<Boolean> verify(String storedHash, String password) {
    if (storedHash != null) {
      return bounded(() -> STRATEGY.verify(storedHash, password));
    }
    return decoy.compose(hash -> bounded(() -> {
      STRATEGY.verify(hash, password); // the cost of a real check, and never a match
      return false;
    }));
  }

  /** Hashes running or waiting now. */
  public int pending() {
    return pending.get();
  }

  public Future<Void> close() {
    return executor.close();
  }

  private <T> Future<T> bounded(Callable<T> work) {
    if (pending.incrementAndGet() > maxPending) {
      pending.decrementAndGet();
      return Future.failedFuture(new Failure(FailureCode.UNAVAILABLE,
          "too many sign-ins at once; retry in a second"));
    }
    return executor.executeBlocking(work, false).andThen(done -> pending.decrementAndGet());
  }

  private String hashNow(String password) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    return STRATEGY.hash("pbkdf2", parameters, Base64.getEncoder().withoutPadding().encodeToString(salt),
        password);
  }
}
