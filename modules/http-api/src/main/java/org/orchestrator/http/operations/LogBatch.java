package org.orchestrator.http.operations;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
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
 *
 * <p>Read as a stream of tokens straight into {@link LogLine}s: no map per line, which is most of
 * what reading a 500-line upload into {@code JsonObject}s cost (docs/benchmarks.md, ingest). The
 * answers are those of the tree reading it replaced: per line, an unknown field first, then
 * jobId, level, message, timeStamp.
 */
public record LogBatch(String batchId, List<LogLine> lines) {

  static final int MAX_MESSAGE = 16_384;
  static final Set<String> LEVELS = Set.of("Trace", "Verbose", "Info", "Warn", "Warning", "Error", "Fatal");
  /** ISO-8601's four-digit years; Java would parse far beyond what PostgreSQL stores. */
  private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");
  private static final String SHAPE = "the body must be a JSON array of log lines or {\"batchId\": ..., \"lines\": [...]}";
  /** Nesting a log upload never needs; deeper input is refused before it costs anything. */
  private static final JsonFactory JSON = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build()).build();

  /** The upload, or a BAD_REQUEST {@link Failure} saying what is wrong with it. */
  public static LogBatch parse(Buffer body) {
    if (body == null || body.length() == 0) {
      throw Failure.badRequest(SHAPE);
    }
    try (JsonParser parser = JSON.createParser(body.getBytes())) {
      JsonToken root = parser.nextToken();
      LogBatch batch;
      if (root == JsonToken.START_ARRAY) {
        batch = new LogBatch(null, lines(parser));
      } else if (root == JsonToken.START_OBJECT) {
        batch = batch(parser);
      } else {
        throw Failure.badRequest(SHAPE);
      }
      if (parser.nextToken() != null) {
        throw Failure.badRequest(SHAPE);
      }
      return batch;
    } catch (IOException e) {
      throw Failure.badRequest(SHAPE);
    }
  }

  /** {@code {"batchId": ..., "lines": [...]}}, the parser on its START_OBJECT. */
  private static LogBatch batch(JsonParser parser) throws IOException {
    Object batchId = null;
    List<LogLine> lines = null;
    boolean linesGiven = false;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      switch (field) {
        case "batchId" -> batchId = value == JsonToken.VALUE_STRING ? parser.getText() : skip(parser);
        case "lines" -> {
          linesGiven = true;
          lines = value == JsonToken.START_ARRAY ? lines(parser) : null;
          if (value != JsonToken.START_ARRAY) {
            skip(parser);
          }
        }
        default -> throw Failure.badRequest("unknown field '" + field + "'; a batch has batchId and lines");
      }
    }
    if (!(batchId instanceof String id) || id.isEmpty() || id.length() > AppendLogs.MAX_BATCH_ID
        || !id.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
      throw Failure.badRequest("batchId is 1-" + AppendLogs.MAX_BATCH_ID + " printable ASCII characters");
    }
    if (!linesGiven || lines == null) {
      throw Failure.badRequest("lines must be a JSON array of log lines");
    }
    return new LogBatch(id, lines);
  }

  /** The lines of an array, the parser on its START_ARRAY; returns with the parser on its END_ARRAY. */
  private static List<LogLine> lines(JsonParser parser) throws IOException {
    List<LogLine> lines = new ArrayList<>();
    int i = 0;
    for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken(), i++) {
      if (i >= AppendLogs.MAX_LINES) {
        throw Failure.badRequest("at most " + AppendLogs.MAX_LINES + " log lines per upload");
      }
      if (token != JsonToken.START_OBJECT) {
        skip(parser);
        throw Failure.badRequest("line " + i + " is not an object");
      }
      lines.add(line(parser, i));
    }
    return lines;
  }

  /** One line, the parser on its START_OBJECT; checks in the order the tree reading did. */
  private static LogLine line(JsonParser parser, int i) throws IOException {
    String unknown = null;
    Object job = null;
    Object level = null;
    Object message = null;
    Object stamp = null;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      Object read = switch (value) {
        case VALUE_STRING -> parser.getText();
        case VALUE_NUMBER_INT -> parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? Double.POSITIVE_INFINITY
            : (Object) parser.getLongValue();
        case VALUE_NUMBER_FLOAT -> parser.getDoubleValue();
        default -> skip(parser);
      };
      switch (field) {
        case "jobId" -> job = read;
        case "level" -> level = read;
        case "message" -> message = read;
        case "timeStamp" -> stamp = read;
        default -> unknown = unknown == null ? field : unknown;
      }
    }
    if (unknown != null) {
      throw Failure.badRequest("line " + i + ": unknown field '" + unknown + "'");
    }
    if (!(job instanceof Number number) || number.doubleValue() != Math.rint(number.doubleValue())
        || number.doubleValue() >= 9.2e18 || number.longValue() < 1) {
      throw Failure.badRequest("line " + i + ": jobId must be an integer >= 1");
    }
    if (!(level instanceof String text) || !LEVELS.contains(text)) {
      throw Failure.badRequest("line " + i + ": level must be one of " + LEVELS);
    }
    if (!(message instanceof String words) || words.length() > MAX_MESSAGE) {
      throw Failure.badRequest("line " + i + ": message must be a string of at most " + MAX_MESSAGE + " characters");
    }
    if (!(stamp instanceof String when)) {
      throw Failure.badRequest("line " + i + ": timeStamp must be an ISO-8601 instant");
    }
    return new LogLine(number.longValue(), text, words, instant(when, i));
  }

  /** Skips a value (with its children); stands for "not of the type asked" (null, boolean, array, object). */
  private static Object skip(JsonParser parser) throws IOException {
    parser.skipChildren();
    return null;
  }

  private static Instant instant(String text, int index) {
    Instant instant;
    try {
      Instant quick = utc(text);
      instant = quick != null ? quick : Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw Failure.badRequest("line " + index + ": timeStamp is not an ISO-8601 instant: " + text);
    }
    if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
      throw Failure.badRequest("line " + index + ": timeStamp must lie in the years 0001-9999: " + text);
    }
    return instant;
  }

  /**
   * The form robots send, {@code yyyy-MM-ddTHH:mm:ss[.fraction]Z}, read without a formatter (the
   * formatter was most of the cost of reading a line); anything else (offsets, a leap second, a
   * malformed text) returns null and goes to {@link Instant#parse}, which decides.
   */
  static Instant utc(String text) {
    int length = text.length();
    if (length < 20 || length > 30 || text.charAt(length - 1) != 'Z' || text.charAt(4) != '-' || text.charAt(7) != '-'
        || text.charAt(10) != 'T' || text.charAt(13) != ':' || text.charAt(16) != ':') {
      return null;
    }
    int year = digits(text, 0, 4);
    int month = digits(text, 5, 2);
    int day = digits(text, 8, 2);
    int hour = digits(text, 11, 2);
    int minute = digits(text, 14, 2);
    int second = digits(text, 17, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0
        || minute > 59 || second < 0 || second > 59) {
      return null;
    }
    int nanos = 0;
    if (length > 20) {
      int fraction = length - 21;
      if (text.charAt(19) != '.' || fraction < 1 || fraction > 9) {
        return null;
      }
      int value = digits(text, 20, fraction);
      if (value < 0) {
        return null;
      }
      nanos = value * (int) Math.pow(10, 9 - fraction);
    } else if (text.charAt(19) != 'Z') {
      return null;
    }
    if (day > java.time.YearMonth.of(year, month).lengthOfMonth()) {
      return null;
    }
    long days = java.time.LocalDate.of(year, month, day).toEpochDay();
    return Instant.ofEpochSecond(days * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
  }

  /** The decimal value of {@code count} ASCII digits at {@code from}; -1 if any is not a digit. */
  private static int digits(String text, int from, int count) {
    int value = 0;
    for (int i = from; i < from + count; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }
}
