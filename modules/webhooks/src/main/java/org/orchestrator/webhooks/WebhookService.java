package org.orchestrator.webhooks;

import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.net.URI;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.orchestrator.contracts.Caller;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.Page;
import org.orchestrator.contracts.webhooks.WebhookMessages;
import org.orchestrator.contracts.webhooks.WebhookMessages.CreateWebhook;
import org.orchestrator.contracts.webhooks.WebhookMessages.DeleteWebhook;
import org.orchestrator.contracts.webhooks.WebhookMessages.Delivery;
import org.orchestrator.contracts.webhooks.WebhookMessages.ListDeliveries;
import org.orchestrator.contracts.webhooks.WebhookMessages.ListWebhooks;
import org.orchestrator.contracts.webhooks.WebhookMessages.Removed;
import org.orchestrator.contracts.webhooks.WebhookMessages.Webhook;
import org.orchestrator.contracts.webhooks.WebhookMessages.Webhooks;

/** The rules of registering receivers: tenant administrators, their own tenant, checked URLs, bounded counts. */
final class WebhookService {

  /** Webhooks one tenant may have at once. */
  static final int MAX_PER_TENANT = 10;
  static final int MIN_SECRET = 16;
  static final int MAX_SECRET = 256;
  static final int MAX_PAGE_SIZE = 100;

  private final WorkerExecutor resolvers;
  private final WebhookRepository repository;
  private final boolean allowPrivateTargets;
  private final Clock clock;

  WebhookService(WorkerExecutor resolvers, WebhookRepository repository, boolean allowPrivateTargets, Clock clock) {
    this.resolvers = resolvers;
    this.repository = repository;
    this.allowPrivateTargets = allowPrivateTargets;
    this.clock = clock;
  }

  // Every operation answers a future and never throws: each starts from the caller's check and
  // composes the rest on it, so a Failure thrown while checking the request fails that future.

  Future<Webhook> create(CreateWebhook request) {
    return request.caller().tenantAdministrator().compose(tenant -> {
      URI url = WebhookTargets.parse(request.url());
      String secret = request.secret();
      if (secret == null || secret.length() < MIN_SECRET || secret.length() > MAX_SECRET
          || !secret.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
        throw Failure.badRequest("secret is " + MIN_SECRET + " to " + MAX_SECRET + " printable ASCII characters "
            + "without spaces; it signs every delivery (X-Orchestrator-Signature)");
      }
      List<String> events = events(request.events());
      return WebhookTargets.resolve(resolvers, url, allowPrivateTargets)
          .compose(address -> repository.insert(tenant, url.toString(), secret, events, request.caller().name(),
              MAX_PER_TENANT));
    });
  }

  Future<Webhooks> list(ListWebhooks request) {
    return request.caller().tenantAdministrator().compose(repository::list).map(Webhooks::new);
  }

  Future<Removed> delete(DeleteWebhook request) {
    return request.caller().tenantAdministrator()
        .compose(tenant -> repository.delete(tenant, request.id(), clock.instant()))
        .compose(found -> found ? Future.succeededFuture(new Removed(request.id()))
            : Future.failedFuture(Failure.notFound("the tenant has no webhook " + request.id())));
  }

  Future<Page<Delivery>> deliveries(ListDeliveries request) {
    return request.caller().tenantAdministrator().compose(tenant -> {
      if (request.page().size() > MAX_PAGE_SIZE) {
        throw Failure.badRequest("size is 1.." + MAX_PAGE_SIZE + " for deliveries (each carries its tries)");
      }
      request.page().afterId(); // a cursor this list never gave is refused before anything is read
      return repository.owns(tenant, request.webhookId());
    }).compose(owned -> !owned ? Future.failedFuture(Failure.notFound("the tenant has no webhook " + request.webhookId()))
        : repository.deliveries(request.webhookId(), request.page()));
  }

  private static List<String> events(List<String> requested) {
    if (requested == null || requested.isEmpty()) {
      throw Failure.badRequest("events is required: one or more of " + WebhookMessages.EVENTS);
    }
    Set<String> events = new LinkedHashSet<>();
    for (String event : requested) {
      if (!WebhookMessages.EVENTS.contains(event)) {
        throw Failure.badRequest("unknown event '" + event + "'; events are " + WebhookMessages.EVENTS);
      }
      if (!events.add(event)) {
        throw Failure.badRequest("event '" + event + "' is named twice");
      }
    }
    return List.copyOf(events);
  }
}
