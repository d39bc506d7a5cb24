package org.orchestrator.http.routes;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.jobs.JobMessages.AppendLogs;
import org.orchestrator.contracts.jobs.JobMessages.LogLine;

/**
 * A robot's log upload, checked against the contract's {@code LogBatch} schema by hand: an array of
 * at most 1000 objects with exactly {@code jobId} (integer >= 1), {@code level} (one of the
 * levels), {@code message} (string, at most 16384 characters) and {@code timeStamp} (ISO-8601).
 */
final class LogBatch {

  static final int MAX_MESSAGE = 16_384;
  static final Set<String> LEVELS = Set.of("Trace", "Verbose", "Info", "Warn", "Warning", "Error", "Fatal");
  /** ISO-8601's four-digit years; Java would parse far beyond what PostgreSQL stores. */
  private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");
  private static final Set<String> FIELDS = Set.of("jobId", "level", "message", "timeStamp");

  private LogBatch() {
  }

  static List<LogLine> parse(Buffer body) {
    if (body == null || body.length() == 0) {
      throw Failure.badRequest("the body must be a JSON array of log lines");
    }
    JsonArray array;
    try {
      array = new JsonArray(body);
    } catch (DecodeException | ClassCastException e) {
      throw Failure.badRequest("the body must be a JSON array of log lines");
    }
    if (array.size() > AppendLogs.MAX_LINES) {
      throw Failure.badRequest("at most " + AppendLogs.MAX_LINES + " log lines per upload");
    }
    List<LogLine> lines = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof JsonObject line)) {
        throw Failure.badRequest("line " + i + " is not an object");
      }
      for (Map.Entry<String, Object> field : line) {
        if (!FIELDS.contains(field.getKey())) {
          throw Failure.badRequest("line " + i + ": unknown field '" + field.getKey() + "'");
        }
      }
      if (!(line.getValue("jobId") instanceof Number job) || job.doubleValue() != Math.rint(job.doubleValue())
          || job.doubleValue() >= 9.2e18 || job.longValue() < 1) {
        throw Failure.badRequest("line " + i + ": jobId must be an integer >= 1");
      }
      if (!(line.getValue("level") instanceof String level) || !LEVELS.contains(level)) {
        throw Failure.badRequest("line " + i + ": level must be one of " + LEVELS);
      }
      if (!(line.getValue("message") instanceof String message) || message.length() > MAX_MESSAGE) {
        throw Failure.badRequest("line " + i + ": message must be a string of at most " + MAX_MESSAGE + " characters");
      }
      if (!(line.getValue("timeStamp") instanceof String stamp)) {
        throw Failure.badRequest("line " + i + ": timeStamp must be an ISO-8601 instant");
      }
      lines.add(new LogLine(job.longValue(), level, message, instant(stamp, i)));
    }
    return lines;
  }

  private static Instant instant(String text, int index) {
    Instant instant;
    try {
      instant = Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw Failure.badRequest("line " + index + ": timeStamp is not an ISO-8601 instant: " + text);
    }
    if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
      throw Failure.badRequest("line " + index + ": timeStamp must lie in the years 0001-9999: " + text);
    }
    return instant;
  }
}
