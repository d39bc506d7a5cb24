package org.orchestrator.simulator;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.nio.file.Files;
import org.orchestrator.platform.security.ClientTrust;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.orchestrator.platform.config.ConfigLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs N simulated robots of one tenant against a server. With {@code --host-password} it first
 * creates the tenant, a tenant administrator and the robots; their credentials are kept in a state
 * file (mode 0600) and reused on the next run. {@code --jobs} submits that many jobs at start.
 */
@Command(name = "robot-simulator", mixinStandardHelpOptions = true,
    description = "Simulated robots that speak the orchestrator's robot protocol.")
public final class SimulatorMain implements Callable<Integer> {

  @Option(names = "--url", defaultValue = "${env:ORCH_URL}", description = "server URL (default: ORCH_URL, else the "
      + "server's own settings: http.host and http.port of config/orchestrator.yaml or ORCH_CONFIG, ORCH_HTTP_PORT)")
  URI url;

  @Option(names = "--tenant", defaultValue = "demo", description = "tenant name (default: ${DEFAULT-VALUE})")
  String tenant;

  @Option(names = "--robots", defaultValue = "20", description = "how many robots (default: ${DEFAULT-VALUE})")
  int robots;

  @Option(names = "--host-password", defaultValue = "${env:ORCH_PASSWORD}", description = "host admin password "
      + "(or ORCH_PASSWORD; on the command line it shows in ps, prefer --host-password-file): create tenant, admin "
      + "and robots as needed")
  String hostPassword;

  @Option(names = "--host-password-file", description = "file holding the host admin password "
      + "(e.g. data/initial-admin-password)")
  Path hostPasswordFile;

  @Option(names = "--jobs", defaultValue = "0", description = "jobs to submit at start (default: ${DEFAULT-VALUE})")
  int jobs;

  @Option(names = "--job-seconds", defaultValue = "30", description = "how long a job runs (default: ${DEFAULT-VALUE})")
  double jobSeconds;

  @Option(names = "--stop-grace-seconds", defaultValue = "5", description = "time to honour a Stop (default: ${DEFAULT-VALUE})")
  double stopGraceSeconds;

  @Option(names = "--heartbeat-ms", defaultValue = "1000", description = "heartbeat interval (default: ${DEFAULT-VALUE})")
  long heartbeatMs;

  @Option(names = "--log-every-ms", defaultValue = "1000", description = "log line interval per job (default: ${DEFAULT-VALUE})")
  long logEveryMs;

  @Option(names = "--push", description = "hold the push channel (GET /api/robot/events) and act on its "
      + "commands at once; heartbeats go on as the fallback")
  boolean push;

  @Option(names = "--profile", defaultValue = "jobs", description = "jobs: robots run the jobs they are given "
      + "(default); uipath: UiPath's sizing profile, one message a second per robot (per minute 40 log messages, "
      + "2 heartbeats, 6 asset reads, 6 queue item adds, 6 queue item reads)")
  String profile;

  @Option(names = "--duration-seconds", defaultValue = "0", description = "stop after this long; 0 runs until Ctrl-C")
  long durationSeconds;

  @Option(names = "--cacert", defaultValue = "${env:ORCH_CACERT}", description = "PEM file of the certificate "
      + "authorities to trust for an https:// --url (default: ORCH_CACERT, else the JVM's own)")
  Path caCert;

  @Option(names = "--state-dir", defaultValue = "data/simulator", description = "where robot credentials are kept (default: ${DEFAULT-VALUE})")
  Path stateDir;

