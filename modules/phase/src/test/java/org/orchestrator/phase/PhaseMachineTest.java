package org.orchestrator.phase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.FailureCode;
import org.orchestrator.contracts.phase.MaintenancePhase;
import org.orchestrator.phase.PhaseMachine.Plan;

/** Every Start and End from every phase, without Vert.x or a database. */
class PhaseMachineTest {

  @ParameterizedTest(name = "{0} + Start({1}, killJobs={2}, force={3}) -> {4}")
  @CsvSource({
      // current, requested, killJobs, force, target, openWindow, stopSweep, killSweep, requireDrained
      "None,      Draining,  false, false, Draining,  true,  true,  false, false",
      "None,      Draining,  true,  false, Draining,  true,  true,  true,  false",
      "Draining,  Draining,  false, false, Draining,  false, true,  false, false",
      "Draining,  Draining,  true,  false, Draining,  false, true,  true,  false",
      "None,      Suspended, false, false, Suspended, true,  true,  false, true",
      "None,      Suspended, false, true,  Suspended, true,  true,  false, false",
      "Draining,  Suspended, false, false, Suspended, false, false, false, true",
      "Draining,  Suspended, false, true,  Suspended, false, false, false, false",
      "Draining,  Suspended, true,  false, Suspended, false, false, true,  false",
      "Suspended, Suspended, false, false, Suspended, false, false, false, false",
      "Suspended, Suspended, true,  false, Suspended, false, false, true,  false"})
  void start(MaintenancePhase current, MaintenancePhase requested, boolean killJobs, boolean force,
      MaintenancePhase target, boolean openWindow, boolean stopSweep, boolean killSweep, boolean requireDrained) {
    assertEquals(new Plan(target, openWindow, stopSweep, killSweep, requireDrained),
        PhaseMachine.start(current, requested, killJobs, force));
  }

  @Test
  void illegalStartsAndEnds() {
    assertEquals(FailureCode.CONFLICT, assertThrows(Failure.class,
        () -> PhaseMachine.start(MaintenancePhase.Suspended, MaintenancePhase.Draining, false, false)).code());
    assertEquals(FailureCode.BAD_REQUEST, assertThrows(Failure.class,
        () -> PhaseMachine.start(MaintenancePhase.Draining, MaintenancePhase.None, false, false)).code());
    assertEquals(FailureCode.BAD_REQUEST, assertThrows(Failure.class,
        () -> PhaseMachine.start(MaintenancePhase.None, null, false, false)).code());
    assertEquals(FailureCode.CONFLICT, assertThrows(Failure.class,
        () -> PhaseMachine.end(MaintenancePhase.None)).code());
    PhaseMachine.end(MaintenancePhase.Draining);
    PhaseMachine.end(MaintenancePhase.Suspended);
  }
}
