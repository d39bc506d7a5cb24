package org.orchestrator.contracts;

import io.vertx.core.Future;

/**
 * Who sent a request, as proven by a verified token. Travels inside every command and query so that
 * the owning module decides what the caller may see.
 *
 * @param principalId the user or robot id
 * @param name the user name or robot name
 * @param role what the caller may do
 * @param tenantId the caller's tenant; {@code null} for the host organization
 */
public record Caller(long principalId, String name, Role role, Long tenantId) {

  public boolean isHostAdmin() {
    return role == Role.HOST_ADMINISTRATOR;
  }

  public boolean isTenantAdmin() {
    return role == Role.ADMINISTRATOR;
  }

  public boolean isRobot() {
    return role == Role.ROBOT;
  }

  /** A human of a tenant (administrator or operator). */
  public boolean isTenantUser() {
    return role == Role.ADMINISTRATOR || role == Role.OPERATOR;
  }

  // The checks a module makes before it acts: each answers a future, failed with FORBIDDEN when
  // the caller may not, so that a service starts with one and composes the rest on it.

  /** The tenant of a tenant user (administrator or operator). */
  public Future<Long> tenantUser() {
    if (isTenantUser()) {
      return Future.succeededFuture(tenantId);
    }
    return refused(isRobot() ? "robots use the robot protocol only"
        : "this belongs to a tenant; sign in to a tenant");
  }

  /** The tenant of a tenant administrator. */
  public Future<Long> tenantAdministrator() {
    if (isTenantAdmin()) {
      return Future.succeededFuture(tenantId);
    }
    return refused(isTenantUser() ? "only the tenant's administrators may do this"
        : isRobot() ? "robots use the robot protocol only" : "this belongs to a tenant; sign in to a tenant");
  }

  /** The tenant of a robot. */
  public Future<Long> robotTenant() {
    return isRobot() ? Future.succeededFuture(tenantId) : refused("only robots speak the robot protocol");
  }

  /** Succeeds for the host administrator; {@code refusal} for anyone else. */
  public Future<Caller> hostAdministrator(String refusal) {
    return isHostAdmin() ? Future.succeededFuture(this) : refused(refusal);
  }

  /**
   * The tenant an administrator's call acts on: the one the host administrator names ({@code null}:
   * every tenant), the caller's own for a tenant administrator, who may not name another
   * ({@code otherTenant}); anyone else is refused ({@code notAdministrator}).
   */
  public Future<Long> administeredTenant(Long requested, String notAdministrator, String otherTenant) {
    if (isHostAdmin()) {
      return Future.succeededFuture(requested);
    }
    if (!isTenantAdmin()) {
      return refused(notAdministrator);
    }
    if (requested != null && !requested.equals(tenantId)) {
      return refused(otherTenant);
    }
    return Future.succeededFuture(tenantId);
  }

  private static <T> Future<T> refused(String message) {
    return Future.failedFuture(Failure.forbidden(message));
  }
}
