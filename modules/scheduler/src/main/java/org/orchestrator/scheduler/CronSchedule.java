package org.orchestrator.scheduler;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.orchestrator.contracts.Failure;

/**
 * A cron expression in a time zone, parsed by cron-utils: five fields are UNIX cron
 * ({@code min hour dom month dow}), six or seven are Quartz cron with seconds (UiPath's syntax,
 * e.g. {@code 0 0/15 * * * ?}). Pure: no Vert.x, no clock of its own.
 */
public final class CronSchedule {

  private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
  private static final CronParser QUARTZ = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.QUARTZ));

  private final ExecutionTime executionTime;
  private final ZoneId zone;

  private CronSchedule(Cron cron, ZoneId zone) {
    this.executionTime = ExecutionTime.forCron(cron);
    this.zone = zone;
  }

  /** Parses and checks an expression; a bad one is a {@link Failure} with code BAD_REQUEST. */
  public static CronSchedule parse(String expression, String timeZone) {
    if (expression == null || expression.isBlank() || expression.length() > 200) {
      throw Failure.badRequest("cron is required (5 fields UNIX or 6-7 fields Quartz)");
    }
    ZoneId zone;
    try {
      zone = ZoneId.of(timeZone == null ? "UTC" : timeZone);
    } catch (DateTimeException e) {
      throw Failure.badRequest("unknown time zone '" + timeZone + "' (use an IANA name such as Europe/Paris)");
    }
    int fields = expression.trim().split("\\s+").length;
    CronParser parser = fields == 5 ? UNIX : QUARTZ;
    try {
      Cron cron = parser.parse(expression.trim());
      cron.validate();
      return new CronSchedule(cron, zone);
    } catch (IllegalArgumentException e) {
      throw Failure.badRequest("invalid cron '" + expression + "': " + e.getMessage());
    }
  }

  /**
   * The first fire strictly after {@code instant}, or empty when the expression never fires again.
   * Fires fall on whole seconds: cron-utils keeps the fraction of the instant it is given (after
   * 10:00:00.500 it answered 10:00:01.500), so the fraction is dropped first.
   */
  public Optional<Instant> nextAfter(Instant instant) {
    return executionTime.nextExecution(ZonedDateTime.ofInstant(instant.truncatedTo(ChronoUnit.SECONDS), zone))
        .map(ZonedDateTime::toInstant);
  }
}
