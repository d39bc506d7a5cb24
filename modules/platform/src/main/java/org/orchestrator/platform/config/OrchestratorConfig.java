package org.orchestrator.platform.config;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything the orchestrator is configured with, read once at start by {@link ConfigLoader}.
 *
 * @param dataDir where the embedded database, the token signing key and the initial admin password live
 * @param http the HTTP listener
 * @param database where PostgreSQL is
 * @param security token and password settings
 */
public record OrchestratorConfig(Path dataDir, Http http, Database database, Security security, Jobs jobs,
    Scheduler scheduler, Maintenance maintenance, Bridge bridge, Webhooks webhooks, Retention retention) {

  /**
   * {@code retention.maxRowsPerSecond} when not set: rows a run reads or deletes a second. The
   * highest pace measured that kept the p99 of 2,000 robots beside a run within 1.2 times their p99
   * without it (4,000 gave 1.20 and 1.25, 10,000 gave 1.64; docs/benchmarks.md, "Retention"), and
   * still about 170 million rows a day: whole days leave by DROP, which the pace does not hold.
   */
  public static final int DEFAULT_RETENTION_ROWS_PER_SECOND = 2_000;

  /**
   * Retention of finished rows (the policy itself is data: {@code PUT /api/Retention}).
   *
   * @param intervalSeconds a run starts this long after the last one started (on one node at a time)
   * @param archiveDir where archive files go ({@code <tenantId>/<table>/<yyyy-mm-dd>[-<n>].jsonl.gz})
   * @param batchRows rows read or deleted by one statement (each in its own short transaction)
   * @param fileRows rows at most in one archive file
   * @param maxRowsPerSecond rows a run reads or deletes a second at most, so that robots' requests keep
   *     their latency while it goes (0: as fast as the database goes)
   */
  public record Retention(long intervalSeconds, Path archiveDir, int batchRows, int fileRows, int maxRowsPerSecond) {

    public Retention {
      if (intervalSeconds < 60 || intervalSeconds > 7 * 86_400) {
        throw new IllegalArgumentException("retention.intervalSeconds must be 60 to 604800, got " + intervalSeconds);
      }
      if (batchRows < 1 || batchRows > 10_000 || fileRows < batchRows || fileRows > 1_000_000) {
        throw new IllegalArgumentException("retention.batchRows must be 1 to 10000 and retention.fileRows "
            + "batchRows to 1000000");
      }
      if (maxRowsPerSecond < 0 || maxRowsPerSecond > 10_000_000) {
        throw new IllegalArgumentException("retention.maxRowsPerSecond must be 0 (no limit) to 10000000, got "
            + maxRowsPerSecond);
      }
    }
  }

  /**
   * Delivery of maintenance events to tenants' receivers.
   *
   * @param initialBackoffMillis the wait after a first failed attempt; it doubles with each failure
   * @param maxBackoffMillis the longest wait between two attempts
   * @param retryForSeconds a delivery is given up this long after its event (default 24 h)
   * @param timeoutMillis an attempt (connect, send, answer) fails after this long
   * @param maxResponseBytes a receiver's answer is read up to this much, then its connection is closed
   * @param allowPrivateTargets receivers on loopback, private and link-local addresses are allowed
   *     (off by default: a tenant could otherwise make the server call into its own network)
   * @param pollMillis how often the outbox is looked at (new events are also acted on at once)
   */
  public record Webhooks(long initialBackoffMillis, long maxBackoffMillis, long retryForSeconds, long timeoutMillis,
      int maxResponseBytes, boolean allowPrivateTargets, long pollMillis) {

    public Webhooks {
      if (initialBackoffMillis < 1 || maxBackoffMillis < initialBackoffMillis || retryForSeconds < 1
          || timeoutMillis < 1 || maxResponseBytes < 1 || pollMillis < 1) {
        throw new IllegalArgumentException("webhooks: every duration and size must be positive, and "
            + "maxBackoffMillis at least initialBackoffMillis");
      }
    }
  }

  /**
   * The TCP event-bus bridge for scripted maintenance.
   *
   * @param host interface to bind (loopback by default)
   * @param port port; 0 picks a free one; -1 turns the bridge off
   * @param maxFrameBytes a frame declaring a longer body is answered with an error and the connection closed
   * @param maxConnections connections beyond this many are refused at once
   * @param idleTimeoutSeconds a connection that sends no whole frame for this long (and has no
   *     subscription) is closed
   * @param maxConnectionsPerAddress connections from one client address beyond this many are refused
   *     at once (behind a proxy every client has the proxy's address: raise it)
   * @param unauthenticatedTimeoutSeconds a connection that has not presented a valid host
   *     administrator token this long after it opened is closed, whatever it sends
   * @param tls the bridge speaks TLS with the HTTP API's certificate ({@code http.tls})
   */
  public record Bridge(String host, int port, int maxFrameBytes, int maxConnections, int idleTimeoutSeconds,
      int maxConnectionsPerAddress, int unauthenticatedTimeoutSeconds, boolean tls) {

    public Bridge {
      if (maxFrameBytes < 64 || maxConnections < 1 || idleTimeoutSeconds < 1 || maxConnectionsPerAddress < 1
          || unauthenticatedTimeoutSeconds < 1) {
        throw new IllegalArgumentException("bridge.maxFrameBytes must be at least 64, bridge.maxConnections, "
            + "bridge.idleTimeoutSeconds, bridge.maxConnectionsPerAddress and bridge.unauthenticatedTimeoutSeconds "
            + "at least 1");
      }
    }

    public boolean enabled() {
      return port >= 0;
    }
  }

  /**
   * @param retryAfterSeconds the {@code Retry-After} of maintenance 503s to people and scripts
   * @param robotRetryAfterSeconds the {@code Retry-After} of maintenance 503s to robots (Suspended):
   *     robots are back at work within this long of End
   */
  /**
   * @param stalledAfterSeconds a drain with jobs left is <em>stalled</em> once no job of it has ended
   *     for this long (progress.stalled, the panel, the CLI, orchestrator_drain_stalled_seconds)
   */
  /**
   * @param robotReturnSpreadSeconds robots are told to come back after a random share of this many
   *     seconds on top of robotRetryAfterSeconds (each 503 while Suspended, the push channel's
   *     {@code suspended} and {@code resumed} events), so that a fleet returns over a slope, not at once
   */
  public record Maintenance(int retryAfterSeconds, int robotRetryAfterSeconds, int stalledAfterSeconds,
      int robotReturnSpreadSeconds) {

    public static final int DEFAULT_STALLED_AFTER_SECONDS = 30;

    public Maintenance {
      if (robotReturnSpreadSeconds < 0 || robotReturnSpreadSeconds > 3_600) {
        throw new IllegalArgumentException("maintenance.robotReturnSpreadSeconds must be 0 to 3600, got "
            + robotReturnSpreadSeconds);
      }
      if (stalledAfterSeconds < 1 || stalledAfterSeconds > 86_400) {
        throw new IllegalArgumentException("maintenance.stalledAfterSeconds must be 1 to 86400, got "
            + stalledAfterSeconds);
      }
    }
  }

  /**
   * @param heartbeatGraceSeconds a robot silent for longer is shown as disconnected
   * @param robotDeadAfterSeconds a robot silent for longer is Disconnected: its unfinished jobs become
   *     Faulted ("robot unresponsive"); default 120; 0 never. Not while Suspended, nor within this
   *     long after Suspended ends or after the node starts
   */
  /**
   * @param startsPerSecond how many new jobs this node hands out a second at most (robots' heartbeats
   *     beyond it get their job at a later one); 0 = no pace. After End the whole fleet asks at once
   * @param startBurst how many may be handed out at once before the pace holds (at least 1)
   */
  public record Jobs(int heartbeatGraceSeconds, int robotDeadAfterSeconds, double startsPerSecond, int startBurst) {

    public Jobs {
      if (!(startsPerSecond >= 0) || startsPerSecond > 1_000_000) {
        throw new IllegalArgumentException("jobs.startsPerSecond must be 0 (no pace) to 1000000, got " + startsPerSecond);
      }
      if (startBurst < 1 || startBurst > 1_000_000) {
        throw new IllegalArgumentException("jobs.startBurst must be 1 to 1000000, got " + startBurst);
      }
    }
  }

  /**
   * @param tickMillis how often due schedules are looked for
   * @param misfireThresholdSeconds how late a fire may be claimed and still run: every fire due within
   *     this long of the tick runs (or is skipped in maintenance), each once; a schedule behind by more
   *     (no node ran the scheduler) runs its first missed fire once and records the rest as one Missed skip
   * @param catchUpSpreadSeconds over how long after a window the catch-up jobs of RunOnce
   *     schedules start (evenly), so that thousands of them do not start at once
   */
  public record Scheduler(long tickMillis, int catchUpSpreadSeconds, int misfireThresholdSeconds) {

    public Scheduler {
      if (tickMillis < 1 || catchUpSpreadSeconds < 0 || catchUpSpreadSeconds > 86_400) {
        throw new IllegalArgumentException("scheduler.tickMillis must be positive and scheduler.catchUpSpreadSeconds "
            + "0 to 86400, got " + tickMillis + " and " + catchUpSpreadSeconds);
      }
      if (misfireThresholdSeconds < 1 || misfireThresholdSeconds > 3_600) {
        throw new IllegalArgumentException("scheduler.misfireThresholdSeconds must be 1 to 3600, got "
            + misfireThresholdSeconds);
      }
    }
  }

  /**
   * @param host interface to bind
   * @param port port to listen on; 0 picks a free one
   * @param maxBodyBytes larger request bodies are refused with 413
   * @param headerTimeoutSeconds a new connection must send its request's headers within this
   * @param idleTimeoutSeconds a kept-alive connection must start its next request within this
   * @param requestTimeoutSeconds a request must be complete and answered (or its answer begun) within this
   * @param maxConnections beyond this many open connections requests are refused (503) and closed
   * @param instances instances of the HTTP verticle serving the port; 0 (the default): one per event
   *     loop (twice the cores)
   * @param maxConnectionsPerAddress connections one client address may hold of {@code maxConnections};
   *     beyond it its new connections are refused like those beyond the cap (behind a reverse proxy
   *     every client has the proxy's address: raise it to {@code maxConnections})
   * @param maxUnauthenticatedBodyBytes the body limit of every request that is not to an operation
   *     taking a bearer token (sign-in, pages, unknown paths): larger bodies are refused with 413
   * @param maxBodyBytesInFlight request body bytes the node reads at once, over all connections (a
   *     body counts its {@code Content-Length}, a chunked one its route's limit, from the moment it is
   *     admitted until its request is answered); beyond it a request is answered 503 before its body
   *     is read. 0: an eighth of the JVM's maximum heap
   * @param trustedProxies CIDRs (or single addresses) of the reverse proxies and load balancers in
   *     front of the node: from them, and only from them, the client's address is read from
   *     {@code forwardedHeader}
   * @param forwardedHeader the header the proxies set: {@code X-Forwarded-For} or {@code Forwarded}
   * @param tls the node's certificate; off when it names no files
   */
  public record Http(String host, int port, long maxBodyBytes, int headerTimeoutSeconds, int idleTimeoutSeconds,
      int requestTimeoutSeconds, int maxConnections, int instances, int maxConnectionsPerAddress,
      long maxUnauthenticatedBodyBytes, long maxBodyBytesInFlight, List<String> trustedProxies,
      String forwardedHeader, Tls tls) {

    public Http {
      if (maxConnectionsPerAddress < 1 || maxUnauthenticatedBodyBytes < 1 || maxBodyBytesInFlight < 0) {
        throw new IllegalArgumentException("http.maxConnectionsPerAddress and http.maxUnauthenticatedBodyBytes must be "
            + "at least 1, http.maxBodyBytesInFlight 0 (an eighth of the heap) or more");
      }
      if (!forwardedHeader.equalsIgnoreCase("X-Forwarded-For") && !forwardedHeader.equalsIgnoreCase("Forwarded")) {
        throw new IllegalArgumentException("http.forwardedHeader must be X-Forwarded-For or Forwarded (the header "
            + "your proxies set), got '" + forwardedHeader + "'");
      }
      trustedProxies = List.copyOf(trustedProxies);
    }

    /** The scheme clients use: {@code https} when the node has a certificate. */
    public String scheme() {
      return tls.enabled() ? "https" : "http";
    }

    /** {@code maxBodyBytesInFlight} as the node applies it: 0 is an eighth of the maximum heap; never below one body. */
    public long bodyBytesInFlight() {
      long budget = maxBodyBytesInFlight > 0 ? maxBodyBytesInFlight : Runtime.getRuntime().maxMemory() / 8;
      return Math.max(budget, Math.max(maxBodyBytes, maxUnauthenticatedBodyBytes));
    }

    /** Where a tool on this machine reaches the API: the wildcard address becomes localhost. */
    public String clientUrl() {
      return scheme() + "://" + clientHost(host) + ":" + port;
    }
  }

  /**
   * TLS of the HTTP API (and of the bridge, with {@code bridge.tls}): a PEM certificate chain and
   * its private key, read again when either file changes (checked every {@code reloadSeconds}).
   *
   * @param certFile the certificate chain (PEM), or null: plain HTTP
   * @param keyFile the private key (PEM, PKCS#8 or PKCS#1)
   */
  public record Tls(Path certFile, Path keyFile, int reloadSeconds) {

    public Tls {
      if ((certFile == null) != (keyFile == null)) {
        throw new IllegalArgumentException("http.tls.certFile (ORCH_TLS_CERT) and http.tls.keyFile (ORCH_TLS_KEY) "
            + "go together: set both, or neither for plain HTTP");
      }
      if (reloadSeconds < 1 || reloadSeconds > 86_400) {
        throw new IllegalArgumentException("http.tls.reloadSeconds must be 1 to 86400, got " + reloadSeconds);
      }
    }

    public boolean enabled() {
      return certFile != null;
    }
  }

  /** A host a client can connect to: {@code 0.0.0.0} and {@code ::} (listen everywhere) mean this machine. */
  public static String clientHost(String host) {
    if (host == null || host.isBlank() || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
      return "localhost";
    }
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  /**
   * @param url {@code postgresql://user:pass@host:port/db}; {@code null} starts the embedded server
   * @param poolSize connections in the pool
   * @param schema the schema every table lives in
   */
  public record Database(String url, int poolSize, String schema) {

    public boolean embedded() {
      return url == null || url.isBlank();
    }
  }

  /**
   * @param issuer the {@code iss} and {@code aud} of every token
   * @param tokenTtlSeconds lifetime of an access token
   * @param passwordIterations PBKDF2 iterations for stored password hashes
   * @param hostAdminPassword the first host admin's password; {@code null} generates one
   * @param keyDirectory where the token signing key lives; nodes of one deployment must share it
   */
  public record Security(String issuer, int tokenTtlSeconds, int passwordIterations,
      String hostAdminPassword, Path keyDirectory, int verifiedTokenCache) {

    @Override
    public String toString() {
      return "Security[issuer=" + issuer + ", tokenTtlSeconds=" + tokenTtlSeconds
          + ", passwordIterations=" + passwordIterations + "]";
    }
  }

  /** Reads the merged configuration tree; absent keys take the defaults in {@code defaults.yaml}. */
  public static OrchestratorConfig fromJson(JsonObject json) {
    JsonObject http = json.getJsonObject("http", new JsonObject());
    JsonObject db = json.getJsonObject("database", new JsonObject());
    JsonObject security = json.getJsonObject("security", new JsonObject());
    JsonObject jobs = json.getJsonObject("jobs", new JsonObject());
    JsonObject scheduler = json.getJsonObject("scheduler", new JsonObject());
    JsonObject maintenance = json.getJsonObject("maintenance", new JsonObject());
    JsonObject bridge = json.getJsonObject("bridge", new JsonObject());
    JsonObject webhooks = json.getJsonObject("webhooks", new JsonObject());
    JsonObject retention = json.getJsonObject("retention", new JsonObject());
    String archiveDir = retention.getString("archiveDir");
    Path dataDir = Path.of(json.getString("dataDir", "data")).toAbsolutePath().normalize();
    String keyDirectory = security.getString("keyDirectory");
    return new OrchestratorConfig(
        dataDir,
        new Http(http.getString("host", "0.0.0.0"), http.getInteger("port", 8080),
            http.getLong("maxBodyBytes", 4L * 1024 * 1024), http.getInteger("headerTimeoutSeconds", 10),
            http.getInteger("idleTimeoutSeconds", 60), http.getInteger("requestTimeoutSeconds", 60),
            http.getInteger("maxConnections", 4_096), http.getInteger("instances", 0),
            http.getInteger("maxConnectionsPerAddress", 1_024), http.getLong("maxUnauthenticatedBodyBytes", 8_192L),
            http.getLong("maxBodyBytesInFlight", 0L), strings(http.getValue("trustedProxies"), "http.trustedProxies"),
            http.getString("forwardedHeader", "X-Forwarded-For"), tls(http.getJsonObject("tls", new JsonObject()))),
        new Database(db.getString("url"), db.getInteger("poolSize", 8),
            db.getString("schema", "public")),
        new Security(security.getString("issuer", "orchestrator"),
            security.getInteger("tokenTtlSeconds", 3600),
            security.getInteger("passwordIterations", 210_000),
            security.getString("hostAdminPassword"),
            keyDirectory == null || keyDirectory.isBlank() ? dataDir.resolve("jwt")
                : Path.of(keyDirectory).toAbsolutePath().normalize(),
            security.getInteger("verifiedTokenCache", 20_000)),
        new Jobs(jobs.getInteger("heartbeatGraceSeconds", 30), jobs.getInteger("robotDeadAfterSeconds", 120),
            number(jobs.getValue("startsPerSecond", 200), "jobs.startsPerSecond"), jobs.getInteger("startBurst", 200)),
        new Scheduler(scheduler.getLong("tickMillis", 1_000L), scheduler.getInteger("catchUpSpreadSeconds", 60),
            scheduler.getInteger("misfireThresholdSeconds", 60)),
        new Maintenance(maintenance.getInteger("retryAfterSeconds", 30),
            maintenance.getInteger("robotRetryAfterSeconds", 5),
            maintenance.getInteger("stalledAfterSeconds", Maintenance.DEFAULT_STALLED_AFTER_SECONDS),
            maintenance.getInteger("robotReturnSpreadSeconds", 10)),
        new Bridge(bridge.getString("host", "127.0.0.1"), bridge.getInteger("port", 7001),
            bridge.getInteger("maxFrameBytes", 65_536), bridge.getInteger("maxConnections", 64),
            bridge.getInteger("idleTimeoutSeconds", 60), bridge.getInteger("maxConnectionsPerAddress", 16),
            bridge.getInteger("unauthenticatedTimeoutSeconds", 10), bridge.getBoolean("tls", false)),
        new Webhooks(webhooks.getLong("initialBackoffMillis", 10_000L), webhooks.getLong("maxBackoffMillis", 3_600_000L),
            webhooks.getLong("retryForSeconds", 86_400L), webhooks.getLong("timeoutMillis", 10_000L),
            webhooks.getInteger("maxResponseBytes", 65_536), webhooks.getBoolean("allowPrivateTargets", false),
            webhooks.getLong("pollMillis", 1_000L)),
        new Retention(retention.getLong("intervalSeconds", 3_600L),
            archiveDir == null || archiveDir.isBlank() ? dataDir.resolve("archive")
                : Path.of(archiveDir).toAbsolutePath().normalize(),
            retention.getInteger("batchRows", 1_000), retention.getInteger("fileRows", 100_000),
            retention.getInteger("maxRowsPerSecond", DEFAULT_RETENTION_ROWS_PER_SECOND)));
  }

  private static double number(Object value, String key) {
    if (value instanceof Number n) {
      return n.doubleValue();
    }
    throw new IllegalArgumentException(key + " must be a number, got " + value);
  }

  private static Tls tls(JsonObject tls) {
    String cert = tls.getString("certFile");
    String key = tls.getString("keyFile");
    return new Tls(cert == null || cert.isBlank() ? null : Path.of(cert).toAbsolutePath().normalize(),
        key == null || key.isBlank() ? null : Path.of(key).toAbsolutePath().normalize(),
        tls.getInteger("reloadSeconds", 10));
  }

  /** A list of strings from YAML (a list) or the environment (one comma-separated string). */
  private static List<String> strings(Object value, String setting) {
    if (value == null) {
      return List.of();
    }
    java.util.stream.Stream<Object> items = value instanceof io.vertx.core.json.JsonArray array ? array.stream()
        : java.util.Arrays.stream(String.valueOf(value).split(",")).map(Object.class::cast);
    return items.map(item -> {
      if (!(item instanceof String text)) {
        throw new IllegalArgumentException(setting + " must be a list of addresses or CIDRs, got " + item);
      }
      return text.trim();
    }).filter(text -> !text.isEmpty()).toList();
  }
}
