package org.orchestrator.http.support;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;
import org.orchestrator.contracts.Failure;

/**
 * Input no route can store, refused before any route sees it (400, nothing changes): a NUL
 * character anywhere in the URI ({@code %00}) or the body (a raw 0x00 byte, the JSON escape
 * escape backslash-u-0000, or {@code %00} in a form). PostgreSQL refuses NUL in {@code text} and
 * {@code jsonb}; refusing it here turns what would be a 500 (and a robot batch that fails on every
 * retry) into one clear answer. A body that is not a form is JSON: its type must be exactly
 * {@code application/json} (charset utf-8 at most), and its bytes strict JSON text ({@link JsonText}:
 * UTF-8, no comments, no lone surrogates). One pass over the body's bytes.
 */
public final class InputGuard implements Handler<RoutingContext> {

  /** Largest magnitude a JSON number may have: what a 64-bit integer column holds. */
  private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);
  private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);

  @Override
  public void handle(RoutingContext ctx) {
    String uri = ctx.request().uri();
    if (uri != null && uri.contains("%00")) {
      ctx.fail(Failure.badRequest("NUL characters (%00) are not allowed in a URI"));
      return;
    }
    Buffer body = ctx.body() == null ? null : ctx.body().buffer();
    if (body != null && body.length() > 0) {
      String type = ctx.request().getHeader("Content-Type");
      byte[] bytes = body.getBytes();
      String fault;
      if (isForm(type) || isMultipart(type)) {
        fault = containsNul(bytes, isForm(type)) ? JsonText.NUL : null;
      } else if (type != null && !isJson(type)) {
        fault = "unsupported content type '" + (type.length() > 64 ? type.substring(0, 64) + "..." : type)
            + "': a request body is application/json (charset utf-8 if any), or a form where the operation takes one";
      } else {
        fault = JsonText.fault(bytes);
      }
      if (fault != null) {
        ctx.fail(Failure.badRequest(fault));
        return;
      }
    }
    ctx.next();
  }

  /**
   * Exactly {@code application/json}, in any case, with at most the parameter {@code charset=utf-8}
   * (JSON text is UTF-8, RFC 8259). The contract's validator matches media types by prefix, so
   * {@code application/jsonx} and {@code application/json-patch+json} were read as JSON.
   */
  static boolean isJson(String type) {
    String[] parts = type.split(";", -1);
    if (!parts[0].trim().equalsIgnoreCase("application/json")) {
      return false;
    }
    for (int i = 1; i < parts.length; i++) {
      String parameter = parts[i].trim().replace("\"", "");
      if (!parameter.isEmpty() && !parameter.equalsIgnoreCase("charset=utf-8")) {
        return false;
      }
    }
    return parts.length <= 2;
  }

  /**
   * Root handler before the body handler: a form or multipart {@code Content-Type} on a method that
   * carries no form (anything but POST, PUT, PATCH and DELETE: GET, HEAD, OPTIONS, made-up methods)
   * is a 400. Vert.x decodes forms for those four methods only and throws for the others, which the
   * body handler let through as a 500 with a stack trace, no token needed.
   */
  public static void refuseFormOnMethodWithoutBody(RoutingContext ctx) {
    HttpMethod method = ctx.request().method();
    boolean formMethod = method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH
        || method == HttpMethod.DELETE;
    String type = ctx.request().getHeader("Content-Type");
    if (!formMethod && type != null && (type.regionMatches(true, 0, "multipart/form-data", 0, 19)
        || type.regionMatches(true, 0, "application/x-www-form-urlencoded", 0, 33))) {
      ctx.fail(Failure.badRequest("a form or multipart body is taken by POST, PUT, PATCH and DELETE only, not by "
          + (method.name().length() > 16 ? "this method" : method.name())));
      return;
    }
    ctx.next();
  }

  /**
   * A raw NUL byte, a JSON escape backslash-u-0000 escape that is not itself escaped, or (in a form body,
   * where it is the encoding of NUL) {@code %00}.
   */
  static boolean containsNul(byte[] bytes, boolean form) {
    for (int i = 0; i < bytes.length; i++) {
      byte b = bytes[i];
      if (b == 0) {
        return true;
      }
      if (form && b == '%' && i + 2 < bytes.length && bytes[i + 1] == '0' && bytes[i + 2] == '0') {
        return true;
      }
      if (b == '\\' && i + 5 < bytes.length) {
        // an escaped backslash ("\\") is skipped whole, so an escaped backslash followed by u0000 (text) passes
        if (bytes[i + 1] == '\\') {
          i++;
          continue;
        }
        if (bytes[i + 1] == 'u' && bytes[i + 2] == '0' && bytes[i + 3] == '0' && bytes[i + 4] == '0'
            && bytes[i + 5] == '0') {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Refuses any number in a JSON value that a 64-bit integer cannot hold: JSON has no range, and
   * {@code Number.longValue()} of a larger one wraps around (2^64 + 2 would act as 2).
   */
  public static void checkNumbers(Object json, String where) {
    if (json instanceof JsonObject object) {
      for (Map.Entry<String, Object> field : object) {
        checkNumbers(field.getValue(), field.getKey());
      }
    } else if (json instanceof JsonArray array) {
      for (Object item : array) {
        checkNumbers(item, where);
      }
    } else if (json instanceof Number number && !fitsLong(number)) {
      throw Failure.badRequest((where == null ? "a number" : where) + " is out of range (at most 2^63 - 1)");
    }
  }

  private static boolean fitsLong(Number number) {
    if (number instanceof Integer || number instanceof Long || number instanceof Short || number instanceof Byte) {
      return true;
    }
    if (number instanceof BigInteger big) {
      return big.bitLength() < 64;
    }
    if (number instanceof BigDecimal decimal) {
      return decimal.compareTo(LONG_MAX) <= 0 && decimal.compareTo(LONG_MIN) >= 0;
    }
    double value = number.doubleValue();
    return !Double.isNaN(value) && !Double.isInfinite(value) && Math.abs(value) < 9.2e18;
  }

  private static boolean isForm(String type) {
    return type != null && type.regionMatches(true, 0, "application/x-www-form-urlencoded", 0, 33);
  }

  private static boolean isMultipart(String type) {
    return type != null && type.regionMatches(true, 0, "multipart/form-data", 0, 19);
  }
}
