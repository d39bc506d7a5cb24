package org.orchestrator.contracts.webhooks;

import org.orchestrator.contracts.PageRequest;
import java.time.Instant;
import java.util.List;
import org.orchestrator.contracts.Caller;

/** Bodies of the webhooks module's addresses. */
public final class WebhookMessages {

  private WebhookMessages() {
  }

  /** The events a webhook can subscribe to, in the order a window produces them. */
  public static final List<String> EVENTS = List.of("maintenance.planned", "maintenance.cancelled",
      "maintenance.draining", "maintenance.suspended", "maintenance.ended");

  /** A tenant administrator registers a receiver: {@code secret} signs every delivery. */
  public record CreateWebhook(Caller caller, String url, String secret, List<String> events) {
  }

  public record ListWebhooks(Caller caller) {
  }

  public record DeleteWebhook(Caller caller, long id) {
  }

  /** The attempts of a webhook's deliveries, newest first. */
  public record ListDeliveries(Caller caller, long webhookId, PageRequest page) {
  }

  /** A registered receiver as its tenant sees it; the secret is never shown again. */
  public record Webhook(long id, long tenantId, String url, List<String> events, Instant createdAt, String createdBy) {
  }

  public record Webhooks(List<Webhook> items) {
  }

  /** One event for one webhook: Pending (being tried), Delivered, or GaveUp (after retrying for its whole span). */
  public record Delivery(String id, String event, long sequence, String state, int attempts, Instant createdAt,
      Instant nextAttemptAt, Instant deliveredAt, List<Attempt> tries) {
  }

  /** One try: the receiver's status (null when none came), what went wrong, the start of its answer. */
  public record Attempt(Instant at, long durationMillis, Integer status, String error, String response) {
  }

  public record Removed(long id) {
  }
}
