package org.orchestrator.http.operations;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.FailureCode;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.contracts.identity.IdentityMessages.GrantType;
import org.orchestrator.contracts.identity.IdentityMessages.IssueToken;
import org.orchestrator.http.support.ErrorReplies;
import org.orchestrator.http.support.Requests;
import org.orchestrator.http.support.SignInThrottle;

/**
 * UiPath's classic sign-in, for the maintenance scripts and tools UiPath teams publish:
 * {@code POST /api/Account/Authenticate} (and {@code POST /api/Account}) with
 * {@code {tenancyName, usernameOrEmailAddress, password}}, answered in ABP's envelope
 * {@code {result: <JWT>, targetUrl: null, success: true, error: null}}. The token is the one
 * {@code /identity/connect/token} issues. Failures carry the envelope ({@code success: false},
 * {@code error: {code, message}}) and our {@code {code, message, errorCode}} side by side.
 */
public final class AccountOperations {

  private AccountOperations() {
  }

  public static void bind(Operations operations, SignInThrottle throttle) {
    for (String operation : new String[] {"accountAuthenticate", "accountSignIn"}) {
      operations.reply(operation, ctx -> authenticate(ctx, throttle)).addFailureHandler(AccountOperations::envelopeFailure);
    }
  }

  private static Future<JsonObject> authenticate(RoutingContext ctx, SignInThrottle throttle) {
    JsonObject body = Requests.body(ctx);
    IssueToken request = new IssueToken(GrantType.PASSWORD, body.getString("usernameOrEmailAddress"),
        body.getString("password"), body.getString("tenancyName"), null, null);
    return throttle.attempt(ctx, request.tenancyName(), request.username(),
        known -> Addresses.IDENTITY_TOKEN_ISSUE.request(ctx.vertx().eventBus(), request.known(known))).map(token -> new JsonObject()
        .put("result", token.accessToken())
        .putNull("targetUrl")
        .put("success", true)
        .putNull("error")
        .put("unAuthorizedRequest", false)
        .put("__abp", true));
  }

  /** Every failure of these routes in both shapes: ABP's envelope and ours. */
  private static void envelopeFailure(RoutingContext ctx) {
    Failure failure = ErrorReplies.map(ctx.failure(), ctx.statusCode());
    if (failure.code() == FailureCode.INTERNAL) {
      ctx.next();
      return;
    }
    JsonObject body = ErrorReplies.body(failure)
        .putNull("result")
        .putNull("targetUrl")
        .put("success", false)
        .put("error", new JsonObject().put("code", failure.code().errorCode()).put("message", failure.getMessage())
            .putNull("details").putNull("validationErrors"))
        .put("unAuthorizedRequest", failure.code() == FailureCode.UNAUTHORIZED)
        .put("__abp", true);
    ctx.response().setStatusCode(failure.code().httpStatus()).putHeader("Content-Type", "application/json")
        .end(body.encode());
  }
}