  public static void main(String[] args) {
    System.exit(new CommandLine(new SimulatorMain()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      if (url == null) {
        url = URI.create(ConfigLoader.load(vertx, System.getenv()).await().http().clientUrl());
      }
      System.out.println("robot-simulator: server " + url);
      ClientTrust trust = new ClientTrust(caCert);
      WebClient web = WebClient.create(vertx, trust.http(new io.vertx.ext.web.client.WebClientOptions(), url));
      JsonObject state = prepare(web).await();
      List<RobotFleet.Credentials> credentials = new ArrayList<>();
      JsonArray list = state.getJsonArray("robots");
      for (int i = 0; i < Math.min(robots, list.size()); i++) {
        credentials.add(new RobotFleet.Credentials(list.getJsonObject(i).getLong("id").toString(),
            list.getJsonObject(i).getString("secret")));
      }
      if ("uipath".equals(profile)) {
        return uipath(vertx, web, state, credentials);
      } else if (!"jobs".equals(profile)) {
        throw new IllegalArgumentException("--profile is jobs or uipath, not " + profile);
      }
      RobotSettings settings = new RobotSettings(Duration.ofMillis(heartbeatMs),
          Duration.ofMillis((long) (jobSeconds * 1000)), Duration.ofMillis((long) (stopGraceSeconds * 1000)),
          Duration.ofMillis(logEveryMs), 500, push, trust);
      RobotFleet fleet;
      try {
        fleet = RobotFleet.deploy(vertx, url, credentials, settings).await();
      } catch (RuntimeException e) {
        throw new IllegalStateException(e.getMessage() + " (the credentials in " + stateDir.resolve(tenant + ".json")
            + " may belong to another server: delete the file, or pass another --state-dir)", e);
      }
      System.out.printf("%d robots of tenant '%s' running against %s%n", credentials.size(), tenant, url);
      if (jobs > 0) {
        submitJobs(web, state).await();
        System.out.printf("submitted %d jobs%n", jobs);
      }
      CountDownLatch done = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(done::countDown));
      vertx.setPeriodic(5_000, id -> System.out.printf("running=%d unsent=%d %s%n", fleet.runningJobs(),
          fleet.unsent(), fleet.stats()));
      if (durationSeconds > 0) {
        done.await(durationSeconds, TimeUnit.SECONDS);
      } else {
        done.await();
      }
      System.out.printf("final: running=%d unsent=%d %s%n", fleet.runningJobs(), fleet.unsent(), fleet.stats());
      fleet.close().await();
      return 0;
    } catch (Exception e) {
      System.err.println("simulator: " + e.getMessage());
      return 1;
    } finally {
      vertx.close().await();
    }
  }

