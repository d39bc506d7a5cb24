package org.orchestrator.identity;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.auth.hashing.HashingStrategy;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

/**
 * PBKDF2-HMAC-SHA512 password hashes (vertx-auth's {@code pbkdf2}), stored in the PHC-like string
 * form {@code $pbkdf2$it=N$salt$hash}. Hashing is slow on purpose, so it runs on a worker thread.
 */
public final class PasswordHasher {

  private static final HashingStrategy STRATEGY = HashingStrategy.load();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Vertx vertx;
  private final Map<String, String> parameters;
  /** Verified when the user is unknown, so that timing does not tell which user names exist. */
  private final String decoy;

  public PasswordHasher(Vertx vertx, int iterations) {
    if (iterations < 1_000) {
      throw new IllegalArgumentException("PBKDF2 needs at least 1000 iterations, got " + iterations);
    }
    this.vertx = vertx;
    this.parameters = Map.of("it", Integer.toString(iterations));
    this.decoy = hashNow("decoy-" + RANDOM.nextLong());
  }

  public Future<String> hash(String password) {
    return vertx.executeBlocking(() -> hashNow(password), false);
  }

  /** Checks {@code password} against {@code storedHash}; a {@code null} hash never matches. */
  public Future<Boolean> verify(String storedHash, String password) {
    String hash = storedHash != null ? storedHash : decoy;
    return vertx.executeBlocking(() -> STRATEGY.verify(hash, password) && storedHash != null, false);
  }

  private String hashNow(String password) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    return STRATEGY.hash("pbkdf2", parameters, Base64.getEncoder().withoutPadding().encodeToString(salt),
        password);
  }
}
