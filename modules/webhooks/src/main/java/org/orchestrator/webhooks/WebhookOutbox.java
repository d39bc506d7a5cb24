package org.orchestrator.webhooks;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.contracts.phase.PhaseMessages.EventWindow;
import org.orchestrator.contracts.phase.PhaseMessages.ListEvents;
import org.orchestrator.contracts.phase.PhaseMessages.MaintenanceEvent;
import org.orchestrator.contracts.phase.PhaseMessages.MaintenancePlan;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.GetWindowLog;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.TenantWindowLog;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.WindowLogs;
import org.orchestrator.contracts.webhooks.WebhookMessages;
import org.orchestrator.platform.config.OrchestratorConfig;
import org.orchestrator.platform.metrics.Meters;
import org.orchestrator.webhooks.WebhookRepository.Claimed;
import org.orchestrator.webhooks.WebhookRepository.Outcome;
import org.orchestrator.webhooks.WebhookRepository.Outgoing;
import org.orchestrator.webhooks.WebhookRepository.Subscriber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the phase module's stored maintenance events into deliveries (the outbox) and delivers
 * them: at least once, each attempt signed, a failed one tried again with exponential backoff until
 * its retry span (24 h by default) has passed. Every step is stored before the next begins, so a
 * node killed at any point leaves each event either not yet turned into deliveries (the cursor did
 * not move) or waiting in the outbox; any node carries on.
 */
final class WebhookOutbox {

  private static final Logger LOG = LoggerFactory.getLogger(WebhookOutbox.class);
  static final String EVENT_HEADER = "X-Orchestrator-Event";
  static final String DELIVERY_HEADER = "X-Orchestrator-Delivery";
  /** Events read from the phase module per round. */
  static final int EVENT_BATCH = 100;
  /** Deliveries attempted at once by one node. */
  static final int DELIVERY_BATCH = 16;
  /** The start of a receiver's answer kept with the attempt. */
  static final int RESPONSE_KEPT = 1_024;

  private final Vertx vertx;
  private final EventBus bus;
  private final WebhookRepository repository;
  private final OrchestratorConfig.Webhooks settings;
  private final Clock clock;
  private final HttpClient client;
  private final Map<String, Counter> counters = new HashMap<>();
  private final WorkerExecutor resolvers;

