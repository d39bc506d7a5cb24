package org.orchestrator.platform.database;

import io.vertx.pgclient.PgConnectOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Where the orchestrator's tables are: one PostgreSQL database and the schema inside it. Gives the
 * same target both to the reactive pool and to Flyway's JDBC connection.
 */
public record DatabaseEndpoint(String host, int port, String database, String user, String password,
    String schema) {

  /** Reads {@code postgresql://user:password@host:port/database}. */
  public static DatabaseEndpoint fromUrl(String url, String schema) {
    PgConnectOptions options;
    try {
      options = PgConnectOptions.fromUri(url);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a PostgreSQL URL (postgresql://user:pass@host:port/db): "
          + redact(url), e);
    }
    return new DatabaseEndpoint(options.getHost(), options.getPort(), options.getDatabase(),
        options.getUser(), options.getPassword(), schema);
  }

  public DatabaseEndpoint withSchema(String newSchema) {
    return new DatabaseEndpoint(host, port, database, user, password, newSchema);
  }

  /** Options for vertx-pg-client, with {@code search_path} set to the schema. */
  public PgConnectOptions connectOptions() {
    PgConnectOptions options = new PgConnectOptions()
        .setHost(host).setPort(port).setDatabase(database).setUser(user)
        .setCachePreparedStatements(true)
        .setPipeliningLimit(256);
    if (password != null) {
      options.setPassword(password);
    }
    options.addProperty("search_path", schema);
    options.addProperty("application_name", "orchestrator");
    return options;
  }

  /** The {@code postgresql://} URL, password included (for configuration, never for logs). */
  public String url() {
    String credentials = password == null ? user : user + ":" + URLEncoder.encode(password, StandardCharsets.UTF_8);
    return "postgresql://" + credentials + "@" + host + ":" + port + "/" + database;
  }

  /** JDBC URL for Flyway (credentials are passed separately). */
  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/"
        + URLEncoder.encode(database, StandardCharsets.UTF_8);
  }

  /** The URL without the password, for logs. */
  public String describe() {
    return "postgresql://" + user + "@" + host + ":" + port + "/" + database + " (schema " + schema + ")";
  }

  private static String redact(String url) {
    return url == null ? "null" : url.replaceAll("://([^:/@]+):[^@]*@", "://$1:***@");
  }

  @Override
  public String toString() {
    return describe();
  }
}
