package org.orchestrator.assets;

import io.vertx.core.Deployable;
import org.orchestrator.platform.modules.FeatureModule;
import org.orchestrator.platform.modules.ModuleContext;

/** Assets: named values a tenant keeps for its robots. */
public final class AssetsModule implements FeatureModule {

  @Override
  public String name() {
    return "assets";
  }

  @Override
  public Deployable verticle(ModuleContext context) {
    return new AssetsVerticle(context.pool());
  }
}
