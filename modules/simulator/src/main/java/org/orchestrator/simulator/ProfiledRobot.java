package org.orchestrator.simulator;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.orchestrator.platform.security.ClientTrust;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A robot that sends UiPath's published load profile (the one its hardware sizing was measured
 * with): one message a second on average; per minute 40 log messages, 2 heartbeats, 6 asset reads,
 * 6 queue item adds and 6 queue item reads (a read takes the next item and, when there was one,
 * reports its result: a queue transaction). Each robot shuffles its minute and starts at a random
 * second, so robots do not fire in lockstep. Every log batch carries a batch id and every queue add
 * a reference, so a resend after a 503 or a network failure never stores twice.
 *
 * <p>What the server answered is counted in a {@link ProfileStats} shared by the fleet: latency per
 * kind of message, unexpected answers (anything but 2xx, and 503 with Retry-After for robot routes
 * while Suspended), and what was acknowledged (log lines, queue items added), so that a harness can
 * check that nothing acknowledged is missing.
 */
public final class ProfiledRobot extends VerticleBase {

  /** The kinds of message of the profile, as counted per minute. */
  public enum Kind { LOG, HEARTBEAT, ASSET, QUEUE_ADD, QUEUE_READ }

  private static final List<Kind> MINUTE = minute();
  /** A request unanswered this long counts as a network failure (a stall is an error, not a pause). */
  private static final long REQUEST_TIMEOUT_MS = 10_000;

  private final URI server;
  private final String clientId;
  private final String clientSecret;
  private final String asset;
  private final String queue;
  private final ProfileStats stats;
  private final Random random;
  private WebClient client;
  private String token;
  private long timer = -1;
  private int slot;
  private long sequence;
  private boolean busy;
  private long backoffUntil;
  /** The job this robot runs (its log lines name it), or null: then a log slot is a heartbeat. */
  private Long jobId;
  private final ClientTrust trust;

  public ProfiledRobot(URI server, String clientId, String clientSecret, String asset, String queue,
      ProfileStats stats, long seed) {
    this(server, clientId, clientSecret, asset, queue, stats, seed, ClientTrust.jvm());
  }

  /** @param trust how an {@code https://} server is trusted ({@code --cacert}) */
  public ProfiledRobot(URI server, String clientId, String clientSecret, String asset, String queue,
      ProfileStats stats, long seed, ClientTrust trust) {
    this.trust = trust;
    this.server = server;
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    this.asset = asset;
    this.queue = queue;
    this.stats = stats;
    this.random = new Random(seed);
  }

  private static List<Kind> minute() {
    List<Kind> kinds = new ArrayList<>();
    kinds.addAll(Collections.nCopies(40, Kind.LOG));
    kinds.addAll(Collections.nCopies(2, Kind.HEARTBEAT));
    kinds.addAll(Collections.nCopies(6, Kind.ASSET));
    kinds.addAll(Collections.nCopies(6, Kind.QUEUE_ADD));
    kinds.addAll(Collections.nCopies(6, Kind.QUEUE_READ));
    return List.copyOf(kinds);
  }

  @Override
  public Future<?> start() {
    // Deployed one at a time (the harnesses await each robot's sign-in), a robot lands on every other
    // event loop of its Vert.x: creating its HTTP client takes the next loop of the rotation too. On
    // 2 cores that suits the ladder: spreading the robots over all four loops (deployed as instances
    // of one deployment) made the same node's p50 at 5,000 robots 51-55 ms against 21-30 ms, the
    // generator's extra threads contending with the node's (docs/benchmarks.md, session 16).
    //
    // one connection, as a robot holds: it sends one message at a time, and a second pooled
    // connection per robot would double the node's connections (2,048 robots met its 4,096 limit)
    client = WebClient.create(vertx, trust.http(new WebClientOptions().setDefaultHost(server.getHost())
        .setDefaultPort(server.getPort()).setKeepAlive(true), server), new PoolOptions().setHttp1MaxSize(1));
    stats.ranOn(Thread.currentThread());
    List<Kind> mine = new ArrayList<>(MINUTE);
    Collections.shuffle(mine, random);
    slot = random.nextInt(mine.size());
    return authenticate().onSuccess(ok -> vertx.setTimer(1 + random.nextInt(1_000), first -> {
      send(Kind.HEARTBEAT); // the job it was given, at once
      timer = vertx.setPeriodic(1_000, id -> send(mine.get(slot++ % mine.size())));
    }));
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    client.close();
    return Future.succeededFuture();
  }

