package org.orchestrator.http.bridge;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.orchestrator.contracts.Failure;
import org.orchestrator.http.support.JsonText;

/**
 * One inbound frame of the bridge, checked field by field. Every way a frame can be wrong is a
 * {@link Failure} with code BAD_REQUEST and a message naming the field, so the connection can answer
 * it with an {@code err} frame; nothing here throws anything else.
 *
 * @param type send, publish, register, unregister or ping
 * @param address where it goes; {@code null} only for ping
 * @param replyAddress where the answer goes, or {@code null}
 * @param authorization {@code headers.Authorization}, or {@code null}
 * @param body the body; an empty object when absent
 */
record BridgeFrame(String type, String address, String replyAddress, String authorization, JsonObject body) {

  static final List<String> TYPES = List.of("send", "publish", "register", "unregister", "ping");

  /** The JSON object a frame's bytes hold. */
  static JsonObject decode(Buffer json) {
    if (json.length() == 0) {
      throw Failure.badRequest("empty frame: a frame is a JSON object");
    }
    String fault = JsonText.fault(json.getBytes());
    if (fault != null) {
      throw Failure.badRequest("frame is not JSON: " + fault.replace("the body", "it").replace(" in a request body", ""));
    }
    Object value;
    try {
      value = Json.decodeValue(json);
    } catch (DecodeException e) {
      throw Failure.badRequest("frame is not JSON: " + firstLine(e.getMessage()));
    }
    if (value instanceof Map<?, ?> map) {
      @SuppressWarnings("unchecked")
      Map<String, Object> fields = (Map<String, Object>) map;
      value = new JsonObject(fields);
    }
    if (!(value instanceof JsonObject frame)) {
      throw Failure.badRequest("a frame is a JSON object, not " + kind(value));
    }
    return frame;
  }

  /** The frame {@code json} describes. */
  static BridgeFrame of(JsonObject json) {
    Object type = json.getValue("type");
    if (!(type instanceof String name) || !TYPES.contains(name)) {
      throw Failure.badRequest("type must be one of " + String.join(", ", TYPES) + ", not " + describe(type));
    }
    String address = text(json, "address", "address");
    if (address == null && !"ping".equals(name)) {
      throw Failure.badRequest("a " + name + " frame needs an address");
    }
    String replyAddress = text(json, "replyAddress", "replyAddress");
    Object headers = json.getValue("headers");
    if (headers != null && !(headers instanceof JsonObject)) {
      throw Failure.badRequest("headers must be a JSON object, not " + kind(headers));
    }
    String authorization = headers == null ? null : text((JsonObject) headers, "Authorization", "headers.Authorization");
    Object body = json.getValue("body");
    if (body != null && !(body instanceof JsonObject)) {
      throw Failure.badRequest("body must be a JSON object, not " + kind(body));
    }
    return new BridgeFrame(name, address, replyAddress, authorization,
        body == null ? new JsonObject() : (JsonObject) body);
  }

  /** The reply address of a frame that may be malformed, when it has a usable one. */
  static String replyAddressOf(JsonObject json) {
    return json != null && json.getValue("replyAddress") instanceof String reply ? reply : null;
  }

  /** An optional string field of a body. */
  static String string(JsonObject body, String name) {
    return text(body, name, "body." + name);
  }

  /** An optional flag of a body, as text ({@code true} or {@code "true"}); the caller checks the value. */
  static String flag(JsonObject body, String name) {
    Object value = body.getValue(name);
    if (value == null || value instanceof Boolean || value instanceof String) {
      return value == null ? null : value.toString();
    }
    throw Failure.badRequest("body." + name + " must be true or false, not " + kind(value));
  }

  /** An optional whole number of a body, refused when it is not one or does not fit a long. */
  static Long integer(JsonObject body, String name) {
    Object value = body.getValue(name);
    if (value == null) {
      return null;
    }
    if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof BigInteger big && big.bitLength() < 64) {
      return big.longValue();
    }
    if (value instanceof BigInteger || value instanceof BigDecimal || value instanceof Double || value instanceof Float) {
      throw Failure.badRequest("body." + name + " must be a whole number from " + Long.MIN_VALUE + " to "
          + Long.MAX_VALUE + ", not " + value);
    }
    throw Failure.badRequest("body." + name + " must be a whole number, not " + kind(value));
  }

  /** An optional whole number of a body that fits an int, or {@code fallback}. */
  static int smallInteger(JsonObject body, String name, int fallback) {
    Long value = integer(body, name);
    if (value == null) {
      return fallback;
    }
    if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
      throw Failure.badRequest("body." + name + " is out of range: " + value);
    }
    return value.intValue();
  }

  private static String text(JsonObject json, String name, String path) {
    Object value = json.getValue(name);
    if (value == null || value instanceof String) {
      return (String) value;
    }
    throw Failure.badRequest(path + " must be a string, not " + kind(value));
  }

  private static String describe(Object value) {
    return value instanceof String text ? "'" + abbreviate(text) + "'" : kind(value);
  }

  private static String kind(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof JsonObject || value instanceof Map) {
      return "an object";
    }
    if (value instanceof JsonArray || value instanceof List) {
      return "an array";
    }
    if (value instanceof String) {
      return "a string";
    }
    if (value instanceof Boolean) {
      return "a boolean";
    }
    return value instanceof Number ? "a number" : value.getClass().getSimpleName();
  }

  private static String firstLine(String message) {
    String line = message == null ? "unreadable" : message.lines().findFirst().orElse("unreadable");
    return abbreviate(line);
  }

  private static String abbreviate(String text) {
    return text.length() <= 120 ? text : text.substring(0, 120) + "...";
  }
}
