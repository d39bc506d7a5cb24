package org.orchestrator.tenantlog;

import io.vertx.core.Deployable;
import org.orchestrator.platform.modules.FeatureModule;
import org.orchestrator.platform.modules.ModuleContext;

/** Each tenant's record of each maintenance window. */
public final class TenantLogModule implements FeatureModule {

  @Override
  public String name() {
    return "tenant-log";
  }

  @Override
  public Deployable verticle(ModuleContext context) {
    return new TenantLogVerticle(context.pool());
  }
}