  private io.vertx.ext.web.client.HttpRequest<Buffer> post(String path) {
    return client.post(path).bearerTokenAuthentication(token).timeout(REQUEST_TIMEOUT_MS);
  }

  /** Signs in; a 503 (the node is busy, or Suspended) is retried after its Retry-After, as robots do. */
  private Future<Void> authenticate() {
    return SimulatedRobot.signIn(client, clientId, clientSecret)
        .compose(response -> {
          if (response.statusCode() == 503) {
            stats.refusals.incrementAndGet();
            String retry = response.getHeader("Retry-After");
            long delay = 1_000L * (retry == null ? 1 : Long.parseLong(retry.trim()));
            return vertx.timer(delay).compose(waited -> authenticate());
          }
          if (response.statusCode() != 200) {
            return Future.failedFuture("robot " + clientId + " cannot sign in: " + response.statusCode() + " "
                + response.bodyAsString());
          }
          token = response.bodyAsJsonObject().getString("access_token");
          return Future.<Void>succeededFuture();
        });
  }

  private void send(Kind planned) {
    Kind kind = planned == Kind.LOG && jobId == null ? Kind.HEARTBEAT : planned;
    if (busy || System.currentTimeMillis() < backoffUntil) {
      stats.skipped.incrementAndGet();
      return;
    }
    busy = true;
    long started = System.nanoTime();
    Future<HttpResponse<Buffer>> sent = switch (kind) {
      case LOG -> {
        JsonObject line = new JsonObject().put("jobId", jobId).put("level", "Info").put("message", "step " + sequence)
            .put("timeStamp", Instant.now().toString());
        yield post("/api/robot/logs").sendJsonObject(new JsonObject()
            .put("batchId", clientId + "-" + sequence++).put("lines", new JsonArray().add(line)));
      }
      case HEARTBEAT -> post("/api/robot/heartbeat")
          .sendJsonObject(new JsonObject()).compose(this::obey);
      case ASSET -> client.get("/api/robot/assets/" + asset).bearerTokenAuthentication(token)
          .timeout(REQUEST_TIMEOUT_MS).send();
      case QUEUE_ADD -> post("/api/robot/queues/" + queue + "/items")
          .sendJsonObject(new JsonObject().put("reference", clientId + "-" + sequence++)
              .put("payload", new JsonObject().put("robot", clientId)));
      case QUEUE_READ -> post("/api/robot/queues/" + queue + "/next")
          .sendJsonObject(new JsonObject())
          .compose(taken -> taken.statusCode() != 200 ? Future.succeededFuture(taken)
              : post("/api/robot/queue-items/" + taken.bodyAsJsonObject().getLong("id") + "/result").sendJsonObject(new JsonObject().put("status", "Successful"))
                  .map(finished -> {
                    if (finished.statusCode() == 200) {
                      stats.queueItemsFinished.incrementAndGet();
                    }
                    return finished;
                  }));
    };
    sent.onComplete(done -> {
      busy = false;
      if (done.failed()) {
        stats.networkFailures.incrementAndGet();
        return;
      }
      HttpResponse<Buffer> response = done.result();
      int status = response.statusCode();
      if (status == 503) {
        stats.refusals.incrementAndGet();
        String retry = response.getHeader("Retry-After");
        backoffUntil = System.currentTimeMillis() + 1_000L * (retry == null ? 1 : Long.parseLong(retry.trim()));
        if (!stats.refusalsExpected) {
          stats.unexpected(kind + " 503 " + response.bodyAsString());
        }
        return;
      }
      if (status == 401) {
        authenticate().onFailure(failure -> stats.unexpected("sign-in " + failure.getMessage()));
        stats.unexpected(kind + " 401");
        return;
      }
      if (status >= 300) {
        stats.unexpected(kind + " " + status + " " + response.bodyAsString());
        return;
      }
      stats.record(kind, System.nanoTime() - started);
      if (kind == Kind.LOG) {
        stats.logLinesAcknowledged.addAndGet(response.bodyAsJsonObject().getLong("stored", 0L));
      } else if (kind == Kind.QUEUE_ADD) {
        stats.queueItemsAdded.incrementAndGet();
      }
    });
  }

