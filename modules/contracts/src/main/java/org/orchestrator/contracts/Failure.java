package org.orchestrator.contracts;

/**
 * A domain failure with a {@link FailureCode}: thrown or returned by modules, sent over the bus as
 * {@code message.fail(code.errorCode(), message)}, and turned back into this type by the requester.
 */
public final class Failure extends RuntimeException {

  private final FailureCode code;

  public Failure(FailureCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public FailureCode code() {
    return code;
  }

  public static Failure badRequest(String message) {
    return new Failure(FailureCode.BAD_REQUEST, message);
  }

  public static Failure unauthorized(String message) {
    return new Failure(FailureCode.UNAUTHORIZED, message);
  }

  public static Failure forbidden(String message) {
    return new Failure(FailureCode.FORBIDDEN, message);
  }

  public static Failure notFound(String message) {
    return new Failure(FailureCode.NOT_FOUND, message);
  }

  public static Failure conflict(String message) {
    return new Failure(FailureCode.CONFLICT, message);
  }
}
