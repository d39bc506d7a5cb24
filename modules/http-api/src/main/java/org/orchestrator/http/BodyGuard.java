package org.orchestrator.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.FailureCode;
import org.orchestrator.http.support.ErrorReplies;
import org.orchestrator.platform.config.OrchestratorConfig;

/**
 * What the edge decides before it reads a byte of a request body (after the gate, which decides on
 * the headers alone), so that a body costs memory only once its request may be served:
 * <ol>
 *   <li>{@link #beforeBody}: the route's limit. An operation of the contract that takes a bearer
 *   token may have {@code http.maxBodyBytes}; every other request (sign-in, pages, unknown paths and
 *   methods) {@code http.maxUnauthenticatedBodyBytes}, a few KiB. A declared length beyond it is
 *   413 at once. Then, for an operation taking a token, the token: the contract's own bearer handler
 *   runs here (the request paused meanwhile), so a missing, forged or expired token is the same 401
 *   (or 400) as ever, answered before the body is read; the operation's router finds the user set
 *   and does not verify again.</li>
 *   <li>{@link #readBody}: the body's share of the node's {@link BodyBudget} (its declared length, or
 *   the route's limit when chunked); when the budget cannot hold it, 503 {@code UNAVAILABLE} with
 *   {@code Retry-After}, unread. The share is given back when the request is answered or its
 *   connection closes ({@link ConnectionGuard#holdBody}); a body trickled in is cut by
 *   {@code http.requestTimeoutSeconds} like any unanswered request. Then Vert.x's body handler
 *   reads it, within the route's limit (a chunked body is cut at the limit too).</li>
 * </ol>
 * A request that declares no body ({@code Content-Length} 0 or absent, not chunked) passes both
 * steps untouched. A refused body is never read: the rest of it is discarded as it arrives.
 */
public final class BodyGuard {

  private static final String LIMIT = "orchestrator.bodyLimit";

  private final TokenRoutes routes;
  private final Handler<RoutingContext> bearer;
  private final BodyBudget budget;
  private final ConnectionGuard connections;
  private final long maxBodyBytes;
  private final long maxUnauthenticatedBodyBytes;
  private final BodyHandler large;
  private final BodyHandler small;

  /**
   * @param contract openapi.json: which operations take a bearer token
   * @param bearer the handler that checks the bearer token of those operations (the same as the
   *     contract's router uses)
   */
  public BodyGuard(JsonObject contract, Handler<RoutingContext> bearer, BodyBudget budget,
      ConnectionGuard connections, OrchestratorConfig.Http limits) {
    this.routes = TokenRoutes.fromContract(contract);
    this.bearer = bearer;
    this.budget = budget;
    this.connections = connections;
    this.maxBodyBytes = limits.maxBodyBytes();
    this.maxUnauthenticatedBodyBytes = limits.maxUnauthenticatedBodyBytes();
    this.large = BodyHandler.create(false).setBodyLimit(maxBodyBytes);
    this.small = BodyHandler.create(false).setBodyLimit(maxUnauthenticatedBodyBytes);
  }

  /** The first step: the route's limit against the declared length, then the bearer token where one is taken. */
  public void beforeBody(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    long declared = declaredLength(request);
    if (declared == 0) {
      ctx.next();
      return;
    }
    boolean token = routes.takesToken(request.method(), ctx.normalizedPath());
    long limit = token ? maxBodyBytes : maxUnauthenticatedBodyBytes;
    if (declared > limit) {
      ErrorReplies.send(ctx.response(), new Failure(FailureCode.PAYLOAD_TOO_LARGE, "the request body is larger than "
          + limit + " bytes, the limit of " + (token ? "this route (http.maxBodyBytes)"
          : "requests that take no bearer token (http.maxUnauthenticatedBodyBytes)")));
      return;
    }
    ctx.put(LIMIT, limit);
    if (token && ctx.user() == null) {
      bearer.handle(ctx); // pauses the request until the token is checked; next() or fail(401/400)
      return;
    }
    ctx.next();
  }

