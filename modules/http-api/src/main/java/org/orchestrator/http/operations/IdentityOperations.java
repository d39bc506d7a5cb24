package org.orchestrator.http.operations;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.Role;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.contracts.identity.IdentityMessages.CreateTenant;
import org.orchestrator.contracts.identity.IdentityMessages.CreateUser;
import org.orchestrator.contracts.identity.IdentityMessages.GrantType;
import org.orchestrator.contracts.identity.IdentityMessages.IssueToken;
import org.orchestrator.contracts.identity.IdentityMessages.IssuedToken;
import org.orchestrator.contracts.identity.IdentityMessages.ListTenants;
import org.orchestrator.contracts.identity.IdentityMessages.ListAudit;
import org.orchestrator.contracts.identity.IdentityMessages.ListUsers;
import org.orchestrator.contracts.identity.IdentityMessages.ManageUser;
import org.orchestrator.http.support.ErrorReplies;
import org.orchestrator.http.support.Requests;
import org.orchestrator.http.support.SignInThrottle;

/** Sign-in, tenants and users. */
public final class IdentityOperations {

  private final EventBus bus;
  private final SignInThrottle throttle;

  private IdentityOperations(EventBus bus, SignInThrottle throttle) {
    this.bus = bus;
    this.throttle = throttle;
  }

  public static void bind(Operations operations, EventBus bus, SignInThrottle throttle) {
    IdentityOperations identity = new IdentityOperations(bus, throttle);
    // form bodies are outside what the OpenAPI validator reads: this route checks its own input
    operations.handler("issueToken", identity::issueToken).setDoValidation(false);
    operations.bus("createTenant", Addresses.IDENTITY_TENANT_CREATE,
        ctx -> new CreateTenant(Requests.human(ctx), Requests.body(ctx).getString("name")), JsonViews::tenant);
    operations.bus("listTenants", Addresses.IDENTITY_TENANT_LIST, ctx -> new ListTenants(Requests.human(ctx)),
        list -> JsonViews.items(list.items(), JsonViews::tenant));
    operations.bus("createUser", Addresses.IDENTITY_USER_CREATE, ctx -> {
      JsonObject body = Requests.body(ctx);
      return new CreateUser(Requests.human(ctx), body.getString("username"), body.getString("password"),
          Role.ofClaim(body.getString("role")), body.getLong("tenantId"));
    }, JsonViews::user);
    operations.bus("listUsers", Addresses.IDENTITY_USER_LIST,
        ctx -> new ListUsers(Requests.human(ctx), Requests.queryLong(ctx, "tenantId")),
        list -> JsonViews.items(list.items(), JsonViews::user));
    operations.bus("deleteUser", Addresses.IDENTITY_USER_DELETE,
        ctx -> new ManageUser(Requests.human(ctx), Requests.pathLong(ctx, "id")), deleted -> null);
    operations.bus("disableUser", Addresses.IDENTITY_USER_DISABLE,
        ctx -> new ManageUser(Requests.human(ctx), Requests.pathLong(ctx, "id")), JsonViews::user);
    operations.bus("enableUser", Addresses.IDENTITY_USER_ENABLE,
        ctx -> new ManageUser(Requests.human(ctx), Requests.pathLong(ctx, "id")), JsonViews::user);
    operations.bus("listAuditLogs", Addresses.IDENTITY_AUDIT_LIST,
        ctx -> new ListAudit(Requests.human(ctx), Requests.queryLong(ctx, "tenantId"),
            Requests.page(ctx, JobOperations.DEFAULT_PAGE_SIZE)),
        page -> JsonViews.page(page, JsonViews::audit));
  }

  /**
   * OAuth2-style token endpoint: {@code application/x-www-form-urlencoded} or JSON. Fields it does
   * not know (an OAuth client's {@code scope}, {@code client_id} with the password grant) are
   * ignored. Errors carry OAuth2's {@code error} and {@code error_description} (RFC 6749, 5.2)
   * beside {@code code, message, errorCode}, so OAuth clients such as Swagger UI show why.
   */
  private void issueToken(RoutingContext ctx) {
    Future<IssuedToken> issued;
    try {
      issued = issue(ctx);
    } catch (RuntimeException e) {
      issued = Future.failedFuture(e);
    }
    issued.onComplete(token -> ctx.response().setStatusCode(200)
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(new JsonObject()
            .put("access_token", token.accessToken())
            .put("token_type", "Bearer")
            .put("expires_in", token.expiresInSeconds()).encode()), failure -> tokenError(ctx, failure));
  }

  private static void tokenError(RoutingContext ctx, Throwable cause) {
    Failure failure = ErrorReplies.map(cause, 0);
    String error = switch (failure.code()) {
      case BAD_REQUEST -> failure.getMessage().startsWith("grant_type") ? "unsupported_grant_type" : "invalid_request";
      case UNAUTHORIZED -> "invalid_grant";
      case TOO_MANY_REQUESTS, UNAVAILABLE -> "temporarily_unavailable";
      default -> null;
    };
    if (error == null) {
      ctx.fail(cause); // the one failure handler logs what is not the caller's fault
      return;
    }
    ErrorReplies.send(ctx.response(), failure, new JsonObject().put("error", error)
        .put("error_description", failure.getMessage()));
  }

  private Future<IssuedToken> issue(RoutingContext ctx) {
    Fields fields = Fields.of(ctx);
    String grant = fields.get("grant_type");
    IssueToken request;
    if ("password".equals(grant)) {
      String tenant = fields.get("tenant");
      String username = fields.get("username");
      int separator = username == null ? -1 : username.indexOf('\\');
      if ((tenant == null || tenant.isEmpty()) && separator > 0) {
        // "acme\alice" (Swagger's Authorize dialog has no tenant field); no user name holds a backslash
        tenant = username.substring(0, separator);
        username = username.substring(separator + 1);
      }
      request = new IssueToken(GrantType.PASSWORD, username, fields.get("password"), tenant, null, null);
    } else if ("client_credentials".equals(grant)) {
      request = new IssueToken(GrantType.CLIENT_CREDENTIALS, null, null, null, fields.get("client_id"),
          fields.get("client_secret"));
    } else {
      throw Failure.badRequest("grant_type must be password or client_credentials");
    }
    return grant.equals("password")
        ? throttle.attempt(ctx, request.tenancyName(), request.username(),
            known -> Addresses.IDENTITY_TOKEN_ISSUE.request(bus, request.known(known)))
        : Addresses.IDENTITY_TOKEN_ISSUE.request(bus, request);
  }

  /** The token request's fields, from a form or a JSON object. */
  private record Fields(MultiMap form, JsonObject json) {

    static Fields of(RoutingContext ctx) {
      String type = ctx.request().getHeader("Content-Type");
      if (type != null && type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
        return new Fields(ctx.request().formAttributes(), null);
      }
      if (type != null && type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
        JsonObject json;
        try {
          json = ctx.body().asJsonObject();
        } catch (RuntimeException e) {
          throw Failure.badRequest("the body is not a JSON object");
        }
        if (json == null) {
          throw Failure.badRequest("the body is empty");
        }
        return new Fields(null, json);
      }
      throw Failure.badRequest("send the token request as application/x-www-form-urlencoded or application/json");
    }

    String get(String name) {
      if (form != null) {
        return form.get(name);
      }
      Object value = json.getValue(name);
      if (value != null && !(value instanceof String)) {
        throw Failure.badRequest(name + " must be a string");
      }
      return (String) value;
    }
  }
}