  /**
   * UiPath's profile: the asset the robots read ({@code endpoint}) is created when missing, the
   * robots send their minute's messages, and every 5 s the fleet's answers are printed.
   */
  private int uipath(Vertx vertx, WebClient web, JsonObject state, List<RobotFleet.Credentials> credentials)
      throws Exception {
    String adminToken = signIn(web, tenant, "sim-admin", state.getString("adminPassword")).await();
    HttpResponse<Buffer> asset = call(web, "/api/Assets", adminToken, new JsonObject().put("name", "endpoint")
        .put("type", "Text").put("value", "https://erp.example")).await();
    if (asset.statusCode() != 201 && asset.statusCode() != 409) {
      throw new IllegalStateException("cannot create the asset the profile reads: " + asset.bodyAsString());
    }
    ProfiledRobot.ProfileStats stats = new ProfiledRobot.ProfileStats();
    List<String> deployed = new ArrayList<>();
    for (RobotFleet.Credentials robot : credentials) {
      deployed.add(vertx.deployVerticle(new ProfiledRobot(url, robot.clientId(), robot.secret(), "endpoint", "work",
          stats, robot.clientId().hashCode(), new ClientTrust(caCert))).await());
    }
    System.out.printf("%d robots of tenant '%s' send UiPath's profile to %s%n", credentials.size(), tenant, url);
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(done::countDown));
    vertx.setPeriodic(5_000, id -> {
      double[] latencies = stats.drainMillis();
      System.out.printf("answered=%d p50=%.1f ms p99=%.1f ms refusals(503)=%d unexpected=%d logs=%d items added=%d "
              + "finished=%d%n", latencies.length, at(latencies, 0.5), at(latencies, 0.99), stats.refusals.get(),
          stats.unexpected.get(), stats.logLinesAcknowledged.get(), stats.queueItemsAdded.get(),
          stats.queueItemsFinished.get());
    });
    if (durationSeconds > 0) {
      done.await(durationSeconds, TimeUnit.SECONDS);
    } else {
      done.await();
    }
    for (String id : deployed) {
      vertx.undeploy(id).await();
    }
    return 0;
  }

  private static double at(double[] sorted, double quantile) {
    return sorted.length == 0 ? 0 : ProfiledRobot.ProfileStats.percentile(sorted, quantile);
  }

  /** Loads the state file, creating what is missing (tenant, admin, robots) when allowed. */
  private Future<JsonObject> prepare(WebClient web) throws Exception {
    Path file = stateDir.resolve(tenant + ".json");
    JsonObject state = Files.exists(file) ? new JsonObject(Files.readString(file))
        : new JsonObject().put("tenant", tenant).put("robots", new JsonArray());
    int missing = robots - state.getJsonArray("robots").size();
    boolean needAdmin = state.getString("adminPassword") == null && (missing > 0 || jobs > 0
        || "uipath".equals(profile));
    if (missing <= 0 && !needAdmin) {
      return Future.succeededFuture(state);
    }
    if (needAdmin && hostPasswordFile != null) {
      try {
        hostPassword = Files.readString(hostPasswordFile).trim();
      } catch (java.io.IOException e) {
        return Future.failedFuture(new IllegalStateException("cannot read the host password file "
            + hostPasswordFile.toAbsolutePath() + " (" + e.getClass().getSimpleName() + "; the server writes "
            + "data/initial-admin-password on its first start)"));
      }
    }
    if (needAdmin && (hostPassword == null || hostPassword.isBlank())) {
      return Future.failedFuture(new IllegalStateException("no credentials for tenant '" + tenant + "' in " + file
          + ": pass --host-password-file (or ORCH_PASSWORD) with the host admin's password once to create them"));
    }
    Future<JsonObject> ready = needAdmin ? createTenantAndAdmin(web, state) : Future.succeededFuture(state);
    return ready.compose(withAdmin -> signIn(web, tenant, "sim-admin", withAdmin.getString("adminPassword")))
        .compose(adminToken -> registerRobots(web, adminToken, state, missing))
        .compose(complete -> save(file, complete));
  }

  private Future<JsonObject> createTenantAndAdmin(WebClient web, JsonObject state) {
    String password = randomSecret();
    return signIn(web, null, "admin", hostPassword).compose(host -> call(web, "/api/Tenants", host,
            new JsonObject().put("name", tenant))
        .compose(created -> created.statusCode() == 201 || created.statusCode() == 409
            ? web.getAbs(url.resolve("/api/Tenants").toString()).bearerTokenAuthentication(host).send()
            : Future.failedFuture("cannot create tenant: " + created.bodyAsString()))
        .compose(tenants -> {
          long tenantId = tenants.bodyAsJsonObject().getJsonArray("items").stream().map(JsonObject.class::cast)
              .filter(t -> t.getString("name").equalsIgnoreCase(tenant)).findFirst().orElseThrow().getLong("id");
          return call(web, "/api/Users", host, new JsonObject().put("username", "sim-admin").put("password", password)
              .put("role", "Administrator").put("tenantId", tenantId));
        })
        .compose(user -> user.statusCode() == 201
            ? Future.succeededFuture(state.put("adminPassword", password))
            : Future.failedFuture("cannot create the tenant administrator 'sim-admin': " + user.bodyAsString()
                + " (a state file from an earlier run may have been deleted)")));
  }

  private Future<JsonObject> registerRobots(WebClient web, String adminToken, JsonObject state, int missing) {
    Future<JsonObject> chain = Future.succeededFuture(state);
    int start = state.getJsonArray("robots").size();
    for (int i = 0; i < missing; i++) {
      String name = "sim-robot-" + (start + i) + "-" + randomSecret().substring(0, 4);
      chain = chain.compose(current -> call(web, "/api/Robots", adminToken, new JsonObject().put("name", name))
          .compose(response -> response.statusCode() == 201
              ? Future.succeededFuture(current.put("robots", current.getJsonArray("robots").add(response.bodyAsJsonObject())))
              : Future.failedFuture("cannot register robot: " + response.bodyAsString())));
    }
    return chain;
  }

  private Future<Void> submitJobs(WebClient web, JsonObject state) {
    return signIn(web, tenant, "sim-admin", state.getString("adminPassword")).compose(token -> {
      List<Future<HttpResponse<Buffer>>> created = new ArrayList<>();
      for (int i = 0; i < jobs; i++) {
        created.add(call(web, "/api/Jobs", token, new JsonObject().put("processName", "SimulatedProcess-" + (i % 5))));
      }
      return Future.all(created).mapEmpty();
    });
  }

  private Future<String> signIn(WebClient web, String tenantName, String user, String password) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap().add("grant_type", "password").add("username", user)
        .add("password", password);
    if (tenantName != null) {
      form.add("tenant", tenantName);
    }
    return web.postAbs(url.resolve("/identity/connect/token").toString()).sendForm(form)
        .compose(response -> response.statusCode() == 200
            ? Future.succeededFuture(response.bodyAsJsonObject().getString("access_token"))
            : Future.failedFuture("sign-in of " + user + " failed: " + response.statusCode() + " " + response.bodyAsString()));
  }

  private Future<HttpResponse<Buffer>> call(WebClient web, String path, String token, JsonObject body) {
    return web.postAbs(url.resolve(path).toString()).bearerTokenAuthentication(token).sendJsonObject(body);
  }

  private static Future<JsonObject> save(Path file, JsonObject state) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, state.encodePrettily());
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      return Future.succeededFuture(state);
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
  }

  private static String randomSecret() {
    byte[] bytes = new byte[12];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
