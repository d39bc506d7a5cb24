package org.orchestrator.contracts;

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

  /** The caller's tenant, or a {@link Failure} when the caller belongs to the host. */
  public long requireTenant() {
    if (tenantId == null) {
      throw Failure.forbidden("this operation belongs to a tenant; the host organization has none");
    }
    return tenantId;
  }

  /** A {@link Failure} unless the caller is the host administrator. */
  public void requireHostAdmin(String refusal) {
    if (!isHostAdmin()) {
      throw Failure.forbidden(refusal);
    }
  }

  /**
   * The tenant an administrator's call acts on: the one the host administrator names ({@code null}:
   * every tenant), the caller's own for a tenant administrator, who may not name another
   * ({@code otherTenant}); anyone else is refused ({@code notAdministrator}).
   */
  public Long administeredTenant(Long requested, String notAdministrator, String otherTenant) {
    if (isHostAdmin()) {
      return requested;
    }
    if (!isTenantAdmin()) {
      throw Failure.forbidden(notAdministrator);
    }
    if (requested != null && !requested.equals(tenantId)) {
      throw Failure.forbidden(otherTenant);
    }
    return tenantId;
  }
}
