package org.orchestrator.contracts.phase;

/**
 * The phase module's contract in SQL (decisions 80 and 116): functions of its migrations that any
 * module's statements call to ask what maintenance allows, decided against the committed phase
 * (the platform's window, the tenant's own and their exemptions) rather than a node's copy of it.
 * They are {@link MaintenanceRules} in SQL.
 *
 * <p>{@code maintenance_admits_start} holds the fence shared until the caller's transaction ends; a
 * phase change (and a change of the exemptions) takes it exclusively, so a start and a change are
 * ordered: the start commits first (and the change's sweep and counts see it) or it sees the change.
 */
public final class StartFence {

  /** {@code maintenance_admits_start(tenant bigint, process text) RETURNS boolean}; VOLATILE, takes the fence shared. */
  public static final String ADMITS = "maintenance_admits_start";
  /** {@code maintenance_exempt(tenant bigint, process text) RETURNS boolean}; STABLE, takes no lock. */
  public static final String EXEMPT = "maintenance_exempt";
  /** {@code maintenance_exempts_any() RETURNS boolean}: whether an open window exempts anything now (phase V810). */
  public static final String EXEMPTS_ANY = "maintenance_exempts_any";
  /** {@code maintenance_exempt_window(tenant bigint, process text) RETURNS bigint}: the window that exempts it, or null. */
  public static final String EXEMPT_WINDOW = "maintenance_exempt_window";

  private StartFence() {
  }

  /** The SQL call for a job of {@code tenant} and {@code process} (each a parameter or a column). */
  public static String admits(String tenant, String process) {
    return ADMITS + "(" + tenant + ", " + process + ")";
  }

  /**
   * Whether a job of {@code tenant} and {@code process} runs through maintenance now (exempt), on
   * the committed phase: what every sweep, count and stop query leaves out.
   */
  public static String exempt(String tenant, String process) {
    // the guard is a scalar subquery (evaluated once per statement), the per-job call only behind it
    return "((SELECT " + EXEMPTS_ANY + "()) AND " + EXEMPT + "(" + tenant + ", " + process + "))";
  }

  /** Whether window {@code window} (a parameter or column) exempts any process now: a guard before asking per job. */
  public static String windowExempts(String window) {
    return "maintenance_window_exempts(" + window + ")";
  }

  /** The open window under which a job of {@code tenant} and {@code process} runs exempt now, or null. */
  public static String exemptWindow(String tenant, String process) {
    return EXEMPT_WINDOW + "(" + tenant + ", " + process + ")";
  }
}
