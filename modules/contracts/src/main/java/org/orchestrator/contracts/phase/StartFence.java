package org.orchestrator.contracts.phase;

/**
 * The phase module's one contract in SQL (decision 80): a function of its migrations that any
 * module's transaction calls to ask whether work may start for a tenant, decided against the
 * committed phase (the platform's and the tenant's own window) rather than a node's copy of it.
 * The call holds the fence shared until the caller's transaction ends; a phase change takes it
 * exclusively, so a start and a phase change are ordered: the start commits first (and the
 * change's sweep and counts see it) or it sees the change.
 */
public final class StartFence {

  /** {@code maintenance_admits_start(tenant bigint) RETURNS boolean}; VOLATILE, takes the fence shared. */
  public static final String ADMITS = "maintenance_admits_start";

  private StartFence() {
  }

  /** The SQL call for a tenant id given as {@code argument} (a parameter or column). */
  public static String admits(String argument) {
    return ADMITS + "(" + argument + ")";
  }
}