  /** The second step: the body's share of the node's budget, then the body itself, within the route's limit. */
  public void readBody(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    long declared = declaredLength(request);
    if (declared == 0) {
      large.handle(ctx); // no body: an empty one for Content-Length: 0, as before
      return;
    }
    Long routeLimit = ctx.get(LIMIT);
    long limit = routeLimit != null ? routeLimit : maxUnauthenticatedBodyBytes;
    long bytes = declared > 0 ? declared : limit;
    BodyBudget.Reservation reservation = budget.reserve(bytes);
    if (reservation == null) {
      ctx.response().putHeader("Retry-After", "1");
      ErrorReplies.send(ctx.response(), new Failure(FailureCode.UNAVAILABLE, "the node is reading "
          + budget.limit() + " bytes of request bodies already (http.maxBodyBytesInFlight); retry in a second"));
      return;
    }
    if (!connections.holdBody(request, reservation::release)) {
      reservation.release(); // the connection is gone
      return;
    }
    ctx.addEndHandler(ended -> reservation.release());
    (limit > maxUnauthenticatedBodyBytes ? large : small).handle(ctx);
  }

  /**
   * The body a request declares: its {@code Content-Length}, -1 when chunked (or the length is not
   * a number: the decoder then reads it as chunked or refuses it), 0 when it has none.
   */
  static long declaredLength(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null) {
      try {
        long parsed = Long.parseLong(length.trim());
        return parsed < 0 ? -1 : parsed;
      } catch (NumberFormatException e) {
        return -1;
      }
    }
    return request.headers().contains(HttpHeaders.TRANSFER_ENCODING) ? -1 : 0;
  }

  /**
   * Which method and path is an operation of the contract that takes a bearer token: its own
   * {@code security} when it has one (an empty list: no token), else the contract's. Paths are
   * matched as the contract's router matches them ({@code {name}} is any one segment, case counts),
   * one trailing slash ignored.
   */
  static final class TokenRoutes {

    private final Set<String> exact = new HashSet<>();
    private final List<String[]> templates = new ArrayList<>();

    static TokenRoutes fromContract(JsonObject contract) {
      TokenRoutes routes = new TokenRoutes();
      JsonArray global = contract.getJsonArray("security");
      boolean securedByDefault = global != null && !global.isEmpty();
      JsonObject paths = contract.getJsonObject("paths");
      for (String path : paths.fieldNames()) {
        JsonObject item = paths.getJsonObject(path);
        for (String method : item.fieldNames()) {
          if (!(item.getValue(method) instanceof JsonObject operation) || !operation.containsKey("operationId")) {
            continue;
          }
          JsonArray own = operation.getJsonArray("security");
          if (own != null ? own.isEmpty() : !securedByDefault) {
            continue;
          }
          String verb = method.toUpperCase(java.util.Locale.ROOT);
          if (path.indexOf('{') < 0) {
            routes.exact.add(verb + ' ' + path);
          } else {
            String[] segments = (verb + path).split("/", -1);
            for (int i = 1; i < segments.length; i++) {
              if (segments[i].startsWith("{")) {
                segments[i] = null;
              }
            }
            routes.templates.add(segments);
          }
        }
      }
      return routes;
    }

    boolean takesToken(HttpMethod method, String path) {
      if (path == null) {
        return false;
      }
      String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
      String verb = method.name();
      if (exact.contains(verb + ' ' + p)) {
        return true;
      }
      String[] segments = (verb + p).split("/", -1);
      for (String[] template : templates) {
        if (matches(template, segments)) {
          return true;
        }
      }
      return false;
    }

    private static boolean matches(String[] template, String[] segments) {
      if (template.length != segments.length) {
        return false;
      }
      for (int i = 0; i < segments.length; i++) {
        if (template[i] == null ? segments[i].isEmpty() : !template[i].equals(segments[i])) {
          return false;
        }
      }
      return true;
    }
  }
}
