package org.orchestrator.http.operations;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.contracts.webhooks.WebhookMessages.CreateWebhook;
import org.orchestrator.contracts.webhooks.WebhookMessages.DeleteWebhook;
import org.orchestrator.contracts.webhooks.WebhookMessages.Delivery;
import org.orchestrator.contracts.webhooks.WebhookMessages.ListDeliveries;
import org.orchestrator.contracts.webhooks.WebhookMessages.ListWebhooks;
import org.orchestrator.contracts.webhooks.WebhookMessages.Webhook;
import org.orchestrator.http.support.Requests;

/** Tenant administrators' receivers of maintenance events, and what became of each delivery. */
public final class WebhookOperations {

  private WebhookOperations() {
  }

  public static void bind(Operations operations) {
    operations.bus("createWebhook", Addresses.WEBHOOKS_WEBHOOK_CREATE, ctx -> {
      JsonObject body = Requests.body(ctx);
      return new CreateWebhook(Requests.human(ctx), body.getString("url"), body.getString("secret"),
          events(body.getJsonArray("events")));
    }, WebhookOperations::view);
    operations.bus("listWebhooks", Addresses.WEBHOOKS_WEBHOOK_LIST, ctx -> new ListWebhooks(Requests.human(ctx)),
        list -> JsonViews.items(list.items(), WebhookOperations::view));
    operations.bus("deleteWebhook", Addresses.WEBHOOKS_WEBHOOK_DELETE,
        ctx -> new DeleteWebhook(Requests.human(ctx), Requests.pathLong(ctx, "id")), deleted -> null);
    operations.bus("webhookDeliveries", Addresses.WEBHOOKS_DELIVERY_LIST, ctx -> new ListDeliveries(Requests.human(ctx),
            Requests.pathLong(ctx, "id"), Requests.page(ctx, JobOperations.DEFAULT_PAGE_SIZE)),
        page -> JsonViews.page(page, WebhookOperations::delivery));
  }

  private static List<String> events(JsonArray array) {
    if (array == null) {
      return null;
    }
    List<String> events = new ArrayList<>();
    for (Object event : array) {
      if (!(event instanceof String name)) {
        throw Failure.badRequest("events are strings");
      }
      events.add(name);
    }
    return events;
  }

  static JsonObject view(Webhook webhook) {
    return new JsonObject().put("id", webhook.id()).put("url", webhook.url()).put("events", new JsonArray(webhook.events()))
        .put("createdAt", JsonViews.text(webhook.createdAt())).put("createdBy", webhook.createdBy());
  }

  static JsonObject delivery(Delivery delivery) {
    return new JsonObject().put("id", delivery.id()).put("event", delivery.event()).put("sequence", delivery.sequence())
        .put("state", delivery.state()).put("attempts", delivery.attempts())
        .put("createdAt", JsonViews.text(delivery.createdAt())).put("nextAttemptAt", JsonViews.text(delivery.nextAttemptAt()))
        .put("deliveredAt", JsonViews.text(delivery.deliveredAt()))
        .put("tries", new JsonArray(delivery.tries().stream().map(attempt -> new JsonObject()
            .put("at", JsonViews.text(attempt.at())).put("durationMillis", attempt.durationMillis())
            .put("status", attempt.status()).put("error", attempt.error()).put("response", attempt.response())).toList()));
  }
}
