package org.orchestrator.identity;

import io.vertx.core.Deployable;
import org.orchestrator.platform.modules.FeatureModule;
import org.orchestrator.platform.modules.ModuleContext;

/** Tenants, users, robots' credentials, sign-in and token signing. */
public final class IdentityModule implements FeatureModule {

  @Override
  public String name() {
    return "identity";
  }

  @Override
  public Deployable verticle(ModuleContext context) {
    return new IdentityVerticle(context.pool(), context.database(), context.config(), context.keys());
  }
}
