package org.orchestrator.contracts;

/** What a principal may do. Host administrators run the platform; the others live in a tenant. */
public enum Role {
  /** Administrator of the host organization: tenants, maintenance. */
  HOST_ADMINISTRATOR("HostAdministrator"),
  /** Administrator of one tenant: users, robots, schedules, jobs. */
  ADMINISTRATOR("Administrator"),
  /** Tenant user who reads and runs jobs. */
  OPERATOR("Operator"),
  /** A robot of one tenant, speaking the robot protocol. */
  ROBOT("Robot");

  private final String claim;

  Role(String claim) {
    this.claim = claim;
  }

  /** The value of the {@code role} claim in a token. */
  public String claim() {
    return claim;
  }

  public static Role ofClaim(String claim) {
    for (Role role : values()) {
      if (role.claim.equals(claim)) {
        return role;
      }
    }
    throw new IllegalArgumentException("unknown role claim: " + claim);
  }
}
