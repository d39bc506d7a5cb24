package org.orchestrator.retention;

import io.vertx.core.Deployable;
import io.vertx.core.Future;
import java.util.List;
import org.orchestrator.platform.metrics.Meters;
import org.orchestrator.platform.modules.FeatureModule;
import org.orchestrator.platform.modules.ModuleContext;

/**
 * Retention: how long finished rows are kept (the host's policy, tenants' overrides), the runs that
 * archive and delete them on one node at a time, and the archive files.
 */
public final class RetentionModule implements FeatureModule {

  @Override
  public String name() {
    return "retention";
  }

  @Override
  public Deployable verticle(ModuleContext context) {
    return new RetentionVerticle(context.pool(), context.database(), context.config().retention(), context.clock(),
        context.registry());
  }

  @Override
  public List<String> meters() {
    return List.of(Meters.RETENTION_ROWS, Meters.TABLE_BYTES, Meters.OLDEST_ROW_AGE, Meters.RETENTION_LONGEST,
        Meters.RETENTION_LAST_SUCCESS);
  }

  @Override
  public Future<Void> ready(Deployable deployed) {
    return ((RetentionVerticle) deployed).ready();
  }
}
