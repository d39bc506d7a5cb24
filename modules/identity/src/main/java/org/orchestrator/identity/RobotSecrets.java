package org.orchestrator.identity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Robot client secrets: 256 random bits, shown once, stored as a SHA-256 digest. A slow hash adds
 * nothing for a secret nobody can guess, and robots sign in often.
 */
final class RobotSecrets {

  private static final SecureRandom RANDOM = new SecureRandom();

  private RobotSecrets() {
  }

  static String newSecret() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static byte[] digest(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }

  /** Constant-time comparison of a presented secret with the stored digest. */
  static boolean matches(byte[] storedDigest, String presented) {
    return MessageDigest.isEqual(storedDigest, digest(presented));
  }
}
