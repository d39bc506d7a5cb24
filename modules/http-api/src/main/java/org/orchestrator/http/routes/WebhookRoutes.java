package org.orchestrator.http.routes;

import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.openapi.router.RouterBuilder;
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
public final class WebhookRoutes {

  private final EventBus bus;

  public WebhookRoutes(EventBus bus) {
    this.bus = bus;
  }

  public void mount(RouterBuilder builder) {
    builder.getRoute("createWebhook").addHandler(ctx -> Requests.guard(ctx, () -> {
      JsonObject body = Requests.body(ctx);
      CreateWebhook command = new CreateWebhook(Requests.human(ctx), body.getString("url"), body.getString("secret"),
          events(body.getJsonArray("events")));
      Requests.reply(ctx, 201, Addresses.WEBHOOKS_WEBHOOK_CREATE.request(bus, command).map(WebhookRoutes::view));
    }));
    builder.getRoute("listWebhooks").addHandler(ctx -> Requests.guard(ctx, () ->
        Requests.reply(ctx, 200, Addresses.WEBHOOKS_WEBHOOK_LIST.request(bus, new ListWebhooks(Requests.human(ctx)))
            .map(list -> new JsonObject().put("items", new JsonArray(list.items().stream().map(WebhookRoutes::view)
                .toList()))))));
    builder.getRoute("deleteWebhook").addHandler(ctx -> Requests.guard(ctx, () ->
        Requests.noContent(ctx, Addresses.WEBHOOKS_WEBHOOK_DELETE.request(bus,
            new DeleteWebhook(Requests.human(ctx), Requests.pathLong(ctx, "id"))))));
    builder.getRoute("webhookDeliveries").addHandler(ctx -> Requests.guard(ctx, () -> {
      ListDeliveries query = new ListDeliveries(Requests.human(ctx), Requests.pathLong(ctx, "id"),
          Requests.queryInt(ctx, "page", 1), Requests.queryInt(ctx, "size", JobRoutes.DEFAULT_PAGE_SIZE));
      Requests.reply(ctx, 200, Addresses.WEBHOOKS_DELIVERY_LIST.request(bus, query)
          .map(page -> JsonViews.page(page.items(), WebhookRoutes::delivery, page.page(), page.size(), page.total())));
    }));
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
