package org.orchestrator.http.pages;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The sign-in page at {@code /identity} (and {@code /identity/}), where the seed's End procedure
 * begins: open in every phase (the gate keeps {@code /identity} open), it signs a host or tenant
 * user in through {@code POST /identity/connect/token} and links to the maintenance panel and
 * Swagger, which find the token in the tab's {@code sessionStorage}. It carries {@link PageHeaders}
 * (a strict Content-Security-Policy, no framing).
 */
public final class SignInPageRoutes {

  private SignInPageRoutes() {
  }

  public static void mount(Router root) {
    root.getWithRegex("^/identity(/.*)?$").handler(PageHeaders::handle);
    root.getWithRegex("^/identity/?$").handler(ctx -> ctx.reroute("/identity/index.html"));
    root.get("/identity/*").handler(StaticHandler.create("identity").setCachingEnabled(false));
  }
}
