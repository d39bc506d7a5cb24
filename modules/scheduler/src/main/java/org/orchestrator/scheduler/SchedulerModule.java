package org.orchestrator.scheduler;

import io.vertx.core.Deployable;
import java.util.List;
import org.orchestrator.platform.metrics.Meters;
import org.orchestrator.platform.modules.FeatureModule;
import org.orchestrator.platform.modules.ModuleContext;

/** Schedules and their fires. */
public final class SchedulerModule implements FeatureModule {

  @Override
  public String name() {
    return "scheduler";
  }

  @Override
  public Deployable verticle(ModuleContext context) {
    return new SchedulerVerticle(context.pool(), context.config().scheduler(), context.clock(), context.registry());
  }

  @Override
  public List<String> meters() {
    return List.of(Meters.TRIGGERS_SKIPPED, Meters.TRIGGERS_CAUGHT_UP);
  }
}