  /**
   * Acts on a heartbeat's commands as a robot does: a StartJob is reported Running (its log lines
   * then name it), a StopJob or KillJob is reported Stopped at once.
   */
  private Future<HttpResponse<Buffer>> obey(HttpResponse<Buffer> heartbeat) {
    if (heartbeat.statusCode() != 200) {
      return Future.succeededFuture(heartbeat);
    }
    JsonArray commands = heartbeat.bodyAsJsonObject().getJsonArray("commands", new JsonArray());
    Future<?> done = Future.succeededFuture();
    for (int i = 0; i < commands.size(); i++) {
      JsonObject command = commands.getJsonObject(i);
      long job = command.getLong("jobId");
      String state = "StartJob".equals(command.getString("type")) ? "Running" : "Stopped";
      done = done.compose(ok -> post("/api/robot/jobs/" + job + "/state")
          .sendJsonObject(new JsonObject().put("state", state)).map(reported -> {
            if (reported.statusCode() == 200) {
              jobId = "Running".equals(state) ? Long.valueOf(job) : (jobId != null && jobId == job ? null : jobId);
            } else if (reported.statusCode() == 409 && reported.bodyAsString().contains("JOB_NOT_STARTABLE")) {
              jobId = null; // maintenance began between its StartJob and its report: the job is not run
            } else if (reported.statusCode() != 503) {
              stats.unexpected("report " + state + " " + reported.statusCode() + " " + reported.bodyAsString());
            }
            return reported;
          }));
    }
    return done.map(heartbeat);
  }

  /** What a profiled fleet did, as the server answered it. Thread-safe. */
  public static final class ProfileStats {
    public final AtomicLong unexpected = new AtomicLong();
    /** What the unexpected answers were: "kind status body", the first 20. */
    public final java.util.Queue<String> unexpectedSamples = new java.util.concurrent.ConcurrentLinkedQueue<>();
    public final AtomicLong refusals = new AtomicLong();
    public final AtomicLong networkFailures = new AtomicLong();
    public final AtomicLong skipped = new AtomicLong();
    public final AtomicLong logLinesAcknowledged = new AtomicLong();
    public final AtomicLong queueItemsAdded = new AtomicLong();
    public final AtomicLong queueItemsFinished = new AtomicLong();
    /** The threads the robots run on (their event loops), for a harness to read the load generator's CPU. */
    private final java.util.Set<Thread> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** While true (Suspended), a 503 from a robot route is the rule working, not an error. */
    public volatile boolean refusalsExpected;
    private final List<long[]> samples = new ArrayList<>();
    private long[] current = new long[65_536];
    private int used;
    private final long[][] byKindSum = new long[Kind.values().length][1];
    private static final long KIND_MASK = 7;
    private volatile Map<Kind, Double> lastP99ByKind = Map.of();
    /** Answers slower than this are also kept with the moment they came (the first 65,536 of a span). */
    private static final long SLOW_NANOS = 150_000_000L;
    private final long[] slowAt = new long[65_536];
    private final long[] slowLatency = new long[65_536];
    private int slowUsed;

    /**
     * When the slow answers of the span since the last call came, from {@code origin}
     * ({@link System#nanoTime()}) in buckets of {@code bucketMillis}: per bucket the number over
     * 250 ms, over 150 ms, the slowest, and the kinds of those over 250 ms; the record starts over.
     * Tells one stall (every kind slow in the same second) from a queue that grows.
     */
    public synchronized String slowTimeline(long origin, int bucketMillis) {
      java.util.TreeMap<Long, long[]> buckets = new java.util.TreeMap<>();
      for (int i = 0; i < slowUsed; i++) {
        long bucket = Math.floorDiv((slowAt[i] - origin) / 1_000_000L, bucketMillis);
        long[] b = buckets.computeIfAbsent(bucket, k -> new long[3 + Kind.values().length]);
        long millis = (slowLatency[i] & ~KIND_MASK) / 1_000_000L;
        b[1]++;
        b[2] = Math.max(b[2], millis);
        if (millis >= 250) {
          b[0]++;
          b[3 + (int) (slowLatency[i] & KIND_MASK)]++;
        }
      }
      StringBuilder out = new StringBuilder();
      buckets.forEach((bucket, b) -> {
        out.append(String.format("    %+6.2f s: >250 ms %4d, >150 ms %4d, slowest %4d ms", bucket * bucketMillis / 1e3,
            b[0], b[1], b[2]));
        for (Kind kind : Kind.values()) {
          if (b[3 + kind.ordinal()] > 0) {
            out.append(' ').append(kind).append('=').append(b[3 + kind.ordinal()]);
          }
        }
        out.append('\n');
      });
      slowUsed = 0;
      return out.toString();
    }

