package org.orchestrator.http.support;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.orchestrator.contracts.bus.RequestContext;

/**
 * First on every route: the request's id ({@code X-Request-Id} when the client sent an acceptable
 * one, else a new one) and its client's address ({@link TrustedProxies}) are put on the request's
 * context, so every bus hop and log line of the request carries them; the id is sent back in the
 * response's {@code X-Request-Id}. A request over TLS is answered with HSTS.
 */
public final class RequestIdHandler implements Handler<RoutingContext> {

  public static final String HEADER = "X-Request-Id";
  /** HSTS on every answer over TLS: browsers keep to https for a year. */
  static final String HSTS = "max-age=31536000";
  private static final String CLIENT = "orchestrator.client";

  private final TrustedProxies proxies;

  public RequestIdHandler(TrustedProxies proxies) {
    this.proxies = proxies;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String id = RequestContext.accept(ctx.request().getHeader(HEADER));
    RequestContext.enter(id);
    String client = proxies.client(ctx.request());
    RequestContext.enterClient(client);
    ctx.put(CLIENT, client);
    ctx.response().putHeader(HEADER, id);
    if (ctx.request().isSSL()) {
      ctx.response().putHeader("Strict-Transport-Security", HSTS);
    }
    ctx.next();
  }

  /** The client's address of the request (behind a trusted proxy, the one it forwarded). */
  public static String client(RoutingContext ctx) {
    String client = ctx.get(CLIENT);
    if (client != null) {
      return client;
    }
    return ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().hostAddress();
  }
}
