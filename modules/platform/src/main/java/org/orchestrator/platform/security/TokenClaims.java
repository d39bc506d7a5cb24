package org.orchestrator.platform.security;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import org.orchestrator.contracts.Caller;
import org.orchestrator.contracts.Role;

/**
 * How a {@link Caller} is written into a token and read back: {@code sub} (principal id),
 * {@code name}, {@code role} and, for tenant principals, {@code tenant}.
 */
public final class TokenClaims {

  private TokenClaims() {
  }

  public static JsonObject of(Caller caller) {
    JsonObject claims = new JsonObject()
        .put("sub", Long.toString(caller.principalId()))
        .put("name", caller.name())
        .put("role", caller.role().claim());
    if (caller.tenantId() != null) {
      claims.put("tenant", caller.tenantId());
    }
    return claims;
  }

  /**
   * The caller a verified token speaks for.
   *
   * @throws IllegalArgumentException when the claims do not describe a caller
   */
  public static Caller caller(JsonObject claims) {
    try {
      long id = Long.parseLong(claims.getString("sub"));
      Role role = Role.ofClaim(claims.getString("role"));
      Number tenant = claims.getNumber("tenant");
      if ((tenant == null) != (role == Role.HOST_ADMINISTRATOR)) {
        throw new IllegalArgumentException("tenant claim does not fit role " + role);
      }
      return new Caller(id, claims.getString("name"), role, tenant == null ? null : tenant.longValue());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("token claims do not describe a caller", e);
    }
  }

  /**
   * When a verified token expires, in epoch seconds; null when it carries no {@code exp}.
   * vertx-auth-jwt moves {@code exp} out of the principal into the user's attributes.
   */
  public static Long expiresAtSeconds(User user) {
    return user.attributes().getValue("exp") instanceof Number exp ? exp.longValue() : null;
  }
}
