package org.orchestrator.http.support;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.json.schema.JsonSchemaValidationException;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorException;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.FailureCode;
import org.orchestrator.contracts.FailureTranslator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one failure handler: every error leaves as {@code {code, message, errorCode}} with the status
 * of its {@link FailureCode}. Bus failures, OpenAPI validation errors, authentication refusals and
 * unknown routes all pass through here.
 */
public final class ErrorReplies {

  private static final Logger LOG = LoggerFactory.getLogger(ErrorReplies.class);

  private ErrorReplies() {
  }

  /** Failure handler for the root router. */
  public static void handle(RoutingContext ctx) {
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    Throwable failure = ctx.failure();
    if (failure instanceof org.orchestrator.http.maintenance.MaintenanceOperation.Refusal refusal) {
      send(ctx.response(), refusal.failure(), refusal.extra());
      return;
    }
    Failure mapped = map(failure, ctx.statusCode());
    if (mapped.code() == FailureCode.INTERNAL) {
      LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), failure);
    }
    send(ctx.response(), mapped);
  }

  /** Writes one error reply. */
  public static void send(HttpServerResponse response, Failure failure) {
    send(response, failure, new JsonObject());
  }

  /** Writes one error reply with {@code extra} fields beside {@code code, message, errorCode}. */
  public static void send(HttpServerResponse response, Failure failure, JsonObject extra) {
    FailureCode code = failure.code();
    if (code.httpStatus() == 503 || code.httpStatus() == 429) {
      if (!response.headers().contains("Retry-After")) {
        response.putHeader("Retry-After", "1");
      }
    }
    response.setStatusCode(code.httpStatus())
        .putHeader("Content-Type", "application/json")
        .end(body(failure).mergeIn(extra).encode());
  }

  public static JsonObject body(Failure failure) {
    return new JsonObject()
        .put("code", failure.code().name())
        .put("message", failure.getMessage())
        .put("errorCode", failure.code().errorCode());
  }

  /** The failure a routing failure stands for. */
  public static Failure map(Throwable failure, int status) {
    if (failure instanceof Failure f) {
      return f;
    }
    if (failure instanceof HttpException http && http.getCause() instanceof ValidatorException invalid) {
      failure = invalid; // the OpenAPI router wraps its validator's failure, keeping only its message
    }
    if (failure instanceof SchemaValidationException invalid) {
      return Failure.badRequest(describe(invalid));
    }
    if (failure instanceof ValidatorException invalid) {
      return Failure.badRequest(invalid.getMessage());
    }
    if (failure instanceof DecodeException || failure instanceof JsonSchemaValidationException) {
      return Failure.badRequest("the body is not valid JSON");
    }
    if (failure instanceof HttpException http) {
      return ofStatus(http.getStatusCode(), http.getPayload());
    }
    if (failure == null || status > 0) {
      return ofStatus(status, null);
    }
    return FailureTranslator.of(failure).orElseGet(() -> new Failure(FailureCode.INTERNAL, "internal error"));
  }

  private static Failure ofStatus(int status, String detail) {
    return switch (status) {
      case 400 -> Failure.badRequest(detail != null ? detail : "bad request");
      case 401 -> Failure.unauthorized("a valid bearer token is required");
      case 403 -> Failure.forbidden("not allowed");
      case 404 -> Failure.notFound("no such resource");
      case 405 -> new Failure(FailureCode.BAD_REQUEST, "method not allowed on this resource");
      case 413 -> new Failure(FailureCode.PAYLOAD_TOO_LARGE, "the request body is too large");
      case 415 -> Failure.badRequest("unsupported content type");
      case 503 -> new Failure(FailureCode.UNAVAILABLE, "service unavailable");
      default -> new Failure(FailureCode.INTERNAL, "internal error");
    };
  }

  private static String describe(SchemaValidationException invalid) {
    OutputUnit cause = invalid.getOutputUnit() == null ? null : mostSpecific(invalid.getOutputUnit());
    String where = cause != null ? cause.getInstanceLocation() : null;
    String detail = cause != null ? cause.getError() : null;
    if (detail == null) {
      return invalid.getMessage();
    }
    // the validator's own text names what was invalid ("The value of the request body is invalid"),
    // then the reason it picked (the last error, often a consequence): keep the first, give ours
    String message = invalid.getMessage();
    int reason = message.indexOf(". Reason:");
    StringBuilder text = new StringBuilder(reason > 0 ? message.substring(0, reason) : message);
    if (where != null && !where.isEmpty() && !where.equals("#")) {
      text.append(" at ").append(where.startsWith("#") ? where.substring(1) : where);
    }
    if (detail != null) {
      text.append(": ").append(detail);
    }
    return text.toString();
  }

  /**
   * The error that names what is wrong: the one deepest in the schema. A short {@code secret} fails
   * {@code properties/secret/minLength} ("String is too short (5 < 16)"), and in consequence also
   * {@code properties} and {@code additionalProperties} ("does not match additional properties
   * schema"), which the validator lists last.
   */
  static OutputUnit mostSpecific(OutputUnit unit) {
    java.util.List<OutputUnit> all = new java.util.ArrayList<>();
    java.util.ArrayDeque<OutputUnit> open = new java.util.ArrayDeque<>(java.util.List.of(unit));
    while (!open.isEmpty()) {
      OutputUnit next = open.pop();
      if (next.getError() != null) {
        all.add(next);
      }
      if (next.getErrors() != null) {
        next.getErrors().forEach(open::add);
      }
    }
    return all.stream().max(java.util.Comparator.comparingInt(ErrorReplies::depth)).orElse(unit);
  }

  private static int depth(OutputUnit unit) {
    String location = unit.getKeywordLocation();
    return location == null ? 0 : (int) location.chars().filter(c -> c == '/').count();
  }
}
