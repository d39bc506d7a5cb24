package org.orchestrator.cli;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.orchestrator.platform.config.ConfigLoader;
import org.orchestrator.platform.config.OrchestratorConfig;
import io.vertx.core.net.NetClientOptions;
import io.vertx.ext.web.client.WebClientOptions;
import org.orchestrator.platform.security.ClientTrust;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * The operator's maintenance tool. Exit codes, for upgrade scripts:
 * <table>
 *   <caption>exit codes</caption>
 *   <tr><td>0</td><td>done</td></tr>
 *   <tr><td>2</td><td>the server refused (bad input, illegal transition, Suspended with jobs running)</td></tr>
 *   <tr><td>3</td><td>not signed in or not allowed (wrong password, not the host administrator)</td></tr>
 *   <tr><td>4</td><td>{@code wait} timed out</td></tr>
 *   <tr><td>5</td><td>the server (bridge or HTTP) cannot be reached</td></tr>
 *   <tr><td>64</td><td>usage error (unknown option, bad value)</td></tr>
 *   <tr><td>1</td><td>anything else</td></tr>
 * </table>
 */
@Command(name = "maintenance", mixinStandardHelpOptions = true, sortOptions = false,
    versionProvider = MaintenanceCli.Version.class,
    description = "Drain, suspend and end maintenance of an orchestrator.",
    subcommands = {MaintenanceCli.Status.class, MaintenanceCli.Start.class, MaintenanceCli.Suspend.class,
        MaintenanceCli.End.class, MaintenanceCli.Log.class, MaintenanceCli.Wait.class, MaintenanceCli.Plan.class,
        MaintenanceCli.PlanList.class, MaintenanceCli.CancelPlan.class, MaintenanceCli.Exemptions.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:done", "2:refused by the server", "3:not signed in or not allowed", "4:wait timed out",
        "5:server unreachable", "64:usage error", "1:other failure"})
public final class MaintenanceCli {

