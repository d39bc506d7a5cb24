package org.orchestrator.platform.security;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.Credentials;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Verifies each token once and keeps its claims until it expires: a robot sends the same token on
 * every request for an hour, and an ES256 verification costs more than the rest of a heartbeat's
 * HTTP handling. Only tokens that verified are kept (keyed by their text, which the verifier
 * behind this cache checks is canonical, see {@link CanonicalTokens}: a hit is canonical without a
 * second check, and no other spelling of a kept token can hit), at most {@code capacity}
 * (least recently used go first), and a kept token is served only while the clock is before its
 * {@code exp}; after that the verifier decides again (and refuses it).
 */
public final class VerifiedTokens implements JWTAuth {

  private record Kept(User user, long expiresAtMillis) {
  }

  private final JWTAuth delegate;
  private final LongSupplier clock;
  private final Map<String, Kept> kept;

  public VerifiedTokens(JWTAuth delegate, int capacity, LongSupplier clockMillis) {
    this.delegate = delegate;
    this.clock = clockMillis;
    this.kept = new LinkedHashMap<>(1_024, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Kept> eldest) {
        return size() > capacity;
      }
    };
  }

  @Override
  public Future<User> authenticate(Credentials credentials) {
    if (!(credentials instanceof TokenCredentials token)) {
      return delegate.authenticate(credentials);
    }
    String text = token.getToken();
    if (text == null || text.length() > CanonicalTokens.MAX_LENGTH) {
      return delegate.authenticate(credentials); // refused unread there; not hashed nor kept here
    }
    Kept hit;
    synchronized (kept) {
      hit = kept.get(text);
    }
    if (hit != null) {
      if (clock.getAsLong() < hit.expiresAtMillis()) {
        return Future.succeededFuture(hit.user());
      }
      synchronized (kept) {
        kept.remove(text);
      }
    }
    return delegate.authenticate(credentials).onSuccess(user -> {
      Long exp = TokenClaims.expiresAtSeconds(user);
      if (exp != null && clock.getAsLong() < exp * 1000) {
        synchronized (kept) {
          kept.put(text, new Kept(user, exp * 1000));
        }
      }
    });
  }

  /** Tokens kept now. */
  public int size() {
    synchronized (kept) {
      return kept.size();
    }
  }

  @Override
  public String generateToken(JsonObject claims, JWTOptions options) {
    return delegate.generateToken(claims, options);
  }

  @Override
  public String generateToken(JsonObject claims) {
    return delegate.generateToken(claims);
  }
}
