package org.orchestrator.http.pages;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * The headers of the pages people sign in and act on (the sign-in page, the console, the
 * maintenance panel): a Content-Security-Policy that lets them load scripts, styles and images from
 * this origin only, talk to this origin only and post forms here only, with no inline script or
 * style at all (the pages have none) and no framing ({@code frame-ancestors 'none'}, and
 * {@code X-Frame-Options: DENY} for browsers that predate it); and {@code nosniff}. A script injected
 * into a page could then neither run nor send the token in {@code sessionStorage} anywhere, and no
 * other site can put the panel's buttons under a visitor's clicks.
 */
public final class PageHeaders {

  /** The policy of the pages: everything from this origin, nothing inline, nothing framed. */
  public static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
      + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

  private PageHeaders() {
  }

  /** A route handler: puts the headers on the response and passes the request on. */
  public static void handle(RoutingContext ctx) {
    put(ctx.response(), POLICY);
    ctx.next();
  }

  /** Puts {@code policy} and the framing and sniffing refusals on {@code response}. */
  public static void put(HttpServerResponse response, String policy) {
    response.putHeader("Content-Security-Policy", policy)
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("X-Content-Type-Options", "nosniff");
  }
}
