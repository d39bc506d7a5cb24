package org.orchestrator.identity;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.ext.auth.hashing.HashingStrategy;
import java.security.SecureRandom;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.Callable;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.FailureCode;

/**
 * PBKDF2-HMAC-SHA512 password hashes (vertx-auth's {@code pbkdf2}), stored in the PHC-like string
 * form {@code $pbkdf2$it=N$salt$hash}. Hashing is slow on purpose (0.1-0.2 s of one core at
 * 210,000 iterations), so it runs on its own small worker pool, never on the shared one, with a cap
 * on the work waiting for it: beyond {@link #maxPending} a request fails at once with 503
 * {@code UNAVAILABLE} (the HTTP layer adds {@code Retry-After}) instead of queueing behind a flood
 * of wrong passwords while health checks and robots wait.
 *
 * <p>Known clients (a sign-in from an address its account signed in from before, as the HTTP edge
 * marks it, and the hashes an administrator asks for) have a share of their own: other work may
 * hold at most {@code maxPending - reserved} of the places, and known work is handed to the pool
 * before any other that waits. So a flood of wrong passwords from elsewhere, however spread over
 * addresses and user names, neither refuses a known client nor makes it wait for more than the
 * hashes already running.
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
  private final int threads;
  private final int maxPending;
  private final int reserved;
  /** Guarded by {@code this}: the work waiting for a thread, known first, and what runs or waits. */
  private final ArrayDeque<Runnable> knownQueue = new ArrayDeque<>();
  private final ArrayDeque<Runnable> otherQueue = new ArrayDeque<>();
  private int running;
  private int pendingKnown;
  private int pendingOther;

  /**
   * A pool that keeps a quarter of its places (rounded down) for known clients.
   *
   * @param threads hashing threads (leave cores for the event loops)
   * @param maxPending hashes running or waiting at most; more are refused at once
   */
  public PasswordHasher(Vertx vertx, int iterations, int threads, int maxPending) {
    this(vertx, iterations, threads, maxPending, maxPending / 4);
  }

  /**
   * @param threads hashing threads (leave cores for the event loops)
   * @param maxPending hashes running or waiting at most; more are refused at once
   * @param reserved of those, the places only known clients may take
   */
  public PasswordHasher(Vertx vertx, int iterations, int threads, int maxPending, int reserved) {
    if (iterations < 1_000) {
      throw new IllegalArgumentException("PBKDF2 needs at least 1000 iterations, got " + iterations);
    }
    if (reserved < 0 || reserved >= maxPending) {
      throw new IllegalArgumentException("reserved places must be fewer than maxPending, got " + reserved);
    }
    this.parameters = Map.of("it", Integer.toString(iterations));
    this.executor = vertx.createSharedWorkerExecutor("password-hashing", threads);
    this.threads = threads;
    this.maxPending = maxPending;
    this.reserved = reserved;
    this.decoy = executor.executeBlocking(() -> hashNow("decoy-" + RANDOM.nextLong()), false);
  }

  /**
   * One thread per two cores (at least one), eight hashes running or waiting per thread: about a
   * second of queue at production cost, twice what one address may hold (SignInThrottle); a quarter
   * of the places (at least two) kept for known clients.
   */
  public static PasswordHasher sized(Vertx vertx, int iterations) {
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    int maxPending = 8 * threads;
    return new PasswordHasher(vertx, iterations, threads, maxPending, Math.max(2, maxPending / 4));
  }

  /** Hashes a new password: an administrator's request, a known client's. */
  public Future<String> hash(String password) {
    return bounded(() -> hashNow(password), true);
  }

  /** Checks {@code password} against {@code storedHash}; a {@code null} hash never matches. */
  public Future<Boolean> verify(String storedHash, String password) {
    return verify(storedHash, password, false);
  }

  /**
   * Checks {@code password} against {@code storedHash} ({@code null} never matches), from a known
   * client ({@code known}) or not.
   */
  public Future<Boolean> verify(String storedHash, String password, boolean known) {
    if (storedHash != null) {
      return bounded(() -> STRATEGY.verify(storedHash, password), known);
    }
    return decoy.compose(hash -> bounded(() -> {
      STRATEGY.verify(hash, password); // the cost of a real check, and never a match
      return false;
    }, known));
  }

  /** Hashes running or waiting now. */
  public synchronized int pending() {
    return pendingKnown + pendingOther;
  }

  public Future<Void> close() {
    return executor.close();
  }

  /** Runs {@code work} on the pool within the places of known clients or of the others (package-private for tests). */
  <T> Future<T> bounded(Callable<T> work, boolean known) {
    Promise<T> result = Promise.promise();
    synchronized (this) {
      int pending = pendingKnown + pendingOther;
      if (pending >= maxPending || (!known && pendingOther >= maxPending - reserved)) {
        return Future.failedFuture(new Failure(FailureCode.UNAVAILABLE,
            "too many sign-ins at once; retry in a second"));
      }
      Runnable job = () -> executor.executeBlocking(work, false).onComplete(done -> {
        synchronized (this) {
          running--;
          if (known) {
            pendingKnown--;
          } else {
            pendingOther--;
          }
        }
        pump();
        result.handle(done);
      });
      if (known) {
        pendingKnown++;
        knownQueue.add(job);
      } else {
        pendingOther++;
        otherQueue.add(job);
      }
    }
    pump();
    return result.future();
  }

  /** Hands waiting work to idle threads, known work first; the pool itself never queues. */
  private void pump() {
    while (true) {
      Runnable next;
      synchronized (this) {
        if (running >= threads) {
          return;
        }
        next = knownQueue.poll();
        if (next == null) {
          next = otherQueue.poll();
        }
        if (next == null) {
          return;
        }
        running++;
      }
      next.run();
    }
  }

  private String hashNow(String password) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    return STRATEGY.hash("pbkdf2", parameters, Base64.getEncoder().withoutPadding().encodeToString(salt),
        password);
  }
}
