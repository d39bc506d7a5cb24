package org.orchestrator.http.support;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.json.schema.JsonSchemaValidationException;
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
    String where = invalid.getOutputUnit() != null ? invalid.getOutputUnit().getInstanceLocation() : null;
    String detail = invalid.getOutputUnit() != null ? invalid.getOutputUnit().getError() : null;
    StringBuilder text = new StringBuilder(invalid.getMessage());
    if (where != null && !where.isEmpty()) {
      text.append(" at ").append(where);
    }
    if (detail != null) {
      text.append(": ").append(detail);
    }
    return text.toString();
  }
}
