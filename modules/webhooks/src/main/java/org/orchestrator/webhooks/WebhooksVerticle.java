package org.orchestrator.webhooks;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.orchestrator.contracts.bus.RequestContext;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.platform.config.OrchestratorConfig;
import org.orchestrator.platform.metrics.Meters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bus adapter of the webhooks module, and the outbox's pump: every {@code webhooks.pollMillis}, and
 * at once when the phase changes (events come with phase changes and plans), stored events become
 * deliveries and due deliveries are attempted; one round at a time on this node. The backlog gauges
 * are read from the database every {@value #BACKLOG_PERIOD_MS} ms. It serves retention's addresses
 * ({@link DeliveryRetention}).
 */
public final class WebhooksVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(WebhooksVerticle.class);
  static final long BACKLOG_PERIOD_MS = 5_000;
  static final long FORGET_PERIOD_MS = 600_000;

  private final Pool pool;
  private final OrchestratorConfig.Webhooks settings;
  private final Clock clock;
  private final MeterRegistry registry;
  private WebhookOutbox outbox;
  private io.vertx.core.WorkerExecutor resolvers;
  private WebhookRepository repository;
  private boolean pumping;
  private boolean again;
  private volatile long backlog;
  private volatile Instant oldest;
  private long poller = -1;
  private long measurer = -1;
  private long forgetter = -1;

  public WebhooksVerticle(Pool pool, OrchestratorConfig.Webhooks settings, Clock clock, MeterRegistry registry) {
    this.pool = pool;
    this.settings = settings;
    this.clock = clock;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    EventBus bus = vertx.eventBus();
    repository = new WebhookRepository(pool);
    resolvers = WebhookTargets.resolvers(vertx);
    WebhookService service = new WebhookService(resolvers, repository, settings.allowPrivateTargets(), clock);
    outbox = new WebhookOutbox(vertx, resolvers, repository, settings, clock, registry);
    Gauge.builder(Meters.WEBHOOK_BACKLOG, () -> backlog).description("webhook deliveries waiting in the outbox")
        .register(registry);
    Gauge.builder(Meters.WEBHOOK_OLDEST, () -> {
      Instant when = oldest;
      return when == null ? 0 : Math.max(0, Duration.between(when, clock.instant()).toMillis() / 1000.0);
    }).description("age of the oldest webhook delivery waiting in the outbox").baseUnit("seconds").register(registry);
    return Future.all(List.of(
            Addresses.WEBHOOKS_WEBHOOK_CREATE.serve(bus, service::create).completion(),
            Addresses.WEBHOOKS_WEBHOOK_LIST.serve(bus, service::list).completion(),
            Addresses.WEBHOOKS_WEBHOOK_DELETE.serve(bus, service::delete).completion(),
            Addresses.WEBHOOKS_DELIVERY_LIST.serve(bus, service::deliveries).completion(),
            new DeliveryRetention(pool).serve(bus),
            Addresses.PHASE_CHANGED.subscribe(bus, changed -> pump()).completion()))
        .onSuccess(ready -> {
          poller = vertx.setPeriodic(settings.pollMillis(), id -> pump());
          measurer = vertx.setPeriodic(BACKLOG_PERIOD_MS, id -> measure());
          forgetter = vertx.setPeriodic(FORGET_PERIOD_MS, id -> repository.forgetRemovedWebhooks()
              .onFailure(failure -> LOG.debug("removed webhooks not forgotten: {}", failure.getMessage())));
          measure();
        });
  }

  /** One round: events into deliveries, then due deliveries attempted; asked again meanwhile, one more. */
  private void pump() {
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    again = false;
    RequestContext.newRequest(vertx, "webhooks", () -> outbox.fanOut()
        .onFailure(failure -> LOG.warn("webhooks: events not turned into deliveries: {}", failure.getMessage()))
        .transform(done -> outbox.deliverDue())
        .onFailure(failure -> LOG.warn("webhooks: deliveries not attempted: {}", failure.getMessage())))
        .onComplete(done -> {
          pumping = false;
          if (again) {
            pump();
          }
        });
  }

  private void measure() {
    repository.backlog()
        .onSuccess(now -> {
          backlog = now.waiting();
          oldest = now.oldest();
        })
        .onFailure(failure -> LOG.debug("webhook backlog not read: {}", failure.getMessage()));
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(poller);
    vertx.cancelTimer(measurer);
    vertx.cancelTimer(forgetter);
    return Future.all(outbox == null ? Future.succeededFuture() : outbox.close(),
        resolvers == null ? Future.succeededFuture() : resolvers.close());
  }
}
