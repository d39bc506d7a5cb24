package org.orchestrator.http.pages;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.FaviconHandler;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The web console, served by the server itself (no CDN): {@code /console/} for tenant users (closed
 * by the gate during maintenance: browsers get the maintenance page), {@code /console/maintenance/}
 * for the host administrator (open in every phase), {@code /assets/} shared by both, and the icon a
 * browser asks every page for ({@code /favicon.ico}, open in every phase). The pages carry
 * {@link PageHeaders} (a strict Content-Security-Policy, no framing).
 */
public final class ConsoleRoutes {

  private ConsoleRoutes() {
  }

  public static void mount(Vertx vertx, Router root) {
    root.get("/favicon.ico").handler(FaviconHandler.create(vertx, "assets/favicon.ico"));
    root.route("/console/*").handler(PageHeaders::handle);
    root.getWithRegex("^/console$").handler(ctx -> ctx.redirect("/console/"));
    root.get("/console/*").handler(StaticHandler.create("console").setIndexPage("index.html")
        .setCachingEnabled(false));
    root.get("/assets/*").handler(StaticHandler.create("assets").setCachingEnabled(false));
    root.getWithRegex("^/$").handler(ctx -> ctx.redirect("/console/"));
  }
}
