package org.orchestrator.webhooks;

import io.vertx.core.Deployable;
import java.util.List;
import org.orchestrator.platform.metrics.Meters;
import org.orchestrator.platform.modules.FeatureModule;
import org.orchestrator.platform.modules.ModuleContext;

/** Webhooks: tenants' receivers of maintenance events, fed from a persisted outbox. */
public final class WebhooksModule implements FeatureModule {

  @Override
  public String name() {
    return "webhooks";
  }

  @Override
  public Deployable verticle(ModuleContext context) {
    return new WebhooksVerticle(context.pool(), context.config().webhooks(), context.clock(), context.registry());
  }

  @Override
  public List<String> meters() {
    return List.of(Meters.WEBHOOK_DELIVERIES, Meters.WEBHOOK_BACKLOG, Meters.WEBHOOK_OLDEST);
  }
}
