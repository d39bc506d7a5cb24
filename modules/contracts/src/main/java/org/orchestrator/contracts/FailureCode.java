package org.orchestrator.contracts;

import java.util.Arrays;

/**
 * Why a request failed, as it crosses the event bus ({@code message.fail(code(), text)}) and as the
 * HTTP layer reports it ({@code {code, message, errorCode}}). The HTTP status lives here too so that
 * one table maps every failure.
 */
public enum FailureCode {
  BAD_REQUEST(400, 1400),
  UNAUTHORIZED(401, 1401),
  FORBIDDEN(403, 1403),
  NOT_FOUND(404, 1404),
  CONFLICT(409, 1409),
  /** A robot reported {@code Running} for a job it was not handed, or while maintenance forbids starting. */
  JOB_NOT_STARTABLE(409, 1410),
  PAYLOAD_TOO_LARGE(413, 1413),
  /** Refused because of a maintenance phase; always sent with {@code Retry-After}. */
  MAINTENANCE(503, 1000),
  UNAVAILABLE(503, 1503),
  /** Too many attempts (sign-in throttling); always sent with {@code Retry-After}. */
  TOO_MANY_REQUESTS(429, 1429),
  /** The node holds as many connections as it may; sent with {@code Retry-After}, then closed. */
  TOO_MANY_CONNECTIONS(503, 1504),
  URI_TOO_LONG(414, 1414),
  HEADERS_TOO_LARGE(431, 1431),
  INTERNAL(500, 1500);

  private final int httpStatus;
  private final int errorCode;

  FailureCode(int httpStatus, int errorCode) {
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
  }

  public int httpStatus() {
    return httpStatus;
  }

  /** The integer UiPath clients read as {@code errorCode}; also the event-bus failure code. */
  public int errorCode() {
    return errorCode;
  }

  /** The failure a bus failure code stands for; unknown codes (timeouts, no handler) are internal. */
  public static FailureCode ofErrorCode(int errorCode) {
    return Arrays.stream(values()).filter(c -> c.errorCode == errorCode).findFirst().orElse(INTERNAL);
  }
}
