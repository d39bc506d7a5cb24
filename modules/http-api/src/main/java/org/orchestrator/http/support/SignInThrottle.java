package org.orchestrator.http.support;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.FailureCode;

/**
 * Slows password guessing down without letting anyone lock an account out, in the manner of
 * Keycloak's brute-force detection (temporary lockouts that grow with each failure) and OWASP's
 * advice against lockout as a denial of service. Three keys, each with its own free failures:
 * <ul>
 *   <li>a source address and an account together: {@value #PAIR_FREE} failures, then locked;</li>
 *   <li>an account from any address: {@value #ACCOUNT_FREE} failures, then locked, <b>except for
 *   addresses the account signed in from before</b>, so an attacker elsewhere cannot lock the host
 *   administrator out of their own machine;</li>
 *   <li>a source address over all accounts (password spraying): {@value #SOURCE_FREE} failures.</li>
 * </ul>
 * Each failure beyond the free ones locks its key for twice as long as the previous one, 1 s
 * first, {@value #MAX_LOCK_SECONDS} s at most; a success clears the pair and the account. A
 * locked attempt is answered 429 with {@code Retry-After} before any password is hashed, so it
 * costs nothing. Besides, one address may have {@value #MAX_IN_FLIGHT} sign-ins in progress at
 * once. An address an account signed in from is a <b>known client</b> of that account: its
 * attempts are marked so ({@code IssueToken.knownClient}), and identity's password hashing keeps
 * permits for them that a flood from elsewhere cannot take. Failures are forgotten {@value #FORGET_SECONDS} s after the last one; every map holds at
 * most {@value #MAX_ENTRIES} keys (least recently used dropped), so memory stays bounded whatever
 * the attacker varies. State is per node and in memory: a restart forgets it.
 */
public final class SignInThrottle {

  static final int PAIR_FREE = 5;
  static final int ACCOUNT_FREE = 20;
  static final int SOURCE_FREE = 100;
  static final int MAX_LOCK_SECONDS = 60;
  static final int FORGET_SECONDS = 900;
  static final int MAX_IN_FLIGHT = 4;
  static final int MAX_ENTRIES = 10_000;
  private static final long SECOND = 1_000_000_000L;

  /** Failures of one key and until when it is locked (nanoTime). */
  private static final class Failures {
    int count;
    long lockedUntil;
    long last;
  }

  private final LongSupplier nanoTime;
  private final Map<String, Failures> pairs = lru();
  private final Map<String, Failures> accounts = lru();
  private final Map<String, Failures> sources = lru();
  private final Map<String, Boolean> knownSources = lru();
  private final Map<String, Integer> inFlight = lru();

  public SignInThrottle() {
    this(System::nanoTime);
  }

  /** @param nanoTime the clock (tests move it) */
  public SignInThrottle(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /**
   * Whether {@code source} may try {@code account} now: 0 when it may (and the attempt is counted
   * as in flight until {@link #finished}), else the seconds to wait.
   */
  public synchronized long admit(String source, String account) {
    long now = nanoTime.getAsLong();
    long wait = Math.max(waitOf(pairs, source + '\n' + account, now), waitOf(sources, source, now));
    if (!knownSources.containsKey(account + '\n' + source)) {
      wait = Math.max(wait, waitOf(accounts, account, now));
    }
    if (wait > 0) {
      return wait;
    }
    int running = inFlight.getOrDefault(source, 0);
    if (running >= MAX_IN_FLIGHT) {
      return 1;
    }
    inFlight.put(source, running + 1);
    return 0;
  }

  /** Whether {@code account} signed in from {@code source} before (and this node still remembers it). */
  public synchronized boolean known(String source, String account) {
    return knownSources.containsKey(account + '\n' + source);
  }

  /** Records how an admitted attempt ended: {@code success} false for a wrong password. */
  public synchronized void finished(String source, String account, boolean success) {
    abandoned(source);
    long now = nanoTime.getAsLong();
    if (success) {
      pairs.remove(source + '\n' + account);
      accounts.remove(account);
      knownSources.put(account + '\n' + source, Boolean.TRUE);
      return;
    }
    fail(pairs, source + '\n' + account, PAIR_FREE, now);
    fail(accounts, account, ACCOUNT_FREE, now);
    fail(sources, source, SOURCE_FREE, now);
  }

  /** Releases an admitted attempt that ended neither way (the node was busy, the input was bad). */
  public synchronized void abandoned(String source) {
    inFlight.computeIfPresent(source, (key, running) -> running <= 1 ? null : running - 1);
  }

  private long waitOf(Map<String, Failures> map, String key, long now) {
    Failures failures = map.get(key);
    if (failures == null) {
      return 0;
    }
    if (now - failures.last > FORGET_SECONDS * SECOND) {
      map.remove(key);
      return 0;
    }
    long left = failures.lockedUntil - now;
    return left <= 0 ? 0 : (left + SECOND - 1) / SECOND;
  }

  private static void fail(Map<String, Failures> map, String key, int free, long now) {
    Failures failures = map.computeIfAbsent(key, k -> new Failures());
    if (now - failures.last > FORGET_SECONDS * SECOND) {
      failures.count = 0;
    }
    failures.count++;
    failures.last = now;
    if (failures.count >= free) {
      int beyond = Math.min(failures.count - free, 6);
      long seconds = Math.min(1L << beyond, MAX_LOCK_SECONDS);
      failures.lockedUntil = now + seconds * SECOND;
    }
  }

  private static <V> Map<String, V> lru() {
    return new LinkedHashMap<>(256, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > MAX_ENTRIES;
      }
    };
  }

  /**
   * Runs one password sign-in of {@code username} in {@code tenant} (null: the host) from the
   * request's address through the throttle: refused with 429 and {@code Retry-After} while locked,
   * else run (told whether the address is a known client of the account) and its outcome recorded
   * (a 401 counts as a failure).
   */
  public <T> Future<T> attempt(RoutingContext ctx, String tenant, String username,
      Function<Boolean, Future<T>> signIn) {
    String source = RequestIdHandler.client(ctx);
    String account = account(tenant, username);
    long wait = admit(source, account);
    if (wait > 0) {
      ctx.response().putHeader("Retry-After", Long.toString(wait));
      return Future.failedFuture(new Failure(FailureCode.TOO_MANY_REQUESTS,
          "too many failed sign-ins from this address or for this account; retry in " + wait + " s"));
    }
    Future<T> result;
    try {
      result = signIn.apply(known(source, account));
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    return result.andThen(done -> {
      if (done.succeeded()) {
        finished(source, account, true);
      } else if (ErrorReplies.map(done.cause(), 0).code() == FailureCode.UNAUTHORIZED) {
        finished(source, account, false);
      } else {
        abandoned(source);
      }
    });
  }

  /** The throttle's key for an account; bounded in length whatever a client sends. */
  static String account(String tenant, String username) {
    // spelled as identity resolves it (tenant trimmed, names without case), so "Admin" and
    // " host" are the same account to the throttle as they are to the sign-in
    String t = tenant == null ? "" : tenant.trim().toLowerCase(Locale.ROOT);
    String key = (t.isEmpty() ? "host" : t) + '/' + (username == null ? "" : username.toLowerCase(Locale.ROOT));
    return key.length() <= 300 ? key : key.substring(0, 300);
  }
}
