package org.orchestrator.http.support;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.orchestrator.contracts.bus.RequestContext;

/**
 * First on every route: the request's id ({@code X-Request-Id} when the client sent an acceptable
 * one, else a new one) is put on the request's context, so every bus hop and log line of the
 * request carries it, and is sent back in the response's {@code X-Request-Id}.
 */
public final class RequestIdHandler implements Handler<RoutingContext> {

  public static final String HEADER = "X-Request-Id";

  @Override
  public void handle(RoutingContext ctx) {
    String id = RequestContext.accept(ctx.request().getHeader(HEADER));
    RequestContext.enter(id);
    ctx.response().putHeader(HEADER, id);
    ctx.next();
  }
}
