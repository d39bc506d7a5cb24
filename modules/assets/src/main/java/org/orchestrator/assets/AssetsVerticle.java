package org.orchestrator.assets;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.sqlclient.Pool;
import java.util.List;
import org.orchestrator.contracts.bus.Addresses;

/** Bus adapter of the assets module; the rules live in {@link AssetService}. */
public final class AssetsVerticle extends VerticleBase {

  private final Pool pool;

  public AssetsVerticle(Pool pool) {
    this.pool = pool;
  }

  @Override
  public Future<?> start() {
    EventBus bus = vertx.eventBus();
    AssetService service = new AssetService(new AssetRepository(pool));
    return Future.all(List.of(
        Addresses.ASSETS_ASSET_CREATE.serve(bus, service::create).completion(),
        Addresses.ASSETS_ASSET_UPDATE.serve(bus, service::update).completion(),
        Addresses.ASSETS_ASSET_DELETE.serve(bus, service::delete).completion(),
        Addresses.ASSETS_ASSET_LIST.serve(bus, service::list).completion(),
        Addresses.ASSETS_ROBOT_GET.serve(bus, service::robotGet).completion()));
  }
}
