package org.orchestrator.http.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.buffer.Buffer;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.FailureCode;
import org.orchestrator.contracts.jobs.JobMessages.LogLine;

/** A log upload read token by token: what it accepts, and the answer to each thing it refuses. */
class LogBatchTest {

  private static final String LINE = "{\"jobId\": 7, \"level\": \"Info\", \"message\": \"m\", \"timeStamp\": \"2026-11-24T10:00:00Z\"}";

  private static LogBatch parse(String json) {
    return LogBatch.parse(Buffer.buffer(json));
  }

  @Test
  void linesAndBatchesAreRead() {
    LogBatch plain = parse("[" + LINE + ", {\"timeStamp\": \"2026-11-24T10:00:01.5Z\", \"message\": \"\\u00e9 \\\"q\\\"\", "
        + "\"level\": \"Error\", \"jobId\": 9.0}]");
    assertNull(plain.batchId());
    assertEquals(new LogLine(7, "Info", "m", Instant.parse("2026-11-24T10:00:00Z")), plain.lines().get(0));
    assertEquals(new LogLine(9, "Error", "\u00e9 \"q\"", Instant.parse("2026-11-24T10:00:01.5Z")), plain.lines().get(1));
    LogBatch batch = parse("{\"batchId\": \"b-1\", \"lines\": [" + LINE + "]}");
    assertEquals("b-1", batch.batchId());
    assertEquals(1, batch.lines().size());
    assertEquals(0, parse("[]").lines().size());
  }

  @Test
  void everyRefusalSaysWhat() {
    Map<String, String> refused = new LinkedHashMap<>();
    String shape = "the body must be a JSON array of log lines or {\"batchId\": ..., \"lines\": [...]}";
    refused.put("", shape);
    refused.put("{not json", shape);
    refused.put("42", shape);
    refused.put("[] []", shape);
    refused.put("[" + LINE + ",]", shape);
    refused.put("[1]", "line 0 is not an object");
    refused.put("[" + LINE + ", [1, {\"a\": 2}]]", "line 1 is not an object");
    refused.put("[{\"jobId\": 1, \"extra\": {\"deep\": [1]}, \"level\": 5}]", "line 0: unknown field 'extra'");
    refused.put("[{\"jobId\": 0, \"level\": \"Info\", \"message\": \"m\", \"timeStamp\": \"2026-11-24T10:00:00Z\"}]",
        "line 0: jobId must be an integer >= 1");
    refused.put("[{\"jobId\": 18446744073709551617, \"level\": \"Info\"}]", "line 0: jobId must be an integer >= 1");
    refused.put("[{\"jobId\": -18446744073709551617, \"level\": \"Info\"}]", "line 0: jobId must be an integer >= 1");
    refused.put("[{\"jobId\": 1.5}]", "line 0: jobId must be an integer >= 1");
    refused.put("[{\"jobId\": 1e400}]", "line 0: jobId must be an integer >= 1");
    refused.put("[{\"jobId\": \"1\"}]", "line 0: jobId must be an integer >= 1");
    refused.put("[{\"jobId\": 1, \"level\": \"Loud\"}]", "line 0: level must be one of " + LogBatch.LEVELS);
    refused.put("[{\"jobId\": 1, \"level\": \"Info\", \"message\": {\"a\": 1}}]",
        "line 0: message must be a string of at most 16384 characters");
    refused.put("[{\"jobId\": 1, \"level\": \"Info\", \"message\": \"" + "x".repeat(16_385) + "\"}]",
        "line 0: message must be a string of at most 16384 characters");
    refused.put("[{\"jobId\": 1, \"level\": \"Info\", \"message\": \"m\", \"timeStamp\": 5}]",
        "line 0: timeStamp must be an ISO-8601 instant");
    refused.put("[{\"jobId\": 1, \"level\": \"Info\", \"message\": \"m\", \"timeStamp\": \"yesterday\"}]",
        "line 0: timeStamp is not an ISO-8601 instant: yesterday");
    refused.put("[{\"jobId\": 1, \"level\": \"Info\", \"message\": \"m\", \"timeStamp\": \"+10000-01-01T00:00:00Z\"}]",
        "line 0: timeStamp must lie in the years 0001-9999: +10000-01-01T00:00:00Z");
    refused.put("{\"batchId\": \"b\", \"lines\": [], \"more\": 1}", "unknown field 'more'; a batch has batchId and lines");
    refused.put("{\"batchId\": 5, \"lines\": []}", "batchId is 1-128 printable ASCII characters");
    refused.put("{\"batchId\": \"with space\", \"lines\": []}", "batchId is 1-128 printable ASCII characters");
    refused.put("{\"batchId\": \"b\"}", "lines must be a JSON array of log lines");
    refused.put("{\"batchId\": \"b\", \"lines\": {\"a\": [1]}}", "lines must be a JSON array of log lines");
    refused.put("[" + (LINE + ",").repeat(1_000) + LINE + "]", "at most 1000 log lines per upload");
    refused.put("[" + "[".repeat(5_000) + "]".repeat(5_000) + "]", shape);
    refused.forEach((json, message) -> {
      Failure failure = assertThrows(Failure.class, () -> parse(json), json.length() > 80 ? json.substring(0, 80) : json);
      assertEquals(FailureCode.BAD_REQUEST, failure.code());
      assertEquals(message, failure.getMessage(), json.length() > 80 ? json.substring(0, 80) : json);
    });
  }

  /** The quick reading of robots' usual form agrees with Instant.parse, and leaves every other form to it. */
  @Test
  void theQuickTimestampReadingAgreesWithInstantParse() {
    for (String text : new String[] {"2026-11-24T10:00:00Z", "2026-11-24T10:00:00.5Z", "2026-11-24T23:59:59.999999999Z",
        "2024-02-29T00:00:00.123Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z", "1970-01-01T00:00:00.000001Z",
        "1969-12-31T23:59:59.9Z"}) {
      assertEquals(Instant.parse(text), LogBatch.utc(text), text);
    }
    for (String text : new String[] {"2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-24T24:00:00Z",
        "2026-11-24T10:00:60Z", "2026-11-24T10:00:00+01:00", "2026-11-24T10:00:00.Z", "2026-11-24T10:00:00.1234567890Z",
        "2026-11-24 10:00:00Z", "+12026-11-24T10:00:00Z", "2026-11-24T10:00Z", "2026-1a-24T10:00:00Z"}) {
      assertNull(LogBatch.utc(text), text);
    }
  }
}