  /** {@code --version}: the release and commit this tool was built from (the server's are in its Get). */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      org.orchestrator.platform.BuildInfo build = org.orchestrator.platform.BuildInfo.current();
      return new String[] {"maintenance CLI of orchestrator " + build.version() + " (commit " + build.commit() + ")"};
    }
  }

  public static final int EXIT_OK = 0;
  public static final int EXIT_OTHER = 1;
  public static final int EXIT_REFUSED = 2;
  public static final int EXIT_UNAUTHORIZED = 3;
  public static final int EXIT_TIMEOUT = 4;
  public static final int EXIT_UNREACHABLE = 5;
  public static final int EXIT_USAGE = 64;

  @Option(names = "--url", defaultValue = "${env:ORCH_URL}",
      description = "HTTP API, for sign-in and --http (default: ORCH_URL, else the server's own settings: "
          + "http.host and http.port of config/orchestrator.yaml or ORCH_CONFIG, ORCH_HTTP_PORT)")
  URI url;

  @Option(names = "--bridge", defaultValue = "${env:ORCH_BRIDGE}",
      description = "event-bus bridge host:port (default: ORCH_BRIDGE, else the server's bridge.host and "
          + "bridge.port, ORCH_BRIDGE_PORT)")
  String bridge;

  @Option(names = "--http", description = "use the HTTP API instead of the bridge")
  boolean http;

  @Option(names = "--cacert", defaultValue = "${env:ORCH_CACERT}", description = "PEM file of the certificate "
      + "authorities to trust for an https:// --url and a TLS bridge (default: ORCH_CACERT, else the JVM's own)")
  Path caCert;

  @Option(names = "--bridge-tls", arity = "0..1", defaultValue = "${env:ORCH_BRIDGE_TLS}", fallbackValue = "true",
      description = "the bridge speaks TLS (default: ORCH_BRIDGE_TLS, else the server's bridge.tls when the server "
          + "is found from its settings)")
  Boolean bridgeTls;

  @Option(names = "--token", defaultValue = "${env:ORCH_TOKEN}", description = "host admin bearer token (or ORCH_TOKEN)")
  String token;

  @Option(names = "--user", defaultValue = "admin", description = "host admin user (default: ${DEFAULT-VALUE})")
  String user;

  @Option(names = "--password", defaultValue = "${env:ORCH_PASSWORD}", description = "host admin password (or ORCH_PASSWORD)")
  String password;

  @Option(names = "--password-file", description = "file holding the password (e.g. data/initial-admin-password)")
  Path passwordFile;

  /** Whether stderr is a terminal (redrawn progress) or a file or pipe (a line per change). */
  static final boolean TERMINAL = System.console() != null;

  PrintStream out = System.out;
  PrintStream err = System.err;

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the tool and returns its exit code (never calls System.exit). */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    MaintenanceCli cli = new MaintenanceCli();
    cli.out = out;
    cli.err = err;
    CommandLine line = new CommandLine(cli);
    line.setOut(new java.io.PrintWriter(out, true)).setErr(new java.io.PrintWriter(err, true));
    line.setParameterExceptionHandler((e, a) -> {
      err.println(e.getMessage());
      e.getCommandLine().usage(err);
      return EXIT_USAGE;
    });
    line.setExecutionExceptionHandler((e, commandLine, result) -> {
      if (e instanceof CliFailure failure) {
        err.println("maintenance: " + failure.getMessage());
        return failure.exitCode;
      }
      err.println("maintenance: " + e);
      return EXIT_OTHER;
    });
    return line.execute(args);
  }

  /** Runs {@code work} with a signed-in transport, then closes everything. */
  <T> T with(Function<Transport, Future<T>> work) throws Exception {
    return withClients((web, transport) -> work.apply(transport));
  }

  /** Like {@link #with}, also giving the work an HTTP client signed in to the API (for names). */
  /**
   * One maintenance call, for the platform ({@code tenant} null) or one tenant's own window
   * ({@code tenant} a name or an id, sent as {@code tenantId}).
   */
  JsonObject scoped(String tenant, String operation, JsonObject body) throws Exception {
    if (tenant == null) {
      return with(t -> t.call(operation, body));
    }
    return withClients((api, t) -> api.tenantId(tenant, t).compose(id -> t.call(operation, body.put("tenantId", id))));
  }

  <T> T withClients(java.util.function.BiFunction<Api, Transport, Future<T>> work) throws Exception {
    Vertx vertx = Vertx.vertx();
    WebClient web = null;
    try {
      locateServer(vertx);
      ClientTrust trust;
      try {
        trust = new ClientTrust(caCert);
      } catch (IllegalArgumentException e) {
        throw new CliFailure(EXIT_USAGE, e.getMessage());
      }
      web = WebClient.create(vertx, trust.http(new WebClientOptions(), url));
      String bearer = token != null && !token.isBlank() ? token : signIn(web).await();
      Transport transport = http ? new HttpTransport(web, url, bearer) : bridgeTransport(vertx, bearer, trust).await();
      try {
        return work.apply(new Api(web, url, bearer), transport).await();
      } finally {
        transport.close();
      }
    } catch (java.util.concurrent.CompletionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    } finally {
      vertx.close().await();
    }
  }

  /**
   * The server this tool talks to: {@code --url} / {@code --bridge} (or ORCH_URL / ORCH_BRIDGE)
   * when given, else what the server itself would read (config/orchestrator.yaml or ORCH_CONFIG,
   * then ORCH_HTTP_PORT, ORCH_BRIDGE_PORT ...). Said on stderr, so that nobody talks to someone
   * else's server unawares.
   */
  void locateServer(Vertx vertx) {
    if (url == null || bridge == null) {
      OrchestratorConfig settings;
      try {
        settings = ConfigLoader.load(vertx, System.getenv()).await();
      } catch (RuntimeException e) {
        throw new CliFailure(EXIT_USAGE, "cannot read the server's settings: " + e.getMessage());
      }
      if (url == null) {
        url = URI.create(settings.http().clientUrl());
      }
      if (bridge == null) {
        bridge = OrchestratorConfig.clientHost(settings.bridge().host()) + ":" + settings.bridge().port();
        if (bridgeTls == null) {
          bridgeTls = settings.bridge().tls();
        }
      }
    }
    err.println("maintenance: server " + url + (http ? "" : ", bridge " + bridge
        + (Boolean.TRUE.equals(bridgeTls) ? " (TLS)" : "")));
  }

  /** The few HTTP reads the tool makes besides maintenance calls: tenant names. */
  record Api(WebClient web, URI url, String bearer) {

    /** Tenant id -> name, as the host administrator sees them. */
    Future<Map<Long, String>> tenantNames() {
      return web.getAbs(url.resolve("/api/Tenants").toString()).bearerTokenAuthentication(bearer).send()
          .map(response -> {
            Map<Long, String> names = new java.util.TreeMap<>();
            if (response.statusCode() == 200) {
              response.bodyAsJsonObject().getJsonArray("items").forEach(item -> names.put(
                  ((JsonObject) item).getLong("id"), ((JsonObject) item).getString("name")));
            }
            return names;
          });
    }

    /**
     * A tenant given as an id, or as a name looked up in {@code /api/Tenants} (a human route: closed
     * during maintenance, when only ids work).
     */
    Future<Long> tenantId(String tenant, Transport transport) {
      if (tenant.matches("[0-9]{1,18}")) {
        return Future.succeededFuture(Long.parseLong(tenant));
      }
      // during maintenance /api/Tenants is closed: the maintenance status names the window's tenants
      return tenantNames().compose(names -> names.isEmpty()
          ? transport.call("status", new JsonObject()).map(MaintenanceCli::namesIn) : Future.succeededFuture(names))
          .compose(names -> {
        if (names.isEmpty()) {
          return Future.failedFuture(new CliFailure(EXIT_REFUSED, "cannot look up tenant '" + tenant
              + "': no tenant names known; give its id"));
        }
        for (Map.Entry<Long, String> entry : names.entrySet()) {
          if (entry.getValue().equals(tenant) || entry.getKey().toString().equals(tenant)) {
            return Future.succeededFuture(entry.getKey());
          }
        }
        return Future.failedFuture(new CliFailure(EXIT_REFUSED, "no tenant '" + tenant + "' (tenants: "
            + names.values() + ")"));
      });
    }
  }

  /** Tenant id -> name from a maintenance status ({@code tenants[]} and {@code progress.tenants[]}). */
  static Map<Long, String> namesIn(JsonObject status) {
    Map<Long, String> names = new java.util.TreeMap<>();
    java.util.function.Consumer<io.vertx.core.json.JsonArray> read = rows -> {
      if (rows != null) {
        rows.forEach(row -> {
          JsonObject r = (JsonObject) row;
          if (r.getLong("tenantId") != null && r.getString("tenantName") != null) {
            names.put(r.getLong("tenantId"), r.getString("tenantName"));
          }
        });
      }
    };
    read.accept(status.getJsonArray("tenants"));
    read.accept(status.getJsonObject("progress", new JsonObject()).getJsonArray("tenants"));
    return names;
  }

  private Future<Transport> bridgeTransport(Vertx vertx, String bearer, ClientTrust trust) {
    int colon = bridge.lastIndexOf(':');
    if (colon < 0) {
      throw new CliFailure(EXIT_USAGE, "--bridge is host:port, not '" + bridge + "'");
    }
    return BridgeTransport.connect(vertx, bridge.substring(0, colon), Integer.parseInt(bridge.substring(colon + 1)),
        bearer, trust.bridge(new NetClientOptions().setConnectTimeout(5_000), Boolean.TRUE.equals(bridgeTls)));
  }

  private Future<String> signIn(WebClient web) throws Exception {
    String secret = password;
    if (passwordFile != null) {
      try {
        secret = Files.readString(passwordFile).trim();
      } catch (java.nio.file.NoSuchFileException e) {
        throw new CliFailure(EXIT_USAGE, "no password file " + passwordFile.toAbsolutePath()
            + " (the server writes data/initial-admin-password on its first start)");
      } catch (java.io.IOException e) {
        throw new CliFailure(EXIT_USAGE, "cannot read the password file " + passwordFile + ": " + e.getMessage());
      }
    }
    if (secret == null || secret.isBlank()) {
      throw new CliFailure(EXIT_UNAUTHORIZED, "no credentials: pass --token (ORCH_TOKEN), or --password (ORCH_PASSWORD) "
          + "or --password-file");
    }
    return web.postAbs(url.resolve("/identity/connect/token").toString())
        .sendForm(MultiMap.caseInsensitiveMultiMap().add("grant_type", "password").add("username", user)
            .add("password", secret))
        .recover(failure -> Future.failedFuture(new CliFailure(EXIT_UNREACHABLE,
            "cannot reach " + url + " to sign in: " + failure.getMessage())))
        .compose(response -> response.statusCode() == 200
            ? Future.succeededFuture(response.bodyAsJsonObject().getString("access_token"))
            : Future.failedFuture(CliFailure.fromServer(response.statusCode(),
                "sign-in refused: " + response.bodyAsString())));
  }

  static String describe(JsonObject status) {
    JsonObject progress = status.getJsonObject("progress", new JsonObject());
    StringBuilder text = new StringBuilder();
    if ("Tenant".equals(status.getString("scope"))) {
      text.append("tenant ").append(status.getString("tenantName", String.valueOf(status.getValue("tenantId"))))
          .append(", its own window: ");
    }
    if ("None".equals(status.getString("state"))) {
      return describeEnded(text, status);
    }
    text.append("state: ").append(status.getString("state"));
    if (status.getString("reason") != null) {
      text.append(" (").append(status.getString("reason")).append(")");
    }
    String since = status.getString("phaseSince", status.getString("startedAt"));
    if (since != null && !"None".equals(status.getString("state"))) {
      text.append(" since ").append(since).append(" by ").append(status.getString("startedBy"));
      if (status.getString("windowStartedAt") != null && !status.getString("windowStartedAt").equals(since)) {
        text.append(" (window opened ").append(status.getString("windowStartedAt")).append(")");
      }
    }
    if (status.getString("killDeadlineAt") != null) {
      text.append("\nkill deadline: ").append(status.getString("killDeadlineAt"))
          .append(status.getValue("deadlineSecondsLeft") != null
              ? " (in " + status.getValue("deadlineSecondsLeft") + " s)" : "");
    }
    text.append("\nremaining jobs: ").append(progress.getLong("remaining", status.getLong("remainingJobs", 0L)));
    long exempt = progress.getLong("exemptRunning", status.getLong("exemptRunning", 0L));
    if (exempt > 0) {
      text.append(" (and ").append(exempt).append(" of exempt processes running through Draining)");
    }
    if (progress.getBoolean("stalled", false)) {
      text.append(" (stalled: no job has ended for ").append(progress.getValue("stalledSeconds")).append(" s)");
    }
    text.append(", ");
    counts(text, status);
    tenantWindows(text, status);
    return text.toString();
  }

  /**
   * Not in maintenance: Get still carries the last window's reason and counts (as UiPath's does),
   * so they are told as the last window's, never as if it were open.
   */
  private static String describeEnded(StringBuilder text, JsonObject status) {
    text.append("state: None (not in maintenance)");
    if (status.getString("endedAt") != null) {
      text.append("\nlast window: ").append(status.getString("reason", "no reason given")).append(", ")
          .append(status.getString("startedAt")).append(" to ").append(status.getString("endedAt"))
          .append(", opened by ").append(status.getString("startedBy")).append("\n  ");
      counts(text, status);
    }
    JsonObject back = status.getJsonObject("return");
    if (back != null) {
      text.append("\nreturn after End: ").append(back.getLong("robotsBack", 0L)).append(" of ")
          .append(back.getLong("robotsBefore", 0L)).append(" robots back, ").append(back.getLong("jobsWaiting", 0L))
          .append(" jobs waiting to be handed out");
    }
    tenantWindows(text, status);
    return text.toString();
  }

  private static void counts(StringBuilder text, JsonObject status) {
    text.append("stops attempted: ").append(status.getLong("jobStopsAttempted", 0L))
        .append(", kills attempted: ").append(status.getLong("jobKillsAttempted", 0L))
        .append(", triggers skipped: ").append(status.getLong("triggersSkipped", 0L));
  }

  private static void tenantWindows(StringBuilder text, JsonObject status) {
    for (Object window : status.getJsonArray("tenantWindows", new io.vertx.core.json.JsonArray())) {
      JsonObject own = (JsonObject) window;
      text.append("\ntenant ").append(own.getString("tenantName", String.valueOf(own.getValue("tenantId"))))
          .append(" in its own window: ").append(own.getString("state")).append(" since ")
          .append(own.getString("phaseSince"))
          .append(own.getString("reason") == null ? "" : " (" + own.getString("reason") + ")");
    }
    nodes(text, status);
  }

  /** "nodes: 2 live, versions 0.1.0 and 0.2.0 (mixed)" and a line per node; nothing when Get has none. */
  private static void nodes(StringBuilder text, JsonObject status) {
    io.vertx.core.json.JsonArray nodes = status.getJsonArray("nodes");
    if (nodes == null) {
      return;
    }
    java.util.Set<String> versions = new java.util.TreeSet<>();
    nodes.forEach(node -> versions.add(((JsonObject) node).getString("version")));
    text.append("\nnodes: ").append(nodes.size()).append(" live");
    if (versions.size() > 1) {
      text.append(", versions ").append(String.join(" and ", versions)).append(" (mixed)");
    }
    for (Object node : nodes) {
      JsonObject one = (JsonObject) node;
      text.append("\n  ").append(one.getString("id")).append(": ").append(one.getString("version"))
          .append(" on ").append(one.getString("host")).append(", since ").append(one.getString("startedAt"));
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true, description = "Show the phase and the drain progress.")
  static final class Status implements Callable<Integer> {
    @ParentCommand
    MaintenanceCli cli;

    @Option(names = "--json", description = "print the server's JSON")
    boolean json;

    @Option(names = "--tenant", description = "one tenant's own window (name or id); without it, the whole platform")
    String tenant;

    @Override
    public Integer call() throws Exception {
      JsonObject status = cli.scoped(tenant, "status", new JsonObject());
      cli.out.println(json ? status.encodePrettily() : describe(status));
      return EXIT_OK;
    }
  }

  @Command(name = "start", mixinStandardHelpOptions = true, description = "Enter (or continue) maintenance.")
  static final class Start implements Callable<Integer> {
    @ParentCommand
    MaintenanceCli cli;

    @Option(names = "--phase", required = true, description = "draining or suspended")
    String phase;

    @Option(names = "--kill-jobs", description = "send Kill to every unfinished job")
    boolean killJobs;

    @Option(names = "--force", description = "enter Suspended although jobs still run")
    boolean force;

    @Option(names = "--kill-after", description = "drain deadline, then Kill by itself: 15m, 1h, 90s or PT15M")
    String killAfter;

    @Option(names = "--auto-suspend", description = "enter Suspended by itself once nothing runs")
    boolean autoSuspend;

    @Option(names = "--reason", description = "why, shown on the maintenance page and in the audit")
    String reason;

    @Option(names = "--tenant", description = "one tenant's own window (name or id); without it, the whole platform")
    String tenant;

    @Override
    public Integer call() throws Exception {
      JsonObject body = new JsonObject().put("phase", phase).put("killJobs", killJobs).put("force", force)
          .put("autoSuspend", autoSuspend).put("reason", reason)
          .put("killAfter", killAfter == null ? null : isoDuration(killAfter).toString());
      cli.scoped(tenant, "start", body);
      cli.out.println("maintenance" + (tenant == null ? "" : " of tenant " + tenant) + ": "
          + phase.toLowerCase(Locale.ROOT));
      return EXIT_OK;
    }
  }

  @Command(name = "suspend", mixinStandardHelpOptions = true, description = "Enter Suspended (refused while jobs run, unless --force or --kill-jobs).")
  static final class Suspend implements Callable<Integer> {
    @ParentCommand
    MaintenanceCli cli;

    @Option(names = "--force")
    boolean force;

    @Option(names = "--kill-jobs")
    boolean killJobs;

    @Option(names = "--tenant", description = "one tenant's own window (name or id); without it, the whole platform")
    String tenant;

    @Override
    public Integer call() throws Exception {
      cli.scoped(tenant, "start", new JsonObject().put("phase", "Suspended").put("force", force)
          .put("killJobs", killJobs));
      cli.out.println("maintenance" + (tenant == null ? "" : " of tenant " + tenant) + ": suspended");
      return EXIT_OK;
    }
  }

  @Command(name = "end", mixinStandardHelpOptions = true, description = "End maintenance; every tenant's log of the window is closed.")
  static final class End implements Callable<Integer> {
    @ParentCommand
    MaintenanceCli cli;

    @Option(names = "--tenant", description = "one tenant's own window (name or id); without it, the whole platform")
    String tenant;

    @Override
    public Integer call() throws Exception {
      cli.scoped(tenant, "end", new JsonObject());
      cli.out.println("maintenance" + (tenant == null ? "" : " of tenant " + tenant) + ": ended");
      return EXIT_OK;
    }
  }

  @Command(name = "plan", mixinStandardHelpOptions = true,
      description = "Plan a window: Draining starts by itself at --drain-at; tenants see it coming.")
  static final class Plan implements Callable<Integer> {
    @ParentCommand
    MaintenanceCli cli;

    @Option(names = "--drain-at", required = true,
        description = "when Draining starts: an ISO-8601 instant (2026-12-01T22:00:00Z) or +duration from now (+2h)")
    String drainAt;

    @Option(names = "--expected-end", description = "when tenants are told it ends: an instant, or +duration after --drain-at")
    String expectedEnd;

    @Option(names = "--kill-after", description = "drain deadline, then Kill by itself: 15m, 1h or PT15M")
    String killAfter;

    @Option(names = "--auto-suspend", description = "enter Suspended by itself once nothing runs")
    boolean autoSuspend;

    @Option(names = "--reason", required = true, description = "what tenants are told")
    String reason;

    @Override
    public Integer call() throws Exception {
      java.time.Instant drain = instant(drainAt, java.time.Instant.now(), "--drain-at");
      JsonObject body = new JsonObject().put("drainAt", drain.toString()).put("reason", reason)
          .put("autoSuspend", autoSuspend)
          .put("killAfter", killAfter == null ? null : isoDuration(killAfter).toString())
          .put("expectedEnd", expectedEnd == null ? null : instant(expectedEnd, drain, "--expected-end").toString());
      JsonObject plan = cli.with(t -> t.call("plan", body));
      cli.out.println(describePlan(plan));
      return EXIT_OK;
    }
  }

  /** An instant as given, or {@code +duration} after {@code base}. */
  static java.time.Instant instant(String text, java.time.Instant base, String option) {
    if (text.startsWith("+")) {
      return base.plus(isoDuration(text.substring(1)));
    }
    try {
      return java.time.OffsetDateTime.parse(text).toInstant();
    } catch (java.time.format.DateTimeParseException e) {
      throw new CliFailure(EXIT_USAGE, option + " is an ISO-8601 instant such as 2026-12-01T22:00:00Z or +2h, not '"
          + text + "'");
    }
  }

  static String describePlan(JsonObject plan) {
    StringBuilder text = new StringBuilder("plan ").append(plan.getLong("id")).append(": ")
        .append(plan.getString("state")).append(", drains at ").append(plan.getString("drainAt"));
    if (plan.getString("expectedEnd") != null) {
      text.append(", expected end ").append(plan.getString("expectedEnd"));
    }
    if (plan.getString("killAfter") != null) {
      text.append(", kill after ").append(plan.getString("killAfter"));
    }
    if (Boolean.TRUE.equals(plan.getBoolean("autoSuspend"))) {
      text.append(", auto-suspend");
    }
    if (plan.getValue("windowId") != null) {
      text.append(", window ").append(plan.getValue("windowId"));
    }
    return text.append(" (").append(plan.getString("reason")).append(")").toString();
  }

  @Command(name = "plans", mixinStandardHelpOptions = true, description = "List planned windows, newest first.")
  static final class PlanList implements Callable<Integer> {
    @ParentCommand
    MaintenanceCli cli;

    @Option(names = "--json", description = "print the server's JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
      JsonObject plans = cli.with(t -> t.call("plans", new JsonObject()));
      if (json) {
        cli.out.println(plans.encodePrettily());
      } else if (plans.getJsonArray("items").isEmpty()) {
        cli.out.println("no plans");
      } else {
        plans.getJsonArray("items").forEach(plan -> cli.out.println(describePlan((JsonObject) plan)));
      }
      return EXIT_OK;
    }
  }

  @Command(name = "cancel-plan", mixinStandardHelpOptions = true, description = "Cancel a plan that has not started.")
  static final class CancelPlan implements Callable<Integer> {
    @ParentCommand
    MaintenanceCli cli;

    @CommandLine.Parameters(index = "0", description = "the plan's id")
    long id;

    @Override
    public Integer call() throws Exception {
      JsonObject plan = cli.with(t -> t.call("cancel-plan", new JsonObject().put("id", id)));
      cli.out.println(describePlan(plan));
      return EXIT_OK;
    }
  }

  @Command(name = "exemptions", mixinStandardHelpOptions = true,
      description = "List the exempt processes (their jobs run through Draining); add, remove or clear them.",
      subcommands = {ExemptionAdd.class, ExemptionRemove.class, ExemptionClear.class})
  static final class Exemptions implements Callable<Integer> {
    @ParentCommand
    MaintenanceCli cli;

    @Option(names = "--json", description = "print the server's JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
      JsonObject list = cli.with(t -> t.call("exemptions", new JsonObject()));
      if (json) {
        cli.out.println(list.encodePrettily());
      } else {
        printExemptions(cli, list);
      }
      return EXIT_OK;
    }

    /**
     * Reads the list, changes it and puts it back whole (the server replaces the list). Two
     * operators changing it at once: the last one's list wins, as the audit of the window shows.
     */
    JsonObject change(java.util.function.UnaryOperator<JsonArray> edit) throws Exception {
      return cli.with(t -> t.call("exemptions", new JsonObject()).compose(list -> t.call("set-exemptions",
          new JsonObject().put("items", edit.apply(list.getJsonArray("items").copy())))));
    }

    /** The tenant's id: a name is looked up as the other commands do. */
    long tenantId(String tenant) throws Exception {
      return cli.withClients((api, t) -> api.tenantId(tenant, t));
    }
  }

  static void printExemptions(MaintenanceCli cli, JsonObject list) {
    JsonArray items = list.getJsonArray("items");
    if (items.isEmpty()) {
      cli.out.println("no exempt processes");
    } else {
      cli.out.println("exempt processes (set " + list.getString("setAt") + " by " + list.getString("setBy") + "):");
      items.forEach(item -> {
        JsonObject e = (JsonObject) item;
        cli.out.println("  tenant " + e.getLong("tenantId") + (e.getString("tenantName") == null ? ""
            : " (" + e.getString("tenantName") + ")") + "  " + e.getString("processName") + "  (" + e.getString("reason")
            + ")");
      });
    }
    JsonArray inEffect = list.getJsonArray("inEffect", new JsonArray());
    cli.out.println(inEffect.isEmpty() ? "in effect now: none (only while Draining)"
        : "in effect now: " + inEffect.size() + " (the open window's)");
  }

  /** Which tenant's process an exemption command is about: {@code --tenant} and {@code --process}. */
  static final class ExemptProcess {
    @Option(names = "--tenant", required = true, description = "tenant name or id")
    String tenant;

    @Option(names = "--process", required = true, description = "the process name, as its jobs carry it")
    String process;

    /** The list's items but this tenant's process; {@code found[0]} says whether it was there. */
    JsonArray without(JsonArray items, long tenantId, boolean[] found) {
      JsonArray kept = new JsonArray();
      for (Object item : items) {
        JsonObject e = (JsonObject) item;
        boolean match = e.getLong("tenantId") == tenantId && process.equals(e.getString("processName"));
        found[0] |= match;
        if (!match) {
          kept.add(e);
        }
      }
      return kept;
    }
  }

  @Command(name = "add", mixinStandardHelpOptions = true, description = "Exempt a tenant's process from draining.")
  static final class ExemptionAdd implements Callable<Integer> {
    @ParentCommand
    Exemptions exemptions;

    @CommandLine.Mixin
    ExemptProcess which;

    @Option(names = "--reason", required = true, description = "why it must run through maintenance")
    String reason;

    @Override
    public Integer call() throws Exception {
      long id = exemptions.tenantId(which.tenant);
      JsonObject list = exemptions.change(items -> which.without(items, id, new boolean[1])
          .add(new JsonObject().put("tenantId", id).put("processName", which.process).put("reason", reason)));
      printExemptions(exemptions.cli, list);
      return EXIT_OK;
    }
  }

  @Command(name = "remove", mixinStandardHelpOptions = true,
      description = "End a process's exemption (while Draining its jobs are sent Stop at once).")
  static final class ExemptionRemove implements Callable<Integer> {
    @ParentCommand
    Exemptions exemptions;

    @CommandLine.Mixin
    ExemptProcess which;

    @Override
    public Integer call() throws Exception {
      long id = exemptions.tenantId(which.tenant);
      boolean[] found = {false};
      JsonObject list = exemptions.change(items -> which.without(items, id, found));
      if (!found[0]) {
        exemptions.cli.err.println("maintenance: tenant " + id + "'s " + which.process + " was not exempt");
      }
      printExemptions(exemptions.cli, list);
      return found[0] ? EXIT_OK : EXIT_REFUSED;
    }
  }

  @Command(name = "clear", mixinStandardHelpOptions = true, description = "End every exemption.")
  static final class ExemptionClear implements Callable<Integer> {
    @ParentCommand
    Exemptions exemptions;

    @Override
    public Integer call() throws Exception {
      printExemptions(exemptions.cli, exemptions.change(items -> new JsonArray()));
      return EXIT_OK;
    }
  }

  @Command(name = "log", mixinStandardHelpOptions = true, description = "A tenant's maintenance log: the current (or last) window and the history.")
  static final class Log implements Callable<Integer> {
    @ParentCommand
    MaintenanceCli cli;

    @Option(names = "--tenant", required = true, description = "tenant name or id")
    String tenant;

    @Option(names = "--json", description = "print the server's JSON (current and history) instead of tables")
    boolean json;

    @Override
    public Integer call() throws Exception {
      JsonObject both = cli.withClients((api, t) -> api.tenantId(tenant, t).compose(id -> Future.all(
              t.call("status", new JsonObject().put("tenantId", id)),
              t.call("history", new JsonObject().put("tenantId", id))))
          .map(all -> new JsonObject().put("current", all.resultAt(0)).put("history", all.resultAt(1))));
      cli.out.println(json ? both.encodePrettily() : logTables(both.getJsonObject("current"), both.getJsonObject("history")));
      return EXIT_OK;
    }
  }

  /** A tenant's log as an operator reads it: the window, its jobs with their outcomes, skipped fires, history. */
  static String logTables(JsonObject current, JsonObject history) {
    StringBuilder text = new StringBuilder(describe(current));
    io.vertx.core.json.JsonArray jobs = current.getJsonArray("jobs", new io.vertx.core.json.JsonArray());
    io.vertx.core.json.JsonArray stopped = current.getJsonArray("stoppedJobs", new io.vertx.core.json.JsonArray());
    io.vertx.core.json.JsonArray killed = current.getJsonArray("killedJobs", new io.vertx.core.json.JsonArray());
    if (!jobs.isEmpty()) {
      text.append("\n\njobs (").append(jobs.size()).append("):\n").append(row("JOB", "PROCESS", "OUTCOME", "STATE"));
      for (Object o : jobs) {
        JsonObject job = (JsonObject) o;
        text.append(row(String.valueOf(job.getValue("id")), String.valueOf(job.getString("processName", "-")),
            job.getString("outcome"), String.valueOf(job.getString("state", "-"))));
      }
    } else if (!stopped.isEmpty() || !killed.isEmpty()) {
      // a record frozen before outcomes were kept: UiPath's two lists (a killed job is in both)
      text.append("\n\nstopped jobs: ").append(stopped.encode()).append("\nkilled jobs: ").append(killed.encode());
    } else {
      text.append("\n\nno job was stopped or killed");
    }
    io.vertx.core.json.JsonArray fires = current.getJsonArray("skippedTriggers", new io.vertx.core.json.JsonArray());
    if (fires.isEmpty()) {
      text.append("\nno fire was skipped");
    } else {
      text.append("\n\nskipped fires (").append(fires.size()).append("):\n").append(row("SCHEDULE", "PLANNED AT", "", ""));
      for (Object o : fires) {
        JsonObject fire = (JsonObject) o;
        String name = fire.getString("scheduleName");
        text.append(row((name == null ? "" : name + " ") + "(" + fire.getValue("scheduleId") + ")",
            fire.getString("plannedAt"), "", ""));
      }
    }
    io.vertx.core.json.JsonArray windows = history.getJsonArray("items", new io.vertx.core.json.JsonArray());
    text.append("\n\nhistory (").append(windows.size()).append(history.getString("next") == null ? "" : " or more")
        .append(" windows):");
    if (!windows.isEmpty()) {
      text.append("\n").append(String.format("  %-7s %-28s %-28s %6s %6s %8s  %s%n", "WINDOW", "STARTED", "ENDED",
          "STOPS", "KILLS", "SKIPPED", "BY / REASON"));
      for (Object o : windows) {
        JsonObject w = (JsonObject) o;
        String why = w.getString("startedBy") == null ? "" : w.getString("startedBy")
            + (w.getString("reason") == null ? "" : " / " + w.getString("reason"));
        text.append(String.format("  %-7s %-28s %-28s %6s %6s %8s  %s", w.getValue("windowId"), w.getString("startedAt"),
            w.getString("endedAt"), w.getValue("jobStopsAttempted"), w.getValue("jobKillsAttempted"),
            w.getValue("triggersSkipped"), why).stripTrailing()).append("\n");
      }
    }
    return text.toString().stripTrailing();
  }

  private static String row(String a, String b, String c, String d) {
    return String.format("  %-10s %-30s %-18s %s", a, b, c, d).stripTrailing() + "\n";
  }

  @Command(name = "wait", mixinStandardHelpOptions = true, description = "Wait until drained, suspended or none, with a progress bar.")
  static final class Wait implements Callable<Integer> {
    @ParentCommand
    MaintenanceCli cli;

    @Option(names = "--until", required = true, description = "drained, suspended or none")
    String until;

    @Option(names = "--timeout", defaultValue = "10m", description = "give up after (default: ${DEFAULT-VALUE}); exit 4")
    String timeout;

    @Option(names = "--per-tenant", description = "show the remaining jobs of each tenant")
    boolean perTenant;

    @Override
    public Integer call() throws Exception {
      String goal = until.toLowerCase(Locale.ROOT);
      if (!goal.equals("drained") && !goal.equals("suspended") && !goal.equals("none")) {
        throw new CliFailure(EXIT_USAGE, "--until is drained, suspended or none");
      }
      long deadline = System.currentTimeMillis() + isoDuration(timeout).toMillis();
      return cli.withClients((api, t) -> (perTenant ? api.tenantNames() : Future.succeededFuture(Map.<Long, String>of()))
          .compose(names -> {
            tenantNames = names;
            return poll(t, goal, deadline, -1);
          }));
    }

    private Map<Long, String> tenantNames = Map.of();
    /** The last line drawn. */
    private String lastLine;
    /**
     * What the last line said apart from its clocks: when stderr is not a terminal, a line is written
     * only when this changes (the phase, the jobs remaining, a tenant's count), not every second as
     * the estimate and the kill deadline count down.
     */
    private String lastChange;

    private Future<Integer> poll(Transport transport, String goal, long deadline, long peak) {
      return transport.call("status", new JsonObject()).compose(status -> {
        String state = status.getString("state");
        if (goal.equals("drained") && "None".equals(state)) {
          return Future.failedFuture(new CliFailure(EXIT_REFUSED,
              "not in maintenance: nothing drains (start with: start --phase draining)"));
        }
        JsonObject progress = status.getJsonObject("progress", new JsonObject());
        long remaining = progress.getLong("remaining", 0L);
        if (perTenant) {
          Map<Long, String> known = new java.util.TreeMap<>(tenantNames);
          known.putAll(namesIn(status));
          tenantNames = known;
        }
        long top = Math.max(peak, Math.max(remaining, progress.getLong("stopsSent", 0L)));
        bar(state, remaining, top, progress);
        boolean done = switch (goal) {
          // drained: nothing runs, the exempt jobs included (what Suspended and autoSuspend wait for)
          case "drained" -> !"None".equals(state) && remaining == 0 && progress.getLong("exemptRunning", 0L) == 0;
          case "suspended" -> "Suspended".equals(state);
          default -> "None".equals(state);
        };
        if (done) {
          endBar();
          cli.out.println("reached: " + goal);
          return Future.succeededFuture(EXIT_OK);
        }
        if (System.currentTimeMillis() > deadline) {
          endBar();
          return Future.failedFuture(new CliFailure(EXIT_TIMEOUT, "timed out waiting for " + goal + " (state "
              + state + ", " + remaining + " jobs remaining)"));
        }
        // the bridge pushes every phase change and, in maintenance, the progress each second
        return transport.nextChange(Vertx.currentContext().owner(), 5_000)
            .compose(t -> poll(transport, goal, deadline, top));
      });
    }

    private void bar(String state, long remaining, long top, JsonObject progress) {
      int width = 30;
      int filled = top <= 0 ? width : (int) Math.round(width * (double) (top - remaining) / top);
      StringBuilder change = new StringBuilder().append(state).append(" [")
          .append("#".repeat(filled)).append(".".repeat(width - filled)).append("] ")
          .append(remaining).append(" jobs remaining");
      long exempt = progress.getLong("exemptRunning", 0L);
      if (exempt > 0) {
        change.append(" (+").append(exempt).append(" exempt)");
      }
      StringBuilder tenants = new StringBuilder();
      if (perTenant && progress.getJsonObject("remainingByTenant") != null) {
        for (Map.Entry<String, Object> e : progress.getJsonObject("remainingByTenant")) {
          String name = tenantNames.getOrDefault(Long.valueOf(e.getKey()), "tenant " + e.getKey());
          tenants.append(" | ").append(name).append(": ").append(e.getValue());
        }
      }
      boolean stalled = progress.getBoolean("stalled", false) && remaining > 0;
      if (stalled) {
        change.append(", stalled");
      }
      StringBuilder line = new StringBuilder(change);
      Long eta = progress.getLong("estimatedSecondsLeft");
      if (stalled) {
        // no job ended for a while: an estimate from the rate so far would only grow
        line.append(": no job has ended for ").append(progress.getValue("stalledSeconds")).append(" s");
      } else if (eta != null && remaining > 0) {
        line.append(", ~").append(eta).append(" s");
      }
      Object deadline = progress.getValue("deadlineSecondsLeft");
      if (deadline instanceof Number left && remaining > 0) {
        line.append(", kill deadline in ").append(left).append(" s");
      }
      line.append(tenants);
      change.append(tenants);
      if (TERMINAL) {
        cli.err.print("\r" + line);
      } else if (!change.toString().equals(lastChange)) {
        // a file or a pipe gets one line per change, no carriage returns
        cli.err.println(line);
      }
      lastLine = line.toString();
      lastChange = change.toString();
      cli.err.flush();
    }

    private void endBar() {
      if (TERMINAL && lastLine != null) {
        cli.err.println();
      }
    }
  }

  /** {@code 15m}, {@code 90s}, {@code 2h}, {@code 500ms} or ISO-8601 {@code PT15M}. */
  static Duration isoDuration(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    try {
      if (t.startsWith("p")) {
        return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
      }
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      }
      long n = Long.parseLong(t.substring(0, t.length() - 1));
      return switch (t.charAt(t.length() - 1)) {
        case 's' -> Duration.ofSeconds(n);
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        case 'd' -> Duration.ofDays(n);
        default -> throw new NumberFormatException();
      };
    } catch (RuntimeException e) {
      throw new CliFailure(EXIT_USAGE, "not a duration: '" + text + "' (use 15m, 90s, 2h or PT15M)");
    }
  }
}
