package org.orchestrator.contracts.phase;

/** The platform's maintenance phase: {@code None -> Draining -> Suspended -> None}. */
public enum MaintenancePhase {
  /** Normal operation. */
  None,
  /** No new jobs, running jobs asked to stop, schedules paused, human interface closed; robots talk. */
  Draining,
  /** As Draining, and robots are cut off too. */
  Suspended;

  public boolean inMaintenance() {
    return this != None;
  }

  /** Parses the API's spelling (case-insensitive), or null. */
  public static MaintenancePhase parse(String text) {
    for (MaintenancePhase phase : values()) {
      if (phase.name().equalsIgnoreCase(text)) {
        return phase;
      }
    }
    return null;
  }
}
