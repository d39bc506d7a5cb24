package org.orchestrator.platform.security;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.Credentials;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import java.util.Arrays;
import java.util.Base64;

/**
 * Accepts only tokens in canonical compact form before the library verifies them: three base64url
 * segments without padding, each of which decodes and re-encodes to itself, and an ES256
 * signature of exactly 64 bytes (RFC 7518 3.4). vertx-auth-jwt verifies a signature segment with a
 * surplus character (the extra byte ignored), so the same token would have many spellings: a
 * cache, a deny list or a log keyed on the token's text could then be sidestepped.
 */
public final class CanonicalTokens implements JWTAuth {

  /** Longer tokens are refused unread (ours are about 400 characters). */
  public static final int MAX_LENGTH = 8_192;
  private static final int ES256_SIGNATURE_BYTES = 64;

  private final JWTAuth delegate;

  public CanonicalTokens(JWTAuth delegate) {
    this.delegate = delegate;
  }

  @Override
  public Future<User> authenticate(Credentials credentials) {
    if (credentials instanceof TokenCredentials token && !isCanonical(token.getToken())) {
      return Future.failedFuture("the token is not a canonical compact ES256 JWT");
    }
    return delegate.authenticate(credentials);
  }

  @Override
  public String generateToken(JsonObject claims, JWTOptions options) {
    return delegate.generateToken(claims, options);
  }

  @Override
  public String generateToken(JsonObject claims) {
    return delegate.generateToken(claims);
  }

  /** Three canonical base64url segments, the last one 64 bytes. */
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
      if (decoded == null || (i == 2 && decoded.length != ES256_SIGNATURE_BYTES)) {
        return false;
      }
    }
    return true;
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
