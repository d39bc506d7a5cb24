package org.orchestrator.phase;

import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.phase.MaintenancePhase;

/**
 * The maintenance state machine, pure: what a Start or an End does from a given phase.
 *
 * <pre>
 * Start Draining   from None: open a window, Stop sweep          from Draining: Stop sweep again
 *                  from Suspended: CONFLICT (End first)
 * Start Suspended  from None: only if nothing runs (or force/killJobs); opens the window
 *                  from Draining: only if nothing runs (or force/killJobs)
 *                  from Suspended: nothing changes
 * killJobs=true    with either: Kill sweep of whatever is unfinished
 * End              from Draining or Suspended: back to None          from None: CONFLICT
 * </pre>
 */
public final class PhaseMachine {

  private PhaseMachine() {
  }

  /**
   * What a Start will do.
   *
   * @param target the phase after the call
   * @param openWindow a new maintenance window begins (from None)
   * @param stopSweep send Stop to every running job
   * @param killSweep send Kill to every unfinished job
   * @param requireDrained refuse (and change nothing) while any job is unfinished
   */
  public record Plan(MaintenancePhase target, boolean openWindow, boolean stopSweep, boolean killSweep,
      boolean requireDrained) {
  }

  public static Plan start(MaintenancePhase current, MaintenancePhase requested, boolean killJobs, boolean force) {
    if (requested == null || requested == MaintenancePhase.None) {
      throw Failure.badRequest("phase must be Draining or Suspended (use End to leave maintenance)");
    }
    if (requested == MaintenancePhase.Draining) {
      if (current == MaintenancePhase.Suspended) {
        throw Failure.conflict("Suspended -> Draining is not a transition: End maintenance first");
      }
      return new Plan(MaintenancePhase.Draining, current == MaintenancePhase.None, true, killJobs, false);
    }
    boolean opening = current == MaintenancePhase.None;
    boolean alreadySuspended = current == MaintenancePhase.Suspended;
    return new Plan(MaintenancePhase.Suspended, opening, opening, killJobs,
        !alreadySuspended && !force && !killJobs);
  }

  public static void end(MaintenancePhase current) {
    if (current == MaintenancePhase.None) {
      throw Failure.conflict("not in maintenance: there is nothing to end");
    }
  }
}
