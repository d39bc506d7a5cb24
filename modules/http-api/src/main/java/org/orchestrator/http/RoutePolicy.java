package org.orchestrator.http;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Set;
import org.orchestrator.contracts.phase.RouteClass;

/**
 * Which maintenance rule each route follows, read from the contract: every operation of
 * {@code openapi.json} says it in {@code x-maintenance} ({@code open}, {@code robot} or
 * {@code human}). The pages and files outside the contract that must stay reachable in
 * maintenance (the sign-in page, the maintenance console, Swagger, metrics) are listed here; every
 * other path is {@link RouteClass#HUMAN} (fail closed).
 *
 * <p>Matching is by normalized path, case-insensitive, segment by segment ({@code {id}} matches any
 * one segment). A path some operations share follows the strictest of their rules, whatever the
 * method, so that the gate never has to trust a method the router has not checked yet.
 */
public final class RoutePolicy {

  /** Outside the contract and open in every phase: each prefix and everything below it. */
  static final List<String> OPEN_FILES = List.of("/identity", "/metrics", "/openapi.json", "/swagger",
      "/favicon.ico", "/console/maintenance", "/assets");
  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");

  private final Map<String, RouteClass> exact = new HashMap<>();
  private final List<Template> templates = new ArrayList<>();

  private record Template(String[] segments, RouteClass routeClass) {

    boolean matches(String[] path) {
      if (path.length != segments.length) {
        return false;
      }
      for (int i = 0; i < path.length; i++) {
        if (segments[i] != null && !segments[i].equals(path[i])) {
          return false;
        }
      }
      return true;
    }
  }

  private RoutePolicy() {
  }

  /** The policy of {@code contract} (openapi.json): fails when an operation has no rule. */
  public static RoutePolicy fromContract(JsonObject contract) {
    RoutePolicy policy = new RoutePolicy();
    JsonObject paths = contract.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      RouteClass strictest = null;
      for (String method : item.fieldNames()) {
        if (METHODS.contains(method)) {
          JsonObject operation = item.getJsonObject(method);
          RouteClass rule = RouteClass.of(operation.getString("x-maintenance"), operation.getString("operationId"));
          strictest = strictest == null ? rule : strictest.strictest(rule);
        }
      }
      if (strictest == null) {
        continue;
      }
      String lower = path.toLowerCase(Locale.ROOT);
      if (lower.indexOf('{') < 0) {
        policy.exact.merge(lower, strictest, RouteClass::strictest);
      } else {
        String[] segments = lower.split("/", -1);
        for (int i = 0; i < segments.length; i++) {
          if (segments[i].startsWith("{")) {
            segments[i] = null;
          }
        }
        policy.templates.add(new Template(segments, strictest));
      }
    }
    return policy;
  }

  /** The rule of a normalized path (dot segments removed, as {@code RoutingContext.normalizedPath()} has it). */
  public RouteClass classify(String path) {
    String p = path == null ? "/" : path.toLowerCase(Locale.ROOT);
    RouteClass known = exact.get(p);
    if (known != null) {
      return known;
    }
    for (String open : OPEN_FILES) {
      if (p.startsWith(open) && (p.length() == open.length() || p.charAt(open.length()) == '/')) {
        return RouteClass.OPEN;
      }
    }
    if (!templates.isEmpty()) {
      String[] segments = p.split("/", -1);
      RouteClass matched = null;
      for (Template template : templates) {
        if (template.matches(segments)) {
          matched = matched == null ? template.routeClass() : matched.strictest(template.routeClass());
        }
      }
      if (matched != null) {
        return matched;
      }
    }
    return RouteClass.HUMAN;
  }
}
