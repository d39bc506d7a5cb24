package org.orchestrator.jobs;

import io.vertx.core.Deployable;
import java.util.List;
import org.orchestrator.platform.metrics.Meters;
import org.orchestrator.platform.modules.FeatureModule;
import org.orchestrator.platform.modules.ModuleContext;

/** Jobs, the robot protocol, robot presence, logs and queue items. */
public final class JobsModule implements FeatureModule {

  @Override
  public String name() {
    return "jobs";
  }

  @Override
  public Deployable verticle(ModuleContext context) {
    return new JobControlVerticle(context.pool(), context.database(), context.config().jobs(), context.clock(),
        context.registry());
  }

  @Override
  public List<String> meters() {
    return List.of(Meters.JOBS, Meters.ROBOTS_CONNECTED, Meters.ROBOTS_DISCONNECTED, Meters.ROBOTS_CORDONED, Meters.TENANT_INFO,
        Meters.JOBS_FAULTED_BY_SERVER, Meters.STOPS_SENT, Meters.KILLS_SENT, Meters.STOPS_ACKNOWLEDGED,
        Meters.KILLS_ACKNOWLEDGED, Meters.JOB_STARTS_PACED, Meters.RETURN_ROBOTS_BEFORE, Meters.RETURN_ROBOTS_BACK);
  }
}
