package org.orchestrator.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.FailureCode;

/** Cron expressions over cron-utils: both syntaxes, time zones, whole seconds, refusals. */
class CronScheduleTest {

  @ParameterizedTest(name = "{0} in {1} after {2} -> {3}")
  @CsvSource({
      // Quartz (seconds), every second: the fraction of the instant is dropped (fires on whole seconds)
      "'* * * * * ?', UTC, 2026-03-04T12:00:00.500Z, 2026-03-04T12:00:01Z",
      "'* * * * * ?', UTC, 2026-03-04T12:00:01Z, 2026-03-04T12:00:02Z",
      "'* * * * * ?', UTC, 2026-03-04T12:00:01.999Z, 2026-03-04T12:00:02Z",
      // UNIX (minutes)
      "'* * * * *', UTC, 2026-03-04T12:00:00.500Z, 2026-03-04T12:01:00Z",
      "'*/15 * * * *', UTC, 2026-03-04T12:14:59Z, 2026-03-04T12:15:00Z",
      // UiPath's every quarter hour
      "'0 0/15 * * * ?', UTC, 2026-03-04T12:15:00Z, 2026-03-04T12:30:00Z",
      // a time zone: 09:00 in Paris is 08:00 UTC in winter
      "'0 9 * * *', Europe/Paris, 2026-03-04T07:00:00Z, 2026-03-04T08:00:00Z",
  })
  void nextAfter(String cron, String zone, String after, String expected) {
    assertEquals(Optional.of(Instant.parse(expected)), CronSchedule.parse(cron, zone).nextAfter(Instant.parse(after)));
  }

  @Test
  void everyFireOfAnEverySecondScheduleFollowsTheOneBefore() {
    CronSchedule everySecond = CronSchedule.parse("* * * * * ?", "UTC");
    Instant fire = everySecond.nextAfter(Instant.parse("2026-03-04T12:00:00.250Z")).orElseThrow();
    for (int i = 1; i <= 120; i++) {
      assertEquals(Instant.parse("2026-03-04T12:00:00Z").plusSeconds(i), fire);
      fire = everySecond.nextAfter(fire).orElseThrow();
    }
  }

  @ParameterizedTest(name = "refused: [{0}] in [{1}]")
  @CsvSource({"'', UTC", "'not cron', UTC", "'61 * * * *', UTC", "'* * * * *', Mars/Olympus", "'* * * * * * * *', UTC"})
  void badExpressionsAndZonesAreBadRequests(String cron, String zone) {
    Failure failure = assertThrows(Failure.class, () -> CronSchedule.parse(cron, zone));
    assertEquals(FailureCode.BAD_REQUEST, failure.code());
  }
}
