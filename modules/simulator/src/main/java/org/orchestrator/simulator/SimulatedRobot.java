package org.orchestrator.simulator;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One robot speaking the robot protocol over HTTP, as a verticle (its state lives on one event
 * loop). Every heartbeat it asks for commands: StartJob runs a job for {@code jobDuration} while
 * writing log lines; StopJob ends it as Stopped after {@code stopGrace}; KillJob ends it at once.
 * Reports and log lines go to an outbox that is sent in order; a 503 makes the robot wait for
 * {@code Retry-After} and keep everything buffered, so nothing it produced is lost; a 401 makes
 * it sign in again.
 *
 * <p>Every heartbeat lists the jobs the robot holds ({@code runningJobs}: running, or ended with the
 * final report not yet acknowledged), so the server reconciles after a restart. Every log upload
 * carries a {@code batchId}; a batch is frozen until the server answers it, and a retry (after a
 * 503, a 401 or a lost connection) resends the same id and lines, so nothing is stored twice. A
 * Running report refused with JOB_NOT_STARTABLE makes the robot drop the job unrun.
 */
public final class SimulatedRobot extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(SimulatedRobot.class);
  private static final long MAX_BACKOFF_MS = 60_000;

  private record Report(long jobId, String state) {
  }

  private final class RunningJob {
    final long id;
    final String process;
    long finishTimer = -1;
    long logTimer = -1;
    boolean stopping;
    int step;

    RunningJob(long id, String process) {
      this.id = id;
      this.process = process;
    }
  }

  private final URI server;
  private final String clientId;
  private final String clientSecret;
  private final RobotSettings settings;
  private final RobotStats stats = new RobotStats();
  private final Map<Long, RunningJob> running = new HashMap<>();
  /** Jobs this robot ended, with the final state it reported (bounded). */
  private final Map<Long, String> ended = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, String> eldest) {
      return size() > 10_000;
    }
  };
  private final Deque<Report> reports = new ArrayDeque<>();
  private final Deque<JsonObject> logs = new ArrayDeque<>();
  /** The batch being uploaded: the same id and lines until the server answers it. */
  private JsonObject batch;
  private WebClient client;
  private HttpClient channels;
  private volatile boolean stopped;
  private String token;
  private long backoffUntil;
  private boolean busy;
  private long timer = -1;
  private volatile int unsent;
  private volatile int runningCount;

  public SimulatedRobot(URI server, String clientId, String clientSecret, RobotSettings settings) {
    this.server = server;
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    this.settings = settings;
  }

  public RobotStats stats() {
    return stats;
  }

  /** Reports and log lines produced but not yet acknowledged (as of the robot's last tick). */
  public int unsent() {
    return unsent;
  }

  /** Jobs running on this robot (as of its last tick). */
  public int runningJobs() {
    return runningCount;
  }

  @Override
  public Future<?> start() {
    client = WebClient.create(vertx, settings.trust().http(new WebClientOptions().setDefaultHost(server.getHost())
        .setDefaultPort(server.getPort()).setKeepAlive(true), server));
    return authenticate().onSuccess(ok -> {
      timer = vertx.setPeriodic(settings.heartbeat().toMillis(), id -> tick());
      if (settings.push()) {
        channels = vertx.createHttpClient(settings.trust().http(new HttpClientOptions().setDefaultHost(server.getHost())
            .setDefaultPort(server.getPort()), server));
        listen();
      }
    });
  }

  /**
   * Holds the push channel: every {@code commands} event is acted on as a heartbeat's reply would
   * be. When it ends (Suspended, token expiry, a network failure) it is opened again a second later,
   * or after the server's Retry-After; heartbeats go on meanwhile.
   */
  private void listen() {
    if (stopped || channels == null) {
      return;
    }
    channels.request(new RequestOptions().setMethod(HttpMethod.GET).setURI("/api/robot/events")
            .putHeader("Authorization", "Bearer " + token).putHeader("Accept", "text/event-stream"))
        .compose(request -> request.send())
        .onSuccess(response -> {
          if (response.statusCode() != 200) {
            String retry = response.getHeader("Retry-After");
            response.body().onComplete(ignored -> relisten(retry == null ? 1_000 : Long.parseLong(retry) * 1_000));
            if (response.statusCode() == 401) {
              token = null; // the next tick signs in again
            }
            return;
          }
          StringBuilder pending = new StringBuilder();
          response.handler(chunk -> {
            pending.append(chunk.toString());
            int end;
            while ((end = pending.indexOf("\n\n")) >= 0) {
              String block = pending.substring(0, end);
              pending.delete(0, end + 2);
              onEvent(block);
            }
          });
          response.endHandler(ended -> {
            long wait = reconnectAfterMs;
            reconnectAfterMs = 1_000;
            relisten(wait);
          });
          response.exceptionHandler(failure -> relisten(1_000));
        })
        .onFailure(failure -> relisten(1_000));
  }

  /** How long to wait before reopening the push channel when it ends (a {@code suspended} event says). */
  private long reconnectAfterMs = 1_000;

  private void relisten(long delayMs) {
    if (!stopped) {
      vertx.setTimer(Math.max(1, delayMs), id -> listen());
    }
  }

  private void onEvent(String block) {
    String event = null;
    StringBuilder data = new StringBuilder();
    for (String line : block.split("\n")) {
      if (line.startsWith("event:")) {
        event = line.substring(6).trim();
      } else if (line.startsWith("data:")) {
        data.append(line.substring(5).trim());
      }
    }
    if ("suspended".equals(event)) {
      // the node says when to try again: its Retry-After, spread over the fleet
      reconnectAfterMs = 1_000L * new JsonObject(data.toString()).getInteger("retryAfterSeconds", 1);
      return;
    }
    if ("resumed".equals(event)) {
      // End: the next heartbeat (and job) after the share of the spread the node chose for this robot
      vertx.setTimer(Math.max(1, new JsonObject(data.toString()).getLong("heartbeatAfterMillis", 0L)), id -> tick());
      stats.resumes.incrementAndGet();
      return;
    }
    if (!"commands".equals(event)) {
      return;
    }
    JsonArray commands = new JsonObject(data.toString()).getJsonArray("commands", new JsonArray());
    for (int i = 0; i < commands.size(); i++) {
      JsonObject command = commands.getJsonObject(i);
      stats.commandsPushed.incrementAndGet();
      handle(command.getString("type"), command.getLong("jobId"), command.getString("processName"));
    }
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    if (channels != null) {
      channels.close();
    }
    vertx.cancelTimer(timer);
    running.values().forEach(job -> {
      vertx.cancelTimer(job.finishTimer);
      vertx.cancelTimer(job.logTimer);
    });
    client.close();
    return Future.succeededFuture();
  }

  /** A robot's sign-in: the OAuth2 client-credentials grant. */
  static Future<HttpResponse<Buffer>> signIn(WebClient client, String clientId, String clientSecret) {
    return client.post("/identity/connect/token").sendForm(MultiMap.caseInsensitiveMultiMap()
        .add("grant_type", "client_credentials").add("client_id", clientId).add("client_secret", clientSecret));
  }

  private Future<Void> authenticate() {
    return signIn(client, clientId, clientSecret)
        .compose(response -> {
          if (response.statusCode() == 503) {
            backOff(response);
            return Future.failedFuture("sign-in refused: 503");
          }
          if (response.statusCode() != 200) {
            return Future.failedFuture("robot " + clientId + " cannot sign in: " + response.statusCode() + " "
                + response.bodyAsString());
          }
          token = response.bodyAsJsonObject().getString("access_token");
          return Future.succeededFuture();
        });
  }

  private void tick() {
    if (busy || System.currentTimeMillis() < backoffUntil) {
      return;
    }
    busy = true;
    Future<Void> round = token == null ? authenticate() : Future.succeededFuture();
    round.compose(ok -> heartbeat())
        .compose(ok -> flushLogs())
        .compose(ok -> flushReports())
        .onComplete(done -> {
          busy = false;
          unsent = reports.size() + logs.size() + (batch == null ? 0 : batch.getJsonArray("lines").size());
          runningCount = running.size();
        });
  }

  private Future<Void> heartbeat() {
    JsonArray held = new JsonArray();
    running.keySet().forEach(held::add);
    reports.stream().filter(report -> !running.containsKey(report.jobId()) && ended.containsKey(report.jobId()))
        .map(Report::jobId).distinct().forEach(held::add);
    return client.post("/api/robot/heartbeat").bearerTokenAuthentication(token)
        .sendJsonObject(new JsonObject().put("runningJobs", held))
        .compose(response -> {
          if (!accepted(response)) {
            return Future.succeededFuture();
          }
          stats.heartbeats.incrementAndGet();
          JsonArray commands = response.bodyAsJsonObject().getJsonArray("commands", new JsonArray());
          for (int i = 0; i < commands.size(); i++) {
            JsonObject command = commands.getJsonObject(i);
            handle(command.getString("type"), command.getLong("jobId"), command.getString("processName"));
          }
          return Future.<Void>succeededFuture();
        }, this::networkFailure);
  }

  private void handle(String type, long jobId, String process) {
    RunningJob job = running.get(jobId);
    switch (type) {
      case "StartJob" -> {
        if (job == null && !ended.containsKey(jobId)) {
          start(jobId, process);
        }
      }
      case "StopJob" -> {
        stats.firstStopNanos.compareAndSet(0, System.nanoTime());
        if (job != null && !job.stopping) {
          job.stopping = true;
          vertx.cancelTimer(job.finishTimer);
          job.finishTimer = vertx.setTimer(Math.max(1, settings.stopGrace().toMillis()), id -> {
            stats.jobsStopped.incrementAndGet();
            end(job, "Stopped");
          });
        } else if (job == null && !ended.containsKey(jobId)) {
          ended.put(jobId, "Stopped");
          reports.add(new Report(jobId, "Stopped"));
        }
      }
      case "KillJob" -> {
        if (job != null) {
          stats.jobsKilled.incrementAndGet();
          end(job, "Stopped");
        } else if (!ended.containsKey(jobId)) {
          ended.put(jobId, "Stopped");
          reports.add(new Report(jobId, "Stopped"));
        }
      }
      default -> LOG.warn("robot {} ignores unknown command {}", clientId, type);
    }
  }

  private void start(long jobId, String process) {
    RunningJob job = new RunningJob(jobId, process);
    running.put(jobId, job);
    stats.jobsStarted.incrementAndGet();
    reports.add(new Report(jobId, "Running"));
    job.finishTimer = vertx.setTimer(Math.max(1, settings.jobDuration().toMillis()), id -> {
      stats.jobsSucceeded.incrementAndGet();
      end(job, "Successful");
    });
    job.logTimer = vertx.setPeriodic(Math.max(1, settings.logEvery().toMillis()), id -> {
      job.step++;
      stats.logsWritten.incrementAndGet();
      logs.add(new JsonObject().put("jobId", job.id).put("level", "Info")
          .put("message", job.process + ": step " + job.step + (job.stopping ? " (stopping)" : ""))
          .put("timeStamp", Instant.now().toString()));
    });
  }

  private void end(RunningJob job, String state) {
    vertx.cancelTimer(job.finishTimer);
    vertx.cancelTimer(job.logTimer);
    running.remove(job.id);
    ended.put(job.id, state);
    reports.add(new Report(job.id, state));
  }

  private Future<Void> flushLogs() {
    if ((batch == null && logs.isEmpty()) || backingOff()) {
      return Future.succeededFuture();
    }
    if (batch == null) {
      JsonArray lines = new JsonArray();
      while (!logs.isEmpty() && lines.size() < settings.maxLogBatch()) {
        lines.add(logs.poll());
      }
      batch = new JsonObject().put("batchId", UUID.randomUUID().toString()).put("lines", lines);
    }
    JsonObject sending = batch;
    return client.post("/api/robot/logs").bearerTokenAuthentication(token).sendJsonObject(sending)
        .compose(response -> {
          if (accepted(response)) {
            stats.logsAcknowledged.addAndGet(response.bodyAsJsonObject().getInteger("stored"));
            batch = null;
            return flushLogs();
          }
          if (response.statusCode() != 503 && response.statusCode() != 401) {
            batch = null; // refused for good (counted as unexpected): resending cannot help
          }
          return Future.<Void>succeededFuture();
        }, this::networkFailure);
  }

  private Future<Void> flushReports() {
    Report next = reports.peek();
    if (next == null || backingOff()) {
      return Future.succeededFuture();
    }
    return client.post("/api/robot/jobs/" + next.jobId() + "/state").bearerTokenAuthentication(token)
        .sendJsonObject(new JsonObject().put("state", next.state()))
        .compose(response -> {
          if (response.statusCode() == 409 && refusedForGood(next, response)) {
            reports.poll();
            return flushReports();
          }
          if (accepted(response)) {
            stats.reportsAcknowledged.incrementAndGet();
            reports.poll();
            return flushReports();
          }
          if (response.statusCode() != 503 && response.statusCode() != 401) {
            reports.poll();
          }
          return Future.<Void>succeededFuture();
        }, this::networkFailure);
  }

  /**
   * A 409 a real robot expects: JOB_NOT_STARTABLE for Running (the job is dropped unrun, and may be
   * handed out again later), or a final report for a job the server already settled.
   */
  private boolean refusedForGood(Report report, HttpResponse<Buffer> response) {
    String code = code(response);
    if ("JOB_NOT_STARTABLE".equals(code) && "Running".equals(report.state())) {
      stats.notStartable.incrementAndGet();
      RunningJob job = running.remove(report.jobId());
      if (job != null) {
        vertx.cancelTimer(job.finishTimer);
        vertx.cancelTimer(job.logTimer);
        stats.jobsStarted.decrementAndGet();
      }
      return true;
    }
    if ("CONFLICT".equals(code) && !"Running".equals(report.state()) && !running.containsKey(report.jobId())) {
      stats.settledByServer.incrementAndGet();
      return true;
    }
    return false;
  }

  private static String code(HttpResponse<Buffer> response) {
    try {
      return response.bodyAsJsonObject().getString("code");
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** 2xx: go on. 503: back off for Retry-After. 401: sign in again next tick. Else: counted. */
  private boolean accepted(HttpResponse<Buffer> response) {
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      return true;
    }
    if (status == 503) {
      stats.refusals.incrementAndGet();
      backOff(response);
    } else if (status == 401) {
      stats.reauthentications.incrementAndGet();
      token = null;
    } else {
      stats.unexpected.incrementAndGet();
      LOG.warn("robot {}: {} {}", clientId, status, response.bodyAsString());
    }
    return false;
  }

  private void backOff(HttpResponse<Buffer> response) {
    long seconds = 1;
    String retryAfter = response.getHeader("Retry-After");
    if (retryAfter != null) {
      try {
        seconds = Math.max(1, Long.parseLong(retryAfter.trim()));
      } catch (NumberFormatException ignored) {
        // an HTTP date or garbage: keep the one-second default
      }
    }
    backoffUntil = System.currentTimeMillis() + Math.min(MAX_BACKOFF_MS, seconds * 1000);
  }

  private boolean backingOff() {
    return token == null || System.currentTimeMillis() < backoffUntil;
  }

  private Future<Void> networkFailure(Throwable failure) {
    LOG.debug("robot {}: {}", clientId, failure.getMessage());
    return Future.succeededFuture();
  }
}
