package org.orchestrator.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.FailureCode;
import org.orchestrator.contracts.jobs.JobState;

/** The state machine, without Vert.x or a database. "-" is no change, "409" a conflict. */
class JobTransitionsTest {

  @ParameterizedTest(name = "Stop on {0} -> {1}")
  @CsvSource({"Pending,Stopped", "Running,Stopping", "Stopping,-", "Terminating,409", "Successful,409",
      "Faulted,409", "Stopped,409"})
  void stop(JobState current, String expected) {
    check(expected, () -> JobTransitions.stop(current));
  }

  @ParameterizedTest(name = "Kill on {0} -> {1}")
  @CsvSource({"Pending,Stopped", "Running,Terminating", "Stopping,Terminating", "Terminating,-",
      "Successful,409", "Faulted,409", "Stopped,409"})
  void kill(JobState current, String expected) {
    check(expected, () -> JobTransitions.kill(current));
  }

  @ParameterizedTest(name = "{0} reported {1} -> {2}")
  @CsvSource({"Pending,Running,Running", "Pending,Faulted,Faulted", "Running,Running,-",
      "Running,Successful,Successful", "Stopping,Running,-", "Stopping,Stopped,Stopped",
      "Stopping,Successful,Successful", "Terminating,Stopped,Stopped", "Successful,Successful,-",
      "Successful,Faulted,409", "Stopped,Running,409", "Running,Stopping,400", "Running,Pending,400"})
  void report(JobState current, JobState reported, String expected) {
    check(expected, () -> JobTransitions.report(current, reported));
  }

  private static void check(String expected, java.util.function.Supplier<Optional<JobState>> step) {
    switch (expected) {
      case "-" -> assertEquals(Optional.empty(), step.get());
      case "409" -> assertEquals(FailureCode.CONFLICT, assertThrows(Failure.class, step::get).code());
      case "400" -> assertEquals(FailureCode.BAD_REQUEST, assertThrows(Failure.class, step::get).code());
      default -> assertEquals(Optional.of(JobState.valueOf(expected)), step.get());
    }
  }
}