    void ranOn(Thread thread) {
      threads.add(thread);
    }

    /** The CPU time the robots' threads have used, in ns (-1 where the JVM cannot tell). */
    public long cpuNanos() {
      java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
      if (!bean.isThreadCpuTimeSupported()) {
        return -1;
      }
      long total = 0;
      for (Thread thread : threads) {
        long nanos = bean.getThreadCpuTime(thread.getId());
        total += Math.max(0, nanos);
      }
      return total;
    }

    void unexpected(String what) {
      if (unexpected.incrementAndGet() <= 20) {
        unexpectedSamples.add(what);
      }
    }

    synchronized void record(Kind kind, long nanos) {
      if (nanos >= SLOW_NANOS && slowUsed < slowAt.length) {
        slowAt[slowUsed] = System.nanoTime();
        slowLatency[slowUsed++] = (nanos & ~KIND_MASK) | kind.ordinal();
      }
      if (used == current.length) {
        samples.add(current);
        current = new long[65_536];
        used = 0;
      }
      // the kind in the low bits (8 ns of precision given up): the p99 of each kind, next to the whole
      current[used++] = (nanos & ~KIND_MASK) | kind.ordinal();
      byKindSum[kind.ordinal()][0]++;
    }

    /**
     * Latencies recorded since the last call, in ms, sorted; the recorder starts over. The same
     * span's p99 per kind of message is then {@link #p99ByKind()}. Only the hand-over of the
     * recorded blocks holds the lock the robots record under: the sorting happens outside it.
     */
    public double[] drainMillis() {
      List<long[]> blocks;
      synchronized (this) {
        blocks = new ArrayList<>(samples);
        blocks.add(java.util.Arrays.copyOf(current, used));
        samples.clear();
        current = new long[65_536];
        used = 0;
      }
      int kinds = Kind.values().length;
      int[] counts = new int[kinds];
      int total = 0;
      for (long[] block : blocks) {
        for (long sample : block) {
          counts[(int) (sample & KIND_MASK)]++;
        }
        total += block.length;
      }
      double[] all = new double[total];
      double[][] byKind = new double[kinds][];
      for (int kind = 0; kind < kinds; kind++) {
        byKind[kind] = new double[counts[kind]];
      }
      int[] filled = new int[kinds];
      int i = 0;
      for (long[] block : blocks) {
        for (long sample : block) {
          int kind = (int) (sample & KIND_MASK);
          double millis = (sample & ~KIND_MASK) / 1e6;
          all[i++] = millis;
          byKind[kind][filled[kind]++] = millis;
        }
      }
      java.util.Arrays.sort(all);
      Map<Kind, Double> p99 = new EnumMap<>(Kind.class);
      for (Kind kind : Kind.values()) {
        double[] mine = byKind[kind.ordinal()];
        if (mine.length > 0) {
          java.util.Arrays.sort(mine);
          p99.put(kind, percentile(mine, 0.99));
        }
      }
      lastP99ByKind = p99;
      return all;
    }

    /** The nearest-rank {@code quantile} of sorted figures; NaN when there are none. */
    public static double percentile(double[] sorted, double quantile) {
      return sorted.length == 0 ? Double.NaN : sorted[Math.max(0, (int) Math.ceil(sorted.length * quantile) - 1)];
    }

    /** The p99 in ms of each kind of message in the span the last {@link #drainMillis()} returned. */
    public Map<Kind, Double> p99ByKind() {
      return lastP99ByKind;
    }

    public synchronized long count(Kind kind) {
      return byKindSum[kind.ordinal()][0];
    }
  }
}
