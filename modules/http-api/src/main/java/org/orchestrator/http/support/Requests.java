package org.orchestrator.http.support;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;
import org.orchestrator.contracts.bus.RequestContext;
import org.orchestrator.contracts.Caller;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.PageRequest;
import org.orchestrator.platform.security.TokenClaims;

/** Reading what a validated request carries: the caller, the body, parameters. */
public final class Requests {

  /** Where the caller read from the token is kept for the rest of the request. */
  private static final String CALLER = "orchestrator.caller";

  private Requests() {
  }

  /** The caller proven by the bearer token (the route's security handler has run). */
  public static Caller caller(RoutingContext ctx) {
    Caller known = ctx.get(CALLER);
    if (known != null) {
      return known;
    }
    if (ctx.user() == null) {
      throw Failure.unauthorized("a valid bearer token is required");
    }
    Caller caller;
    try {
      caller = TokenClaims.caller(ctx.user().principal());
    } catch (IllegalArgumentException e) {
      throw Failure.unauthorized("the token does not name a caller");
    }
    ctx.put(CALLER, caller);
    RequestContext.enterTenant(tenantLabel(caller));
    return caller;
  }

  /** How log lines name the tenant a caller acts for: its id, or {@code host}. */
  public static String tenantLabel(Caller caller) {
    return caller.tenantId() == null ? "host" : caller.tenantId().toString();
  }

  /** A caller who is a person (host or tenant user), not a robot. */
  public static Caller human(RoutingContext ctx) {
    Caller caller = caller(ctx);
    if (caller.isRobot()) {
      throw Failure.forbidden("robots may use the robot protocol only");
    }
    return caller;
  }

  /** The JSON body; 400 when a number in it does not fit 64 bits (it would wrap around). */
  public static JsonObject body(RoutingContext ctx) {
    ValidatedRequest validated = ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
    JsonObject body = validated != null && validated.getBody() != null && !validated.getBody().isNull()
        ? validated.getBody().getJsonObject() : unvalidatedObject(ctx);
    InputGuard.checkNumbers(body, null);
    return body;
  }

  /**
   * The body of a route the contract's validator does not see (the hot robot routes, checked by
   * hand): a JSON object, or an empty one when there is no body; anything else is a 400.
   */
  private static JsonObject unvalidatedObject(RoutingContext ctx) {
    io.vertx.core.buffer.Buffer raw = ctx.body().buffer();
    if (raw == null || raw.length() == 0) {
      return new JsonObject();
    }
    Object value;
    try {
      value = io.vertx.core.json.Json.decodeValue(raw);
    } catch (io.vertx.core.json.DecodeException e) {
      throw Failure.badRequest("the body is not JSON");
    }
    if (value instanceof java.util.Map<?, ?> map) {
      @SuppressWarnings("unchecked")
      java.util.Map<String, Object> fields = (java.util.Map<String, Object>) map;
      value = new JsonObject(fields);
    }
    if (!(value instanceof JsonObject object)) {
      throw Failure.badRequest("the body is a JSON object");
    }
    return object;
  }

  /** Refuses a body with fields other than {@code allowed} (what the contract's additionalProperties: false says). */
  public static void onlyFields(JsonObject body, java.util.Set<String> allowed) {
    for (String field : body.fieldNames()) {
      if (!allowed.contains(field)) {
        throw Failure.badRequest("unknown field '" + (field.length() > 64 ? field.substring(0, 64) + "..." : field)
            + "'; the body has " + allowed);
      }
    }
  }

  /** A query parameter the contract typed as integer, or null. */
  public static Long queryLong(RoutingContext ctx, String name) {
    ValidatedRequest validated = ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
    RequestParameter parameter = validated == null ? null : validated.getQuery().get(name);
    if (parameter == null || parameter.isNull()) {
      return null;
    }
    return whole(parameter, name);
  }

  /**
   * A validated integer parameter. {@link ExactParameters} hands the validator only decimal text
   * that fits 64 bits, so this is an Integer or a Long; anything else is refused, never converted.
   */
  private static long whole(RequestParameter parameter, String name) {
    Object value = parameter.get();
    if (value instanceof Integer || value instanceof Long) {
      return ((Number) value).longValue();
    }
    throw Failure.badRequest(name + " is out of range");
  }

  /**
   * A path parameter the contract typed as integer (every one is an id, minimum 1); on a route
   * without the contract's validator, read here by the same rules and with the same answers.
   */
  public static long pathLong(RoutingContext ctx, String name) {
    ValidatedRequest validated = ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
    if (validated == null) {
      String value = ctx.pathParam(name);
      if (value == null || value.indexOf('\0') >= 0) {
        throw Failure.badRequest(name + " must be a whole number");
      }
      long id = ExactParameters.whole(name, value);
      if (id < 1) {
        throw Failure.badRequest(name + " must be at least 1, not " + id);
      }
      return id;
    }
    return whole(validated.getPathParameters().get(name), name);
  }

  /**
   * A path parameter the contract typed as string; on a route without the contract's validator,
   * the value decoded once (the owning module checks its pattern), NUL refused.
   */
  public static String pathString(RoutingContext ctx, String name) {
    ValidatedRequest validated = ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
    if (validated == null) {
      String value = ctx.pathParam(name);
      if (value == null || value.indexOf('\0') >= 0) {
        throw Failure.badRequest(name + " is not a valid value");
      }
      return value;
    }
    return validated.getPathParameters().get(name).getString();
  }

  /** A query parameter the contract typed as string, or null. */
  public static String queryString(RoutingContext ctx, String name) {
    ValidatedRequest validated = ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
    RequestParameter parameter = validated == null ? null : validated.getQuery().get(name);
    return parameter == null || parameter.isNull() ? null : parameter.getString();
  }

  /** Which page a list's {@code page}, {@code size} and {@code after} parameters ask for. */
  public static PageRequest page(RoutingContext ctx, int defaultSize) {
    return new PageRequest(queryInt(ctx, "page", 1), queryInt(ctx, "size", defaultSize), queryString(ctx, "after"));
  }

  /** An ISO-8601 duration ({@code PT15M}) named {@code name}, or null when absent or empty. */
  public static java.time.Duration duration(String name, String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    try {
      return java.time.Duration.parse(text);
    } catch (java.time.format.DateTimeParseException e) {
      throw Failure.badRequest(name + " must be an ISO-8601 duration such as PT15M, not '" + text + "'");
    }
  }

  /** An integer query parameter with a default (the contract bounds it). */
  public static int queryInt(RoutingContext ctx, String name, int fallback) {
    Long value = queryLong(ctx, name);
    return value == null ? fallback : value.intValue();
  }

  /** A robot caller, for the robot protocol. */
  public static Caller robot(RoutingContext ctx) {
    Caller caller = caller(ctx);
    if (!caller.isRobot()) {
      throw Failure.forbidden("the robot protocol takes a robot's token");
    }
    return caller;
  }
}
