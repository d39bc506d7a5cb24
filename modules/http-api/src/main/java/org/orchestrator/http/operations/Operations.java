package org.orchestrator.http.operations;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.orchestrator.contracts.Caller;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.Role;
import org.orchestrator.contracts.bus.BusAddress;
import org.orchestrator.http.support.Requests;

/**
 * Binds the contract's operations ({@code openapi.json}) to what answers them. What every operation
 * shares is done here, once:
 * <ul>
 *   <li>the operation's {@code x-roles} is checked first: a token of another role gets 403 before
 *       anything else runs;</li>
 *   <li>a failure thrown while reading the request fails the request instead of escaping;</li>
 *   <li>the answer leaves with the operation's success status as the contract states it (200, 201;
 *       204 for an empty answer where the contract allows one).</li>
 * </ul>
 * Most operations are one bus request: {@link #bus} names the operation, the address, how the
 * request becomes the message and how the reply becomes JSON. Startup fails when an operation of
 * the contract is not bound, is bound twice, or has no {@code x-roles} while it takes a token.
 */
public final class Operations {

  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch");

  private final RouterBuilder builder;
  private final Map<String, Spec> specs = new HashMap<>();
  private final Set<String> bound = new TreeSet<>();

  /** What the contract says of one operation that the binding needs. */
  private record Spec(String id, Set<Role> roles, int status, boolean mayBeEmpty) {

    boolean secured() {
      return roles != null;
    }
  }

  public Operations(RouterBuilder builder, JsonObject contract) {
    this.builder = builder;
    JsonObject paths = contract.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        if (METHODS.contains(method)) {
          Spec spec = spec(item.getJsonObject(method), contract.getJsonArray("security") != null);
          specs.put(spec.id(), spec);
        }
      }
    }
  }

  private static Spec spec(JsonObject operation, boolean securedByDefault) {
    String id = operation.getString("operationId");
    boolean secured = operation.containsKey("security") ? !operation.getJsonArray("security").isEmpty()
        : securedByDefault;
    Set<Role> roles = null;
    if (secured) {
      if (operation.getJsonArray("x-roles") == null || operation.getJsonArray("x-roles").isEmpty()) {
        throw new IllegalStateException("operation " + id + " takes a token but has no x-roles in openapi.json");
      }
      roles = EnumSet.noneOf(Role.class);
      for (Object claim : operation.getJsonArray("x-roles")) {
        roles.add(Role.ofClaim((String) claim));
      }
    }
    List<Integer> success = new ArrayList<>();
    for (String code : operation.getJsonObject("responses").fieldNames()) {
      if (code.startsWith("2")) {
        success.add(Integer.parseInt(code));
      }
    }
    if (success.isEmpty()) {
      throw new IllegalStateException("operation " + id + " has no success response in openapi.json");
    }
    int status = success.stream().filter(code -> code != 204).min(Integer::compare).orElse(204);
    return new Spec(id, roles, status, success.contains(204));
  }

  /**
   * An operation answered by one request to {@code address}: {@code message} reads the request
   * (throwing a {@link Failure} for bad input), {@code view} turns the reply into the answer's JSON
   * (null: an empty answer, where the contract has one).
   */
  public <Q, R> OpenAPIRoute bus(String operationId, BusAddress<Q, R> address, Function<RoutingContext, Q> message,
      Function<R, JsonObject> view) {
    return reply(operationId, ctx -> address.request(ctx.vertx().eventBus(), message.apply(ctx)).map(view));
  }

  /** An operation whose answer is a future of JSON (null: an empty answer, where the contract has one). */
  public OpenAPIRoute reply(String operationId, Function<RoutingContext, Future<JsonObject>> answer) {
    Spec spec = bind(operationId);
    return route(spec, ctx -> {
      Future<JsonObject> result;
      try {
        result = answer.apply(ctx);
      } catch (RuntimeException e) {
        ctx.fail(e);
        return;
      }
      result.onComplete(json -> respond(ctx, spec, json), ctx::fail);
    });
  }

  /**
   * An operation that writes its own response (a stream, a channel, an answer with its own
   * status); a failure it throws fails the request.
   */
  public OpenAPIRoute handler(String operationId, Handler<RoutingContext> handler) {
    return route(bind(operationId), ctx -> {
      try {
        handler.handle(ctx);
      } catch (RuntimeException e) {
        ctx.fail(e);
      }
    });
  }

  /** Fails unless every operation of the contract has been bound. */
  public void requireAllBound() {
    Set<String> missing = new TreeSet<>(specs.keySet());
    missing.removeAll(bound);
    if (!missing.isEmpty()) {
      throw new IllegalStateException("operations of openapi.json without a binding: " + missing);
    }
  }

  private Spec bind(String operationId) {
    Spec spec = specs.get(operationId);
    if (spec == null) {
      throw new IllegalStateException("no operation " + operationId + " in openapi.json");
    }
    if (!bound.add(operationId)) {
      throw new IllegalStateException("operation " + operationId + " is bound twice");
    }
    return spec;
  }

  private OpenAPIRoute route(Spec spec, Handler<RoutingContext> handler) {
    OpenAPIRoute route = builder.getRoute(spec.id());
    if (spec.secured()) {
      route.addHandler(ctx -> {
        try {
          permit(spec, Requests.caller(ctx));
        } catch (Failure refused) {
          ctx.fail(refused);
          return;
        }
        ctx.next();
      });
    }
    return route.addHandler(handler);
  }

  private static void permit(Spec spec, Caller caller) {
    if (!spec.roles().contains(caller.role())) {
      throw Failure.forbidden(spec.id() + " is for " + spec.roles().stream().map(Role::claim)
          .collect(Collectors.joining(" or ")) + "; this token's role is " + caller.role().claim());
    }
  }

  private static void respond(RoutingContext ctx, Spec spec, JsonObject json) {
    if (json == null) {
      if (!spec.mayBeEmpty()) {
        ctx.fail(new IllegalStateException(spec.id() + " answered nothing, and its contract has no empty answer"));
        return;
      }
      ctx.response().setStatusCode(204).end();
      return;
    }
    if (spec.status() == 204) {
      ctx.response().setStatusCode(204).end();
      return;
    }
    ctx.response().setStatusCode(spec.status()).putHeader("Content-Type", "application/json").end(json.encode());
  }
}
