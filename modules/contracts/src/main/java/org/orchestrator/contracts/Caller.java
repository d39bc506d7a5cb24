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
}