  WebhookOutbox(Vertx vertx, WorkerExecutor resolvers, WebhookRepository repository,
      OrchestratorConfig.Webhooks settings, Clock clock, MeterRegistry registry) {
    this.vertx = vertx;
    this.resolvers = resolvers;
    this.bus = vertx.eventBus();
    this.repository = repository;
    this.settings = settings;
    this.clock = clock;
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, settings.timeoutMillis()))
        .setMaxRedirects(0).setTrustAll(false).setVerifyHost(true));
    for (String event : WebhookMessages.EVENTS) {
      for (String outcome : List.of("delivered", "failed", "gave_up")) {
        counters.put(event + "/" + outcome, Counter.builder(Meters.WEBHOOK_DELIVERIES)
            .description("attempts to deliver maintenance events to tenants' webhooks, by outcome")
            .tag("event", event).tag("outcome", outcome).register(registry));
      }
    }
  }

  Future<Void> close() {
    return client.close();
  }

  /**
   * How long a {@code maintenance.ended} event waits for its window's records to be completed
   * (decision 128: frozen again just after End committed) before it goes out with what they hold.
   */
  static final Duration ENDED_WAITS_FOR_RECORDS = Duration.ofSeconds(60);

  /**
   * Turns every stored event after the cursor into deliveries, a batch at a time. A
   * {@code maintenance.ended} event waits, and the events after it with it, until its window's
   * records are complete, so that its summary counts what End's last milliseconds added.
   */
  Future<Void> fanOut() {
    return repository.cursor().compose(after -> Addresses.PHASE_EVENT_LIST.request(bus, new ListEvents(after, EVENT_BATCH))
        .compose(events -> {
          if (events.items().isEmpty()) {
            return Future.succeededFuture();
          }
          return repository.subscribers().compose(subscribers -> endedLogs(events.items(), subscribers)
              .compose(logs -> {
                List<MaintenanceEvent> ready = ready(events.items(), logs);
                if (ready.isEmpty()) {
                  return Future.succeededFuture();
                }
                return repository.enqueue(deliveries(ready, subscribers, logs), last(ready), clock.instant())
                    .onSuccess(ok -> LOG.debug("webhooks: {} events after {} enqueued", ready.size(), after))
                    .compose(ok -> ready.size() == EVENT_BATCH ? fanOut() : Future.succeededFuture());
              }));
        }));
  }

  /**
   * The records of each window a {@code maintenance.ended} event of the batch ends, by window, for
   * the events some receiver asked for (the others neither need them nor wait for them).
   */
  private Future<Map<Long, WindowLogs>> endedLogs(List<MaintenanceEvent> events, List<Subscriber> subscribers) {
    Map<Long, Future<WindowLogs>> each = new HashMap<>();
    for (MaintenanceEvent event : events) {
      if (ended(event) && subscribers.stream().anyMatch(subscriber -> receives(subscriber, event))) {
        each.computeIfAbsent(event.window().id(),
            window -> Addresses.TENANT_LOG_WINDOW_GET.request(bus, new GetWindowLog(window, null)));
      }
    }
    return Future.all(new ArrayList<>(each.values())).map(all -> {
      Map<Long, WindowLogs> logs = new HashMap<>();
      each.forEach((window, answer) -> logs.put(window, answer.result()));
      return logs;
    });
  }

  /** The events up to the first {@code maintenance.ended} whose records are not complete yet. */
  private List<MaintenanceEvent> ready(List<MaintenanceEvent> events, Map<Long, WindowLogs> logs) {
    for (int i = 0; i < events.size(); i++) {
      MaintenanceEvent event = events.get(i);
      WindowLogs records = ended(event) ? logs.get(event.window().id()) : null;
      if (records != null && !records.complete()) {
        if (clock.instant().isBefore(event.at().plus(ENDED_WAITS_FOR_RECORDS))) {
          return events.subList(0, i);
        }
        LOG.warn("webhooks: the records of window {} are not complete {} after End; {} goes out with what they hold",
            event.window().id(), ENDED_WAITS_FOR_RECORDS, event.type());
      }
    }
    return events;
  }

  private static boolean ended(MaintenanceEvent event) {
    return "maintenance.ended".equals(event.type()) && event.window() != null;
  }

  /** Whether the receiver gets the event: it asked for its type, and it is of its tenant or the platform's. */
  private static boolean receives(Subscriber subscriber, MaintenanceEvent event) {
    return subscriber.events().contains(event.type())
        && (event.tenantId() == null || event.tenantId() == subscriber.tenantId());
  }

  private static long last(List<MaintenanceEvent> events) {
    return events.get(events.size() - 1).id();
  }

  private static List<Outgoing> deliveries(List<MaintenanceEvent> events, List<Subscriber> subscribers,
      Map<Long, WindowLogs> logs) {
    List<Outgoing> outgoing = new ArrayList<>();
    for (MaintenanceEvent event : events) {
      WindowLogs records = ended(event) ? logs.get(event.window().id()) : null;
      Map<Long, TenantWindowLog> byTenant = records == null ? Map.of() : byTenant(records);
      for (Subscriber subscriber : subscribers) {
        if (receives(subscriber, event)) {
          UUID id = UUID.randomUUID();
          String body = body(id, event, subscriber.tenantId(), byTenant.get(subscriber.tenantId())).encode();
          outgoing.add(new Outgoing(id, subscriber.id(), subscriber.tenantId(), event.type(), event.id(), body));
        }
      }
    }
    return outgoing;
  }

  private static Map<Long, TenantWindowLog> byTenant(WindowLogs logs) {
    Map<Long, TenantWindowLog> map = new HashMap<>();
    logs.tenants().forEach(log -> map.put(log.tenantId(), log));
    return map;
  }

  /** What a tenant's receiver gets; the same bytes on every attempt. */
  static JsonObject body(UUID id, MaintenanceEvent event, long tenantId, TenantWindowLog log) {
    JsonObject body = new JsonObject().put("id", id.toString()).put("event", event.type())
        .put("sequence", event.id()).put("occurredAt", event.at().toString()).put("tenantId", tenantId)
        // Tenant: the event of the tenant's own window; Platform: of the platform's (or its plans)
        .put("scope", event.tenantId() == null ? "Platform" : "Tenant");
    EventWindow window = event.window();
    if (window != null) {
      body.put("window", new JsonObject().put("id", window.id()).put("startedAt", text(window.startedAt()))
          .put("startedBy", window.startedBy()).put("reason", window.reason())
          .put("expectedEnd", text(window.expectedEnd())).put("endedAt", text(window.endedAt())));
    }
    MaintenancePlan plan = event.plan();
    if (plan != null) {
      body.put("plan", new JsonObject().put("id", plan.id()).put("drainAt", text(plan.drainAt()))
          .put("expectedEnd", text(plan.expectedEnd())).put("reason", plan.reason()));
    }
    if ("maintenance.ended".equals(event.type())) {
      body.put("summary", new JsonObject()
          .put("jobStopsAttempted", log == null ? 0 : log.stoppedJobs().size())
          .put("jobKillsAttempted", log == null ? 0 : log.killedJobs().size())
          .put("triggersSkipped", log == null ? 0 : log.skippedTriggers().size())
          .put("log", "/api/Maintenance/History?tenantId=" + tenantId));
    }
    return body;
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }

  /** Attempts every delivery due now, a batch at a time; returns how many were attempted. */
  Future<Integer> deliverDue() {
    Instant now = clock.instant();
    Instant leaseUntil = now.plusMillis(settings.timeoutMillis()).plusSeconds(30);
    return repository.claim(now, leaseUntil, DELIVERY_BATCH).compose(claimed -> {
      if (claimed.isEmpty()) {
        return Future.succeededFuture(0);
      }
      return Future.join(claimed.stream().map(this::attempt).toList())
          .transform(done -> claimed.size() == DELIVERY_BATCH
              ? deliverDue().map(more -> claimed.size() + more) : Future.succeededFuture(claimed.size()));
    });
  }

  /** What an attempt came to: the receiver's status (null if none), an error, the start of its answer. */
  private record Answer(Integer status, String error, String response) {
  }

  private Future<Void> attempt(Claimed delivery) {
    Instant started = clock.instant();
    long startNanos = System.nanoTime();
    if (delivery.webhookDeleted()) {
      return settle(delivery, started, 0, new Answer(null, "the webhook was removed", null), Outcome.GAVE_UP, null);
    }
    URI url = WebhookTargets.parse(delivery.url());
    byte[] body = delivery.body().getBytes(StandardCharsets.UTF_8);
    return WebhookTargets.resolve(resolvers, url, settings.allowPrivateTargets())
        .compose(address -> post(url, address.getHostAddress(), delivery, body))
        .otherwise(failure -> new Answer(null, failure.getMessage() == null ? failure.toString() : failure.getMessage(),
            null))
        .compose(answer -> {
          long millis = (System.nanoTime() - startNanos) / 1_000_000;
          boolean ok = answer.status() != null && answer.status() >= 200 && answer.status() < 300;
          if (ok) {
            return settle(delivery, started, millis, answer, Outcome.DELIVERED, null);
          }
          Instant next = clock.instant().plusMillis(backoffMillis(delivery.attempts() + 1));
          boolean expired = next.isAfter(delivery.createdAt().plusSeconds(settings.retryForSeconds()));
          return settle(delivery, started, millis, answer, expired ? Outcome.GAVE_UP : Outcome.RETRY,
              expired ? null : next);
        });
  }

  /**
   * The wait after the {@code attempts}-th failure: the initial backoff doubled each time, capped,
   * with up to a fifth taken off at random, so receivers coming back are not hit by every sender at once.
   */
  long backoffMillis(int attempts) {
    double wait = settings.initialBackoffMillis() * Math.pow(2, Math.min(attempts - 1, 40));
    long capped = (long) Math.min(wait, settings.maxBackoffMillis());
    return capped - (long) (capped * 0.2 * ThreadLocalRandom.current().nextDouble());
  }

  private Future<Void> settle(Claimed delivery, Instant at, long millis, Answer answer, Outcome outcome, Instant next) {
    String counted = switch (outcome) {
      case DELIVERED -> "delivered";
      case RETRY -> "failed";
      case GAVE_UP -> "gave_up";
    };
    if (outcome != Outcome.DELIVERED) {
      LOG.info("webhook delivery {} ({}) to {}: {}{}", delivery.id(), delivery.event(), delivery.url(),
          answer.status() != null ? "status " + answer.status() : answer.error(),
          outcome == Outcome.RETRY ? ", tried again at " + next : ", given up");
    }
    return repository.settle(delivery.id(), at, millis, answer.status(), answer.error(), answer.response(), outcome, next)
        .onSuccess(ok -> counters.get(delivery.event() + "/" + counted).increment());
  }

  /**
   * One POST to the checked address, with the URL's host in {@code Host} (and for TLS), at most
   * {@code timeoutMillis} in all; the answer is read up to {@code maxResponseBytes}, then the
   * connection is closed.
   */
  private Future<Answer> post(URI url, String address, Claimed delivery, byte[] body) {
    Promise<Answer> answer = Promise.promise();
    long timer = vertx.setTimer(settings.timeoutMillis(), id -> answer.tryFail("no answer within "
        + settings.timeoutMillis() + " ms"));
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url.toString())
        .setServer(SocketAddress.inetSocketAddress(WebhookTargets.port(url), address))
        .setConnectTimeout(settings.timeoutMillis()).setIdleTimeout(settings.timeoutMillis())
        .putHeader("Content-Type", "application/json")
        .putHeader("User-Agent", "orchestrator-webhooks")
        .putHeader(EVENT_HEADER, delivery.event())
        .putHeader(DELIVERY_HEADER, delivery.id().toString())
        .putHeader(Signatures.HEADER, Signatures.sign(delivery.secret(), body));
    client.request(options)
        .compose(request -> {
          answer.future().onComplete(done -> {
            if (done.failed()) {
              request.reset();
            }
          });
          return request.send(Buffer.buffer(body));
        })
        .onSuccess(response -> {
          Buffer kept = Buffer.buffer();
          long[] read = {0};
          response.handler(chunk -> {
            read[0] += chunk.length();
            if (kept.length() < RESPONSE_KEPT) {
              kept.appendBuffer(chunk.slice(0, Math.min(chunk.length(), RESPONSE_KEPT - kept.length())));
            }
            if (read[0] > settings.maxResponseBytes()) {
              answer.tryComplete(new Answer(response.statusCode(), "answer longer than "
                  + settings.maxResponseBytes() + " bytes: not read further", kept.toString()));
              response.request().reset();
            }
          });
          response.endHandler(end -> answer.tryComplete(new Answer(response.statusCode(), null, kept.toString())));
          response.exceptionHandler(failure -> answer.tryComplete(new Answer(response.statusCode(),
              "answer cut off: " + failure.getMessage(), kept.toString())));
        })
        .onFailure(failure -> answer.tryFail(failure));
    return answer.future().onComplete(done -> vertx.cancelTimer(timer));
  }
}
