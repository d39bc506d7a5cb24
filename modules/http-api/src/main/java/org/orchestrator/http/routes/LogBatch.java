package org.orchestrator.http.routes;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
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
 * levels), {@code message} (string, at most 16384 characters) and {@code timeStamp} (ISO-8601); or
 * an object {@code {"batchId": "<1-128 printable ASCII>", "lines": [...]}} that makes the upload
 * idempotent.
 */
record LogBatch(String batchId, List<LogLine> lines) {

  static final int MAX_MESSAGE = 16_384;
  static final Set<String> LEVELS = Set.of("Trace", "Verbose", "Info", "Warn", "Warning", "Error", "Fatal");
  /** ISO-8601's four-digit years; Java would parse far beyond what PostgreSQL stores. */
  private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");
  private static final Set<String> FIELDS = Set.of("jobId", "level", "message", "timeStamp");
  private static final Set<String> BATCH_FIELDS = Set.of("batchId", "lines");
  private static final String SHAPE = "the body must be a JSON array of log lines or {\"batchId\": ..., \"lines\": [...]}";

  static LogBatch parse(Buffer body) {
    if (body == null || body.length() == 0) {
      throw Failure.badRequest(SHAPE);
    }
    Object json;
    try {
      json = Json.decodeValue(body);
    } catch (DecodeException e) {
      throw Failure.badRequest(SHAPE);
    }
    if (json instanceof JsonArray array) {
      return new LogBatch(null, lines(array));
    }
    if (!(json instanceof JsonObject batch)) {
      throw Failure.badRequest(SHAPE);
    }
    for (String field : batch.fieldNames()) {
      if (!BATCH_FIELDS.contains(field)) {
        throw Failure.badRequest("unknown field '" + field + "'; a batch has batchId and lines");
      }
    }
    if (!(batch.getValue("batchId") instanceof String batchId) || batchId.isEmpty()
        || batchId.length() > AppendLogs.MAX_BATCH_ID || !batchId.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
      throw Failure.badRequest("batchId is 1-" + AppendLogs.MAX_BATCH_ID + " printable ASCII characters");
    }
    if (!(batch.getValue("lines") instanceof JsonArray array)) {
      throw Failure.badRequest("lines must be a JSON array of log lines");
    }
    return new LogBatch(batchId, lines(array));
  }

  private static List<LogLine> lines(JsonArray array) {
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
