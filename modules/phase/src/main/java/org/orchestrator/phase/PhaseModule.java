package org.orchestrator.phase;

import io.vertx.core.Deployable;
import io.vertx.core.Future;
import java.util.List;
import org.orchestrator.platform.metrics.Meters;
import org.orchestrator.platform.modules.FeatureModule;
import org.orchestrator.platform.modules.ModuleContext;

/**
 * The phase module: deployed first (every reader of the phase loads it from here), and once every
 * module is up it enforces a stored maintenance phase again (stop sweep, kill deadline).
 */
public final class PhaseModule implements FeatureModule {

  @Override
  public String name() {
    return "phase";
  }

  @Override
  public Deployable verticle(ModuleContext context) {
    return new PhaseVerticle(context.pool(), context.database(), context.clock(), context.registry(),
        context.config().maintenance().stalledAfterSeconds());
  }

  @Override
  public List<String> meters() {
    return List.of(Meters.BUILD_INFO, Meters.PHASE, Meters.PHASE_SECONDS, Meters.TENANTS_IN_MAINTENANCE, Meters.TENANT_PHASE, Meters.WINDOW_SECONDS, Meters.DRAIN_REMAINING, Meters.DRAIN_EXEMPT_RUNNING,
        Meters.DRAIN_RATIO, Meters.DRAIN_ETA, Meters.DRAIN_DEADLINE, Meters.DRAIN_STALLED);
  }

  @Override
  public Future<Void> ready(Deployable deployed) {
    return ((PhaseVerticle) deployed).enforce();
  }
}
