package org.orchestrator.platform.security;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.Credentials;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Base64;

/**
 * Accepts only tokens in canonical compact form before the library verifies them: three base64url
 * segments without padding, each of which decodes and re-encodes to itself, and an ES256
 * signature of exactly 64 bytes (RFC 7518 3.4) whose {@code r} is in [1, n-1] and whose {@code s} is
 * in the lower half, [1, n/2] (n the order of P-256). vertx-auth-jwt verifies a signature segment
 * with a surplus character (the extra byte ignored), and the JDK's ECDSA accepts both {@code s} and
 * {@code n - s}, so the same token would otherwise have several spellings: a cache, a deny list or a
 * log keyed on the token's text could then be sidestepped. Tokens this class signs are made low-S
 * (the JDK produces either half at random), so they pass their own check.
 *
 * <p>{@link #verifying} also checks the time claims before the library reads them: {@code exp} is
 * required and must be a number, {@code iat} and {@code nbf} numbers when present. The library
 * accepts a token without {@code exp} for ever and throws (a 500) on a string {@code exp}.
 */
public final class CanonicalTokens implements JWTAuth {

  /** Longer tokens are refused unread (ours are about 400 characters). */
  public static final int MAX_LENGTH = 8_192;
  private static final int ES256_SIGNATURE_BYTES = 64;
  /** The order n of the P-256 group. */
  static final BigInteger N = new BigInteger("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16);
  private static final BigInteger HALF_N = N.shiftRight(1);
  /** Largest magnitude a time claim may have: what a 64-bit count of seconds holds. */
  private static final double LONG_RANGE = 9.2e18;

  private final JWTAuth delegate;
  private final boolean checkClaims;

  /** Refuses tokens that are not in canonical form, then asks {@code delegate}. */
  public CanonicalTokens(JWTAuth delegate) {
    this(delegate, false);
  }

  private CanonicalTokens(JWTAuth delegate, boolean checkClaims) {
    this.delegate = delegate;
    this.checkClaims = checkClaims;
  }

  /**
   * As {@link #CanonicalTokens(JWTAuth)}, and refuses a token whose {@code exp} is missing or not a
   * number (or whose {@code iat} or {@code nbf} is not a number): in front of the verifier itself,
   * where every token is read once, not in front of the cache of verified tokens.
   */
  public static CanonicalTokens verifying(JWTAuth verifier) {
    return new CanonicalTokens(verifier, true);
  }

  @Override
  public Future<User> authenticate(Credentials credentials) {
    if (credentials instanceof TokenCredentials token) {
      if (!isCanonical(token.getToken())) {
        return Future.failedFuture("the token is not a canonical compact ES256 JWT");
      }
      String refusal = checkClaims ? timeClaimsRefusal(token.getToken()) : null;
      if (refusal != null) {
        return Future.failedFuture(refusal);
      }
    }
    return delegate.authenticate(credentials);
  }

  @Override
  public String generateToken(JsonObject claims, JWTOptions options) {
    return lowS(delegate.generateToken(claims, options));
  }

  @Override
  public String generateToken(JsonObject claims) {
    return lowS(delegate.generateToken(claims));
  }

  /** Three canonical base64url segments, the last one a 64-byte signature with r in [1, n-1] and s in [1, n/2]. */
  public static boolean isCanonical(String token) {
    if (token == null || token.isEmpty() || token.length() > MAX_LENGTH) {
      return false;
    }
    String[] segments = token.split("\\.", -1);
    if (segments.length != 3) {
      return false;
    }
    for (int i = 0; i < 3; i++) {
      byte[] decoded = decode(segments[i]);
      if (decoded == null || (i == 2 && !canonicalSignature(decoded))) {
        return false;
      }
    }
    return true;
  }

  private static boolean canonicalSignature(byte[] signature) {
    if (signature.length != ES256_SIGNATURE_BYTES) {
      return false;
    }
    BigInteger r = new BigInteger(1, Arrays.copyOfRange(signature, 0, 32));
    BigInteger s = new BigInteger(1, Arrays.copyOfRange(signature, 32, 64));
    return r.signum() > 0 && r.compareTo(N) < 0 && s.signum() > 0 && s.compareTo(HALF_N) <= 0;
  }

  /**
   * {@code token} with the low-S form of its signature: (r, n - s) when s is in the upper half. Both
   * verify; only the low one is accepted. Anything that is not a 64-byte ES256 signature is left as it is.
   */
  static String lowS(String token) {
    int dot = token.lastIndexOf('.');
    if (dot < 0) {
      return token;
    }
    byte[] signature;
    try {
      signature = Base64.getUrlDecoder().decode(token.substring(dot + 1));
    } catch (IllegalArgumentException e) {
      return token;
    }
    if (signature.length != ES256_SIGNATURE_BYTES) {
      return token;
    }
    BigInteger s = new BigInteger(1, Arrays.copyOfRange(signature, 32, 64));
    if (s.compareTo(HALF_N) <= 0) {
      return token;
    }
    byte[] low = N.subtract(s).toByteArray(); // below n/2: at most 32 bytes, no sign byte
    Arrays.fill(signature, 32, 64, (byte) 0);
    System.arraycopy(low, 0, signature, 64 - low.length, low.length);
    return token.substring(0, dot + 1) + Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
  }

  /** Why the token's time claims are refused, or null: exp required, exp, iat and nbf numbers. */
  private static String timeClaimsRefusal(String token) {
    JsonObject claims;
    try {
      int first = token.indexOf('.');
      claims = new JsonObject(Buffer.buffer(Base64.getUrlDecoder().decode(token.substring(first + 1,
          token.indexOf('.', first + 1)))));
    } catch (RuntimeException e) {
      return "the token's claims are not a JSON object";
    }
    if (!claims.containsKey("exp")) {
      return "the token has no exp: every token expires";
    }
    for (String claim : new String[] {"exp", "iat", "nbf"}) {
      if (claims.containsKey(claim) && !isTime(claims.getValue(claim))) {
        return "the token's " + claim + " is not a number of seconds";
      }
    }
    return null;
  }

  private static boolean isTime(Object value) {
    if (value instanceof Integer || value instanceof Long) {
      return true;
    }
    if (value instanceof Double || value instanceof Float) {
      double seconds = ((Number) value).doubleValue();
      return Double.isFinite(seconds) && Math.abs(seconds) < LONG_RANGE;
    }
    return false; // strings, objects, null, and integers beyond 64 bits (which would wrap)
  }

  /** The bytes of a canonical unpadded base64url segment; null for anything else. */
  private static byte[] decode(String segment) {
    if (segment.isEmpty()) {
      return null;
    }
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      boolean alphabet = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
          || c == '_';
      if (!alphabet) {
        return null;
      }
    }
    byte[] decoded;
    try {
      decoded = Base64.getUrlDecoder().decode(segment);
    } catch (IllegalArgumentException e) {
      return null;
    }
    // unused trailing bits must be zero: a segment has exactly one spelling
    byte[] again = Base64.getUrlEncoder().withoutPadding().encode(decoded);
    return Arrays.equals(again, segment.getBytes(java.nio.charset.StandardCharsets.US_ASCII)) ? decoded : null;
  }
}
