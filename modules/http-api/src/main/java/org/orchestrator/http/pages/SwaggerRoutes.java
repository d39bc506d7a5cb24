package org.orchestrator.http.pages;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * Swagger UI at {@code /swagger}, served from the swagger-ui webjar (no CDN: it works offline),
 * reading the contract at {@code /openapi.json}.
 */
public final class SwaggerRoutes {

  private SwaggerRoutes() {
  }

  public static void mount(Router root) {
    String version = webjarVersion();
    StaticHandler pages = StaticHandler.create("swagger").setCachingEnabled(true).setIndexPage("index.html");
    root.get("/swagger").handler(ctx -> ctx.reroute("/swagger/index.html"));
    root.get("/swagger/ui/*").handler(StaticHandler.create("META-INF/resources/webjars/swagger-ui/" + version)
        .setCachingEnabled(true).setMaxAgeSeconds(86_400));
    root.get("/swagger/*").handler(pages);
  }

  private static String webjarVersion() {
    try (InputStream in = SwaggerRoutes.class.getClassLoader().getResourceAsStream("swagger/swagger-ui.properties")) {
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version");
    } catch (IOException | NullPointerException e) {
      throw new UncheckedIOException(new IOException("swagger/swagger-ui.properties is missing", e));
    }
  }
}
