package org.orchestrator.http.routes;

import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.assets.AssetMessages.Asset;
import org.orchestrator.contracts.assets.AssetMessages.AssetType;
import org.orchestrator.contracts.assets.AssetMessages.CreateAsset;
import org.orchestrator.contracts.assets.AssetMessages.DeleteAsset;
import org.orchestrator.contracts.assets.AssetMessages.GetRobotAsset;
import org.orchestrator.contracts.assets.AssetMessages.ListAssets;
import org.orchestrator.contracts.assets.AssetMessages.UpdateAsset;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.http.support.Requests;

/** Assets: tenant administrators keep them (a credential's value is never shown), robots read them. */
public final class AssetRoutes {

  private final EventBus bus;

  public AssetRoutes(EventBus bus) {
    this.bus = bus;
  }

  public void mount(RouterBuilder builder) {
    builder.getRoute("createAsset").addHandler(ctx -> Requests.guard(ctx, () -> {
      JsonObject body = Requests.body(ctx);
      CreateAsset command = new CreateAsset(Requests.human(ctx), body.getString("name"),
          type(body.getString("type")), body.getValue("value"));
      Requests.reply(ctx, 201, Addresses.ASSETS_ASSET_CREATE.request(bus, command).map(AssetRoutes::view));
    }));
    builder.getRoute("listAssets").addHandler(ctx -> Requests.guard(ctx, () -> {
      ListAssets query = new ListAssets(Requests.human(ctx), Requests.queryInt(ctx, "page", 1),
          Requests.queryInt(ctx, "size", JobRoutes.DEFAULT_PAGE_SIZE));
      Requests.reply(ctx, 200, Addresses.ASSETS_ASSET_LIST.request(bus, query)
          .map(page -> JsonViews.page(page.items(), AssetRoutes::view, page.page(), page.size(), page.total())));
    }));
    builder.getRoute("updateAsset").addHandler(ctx -> Requests.guard(ctx, () -> {
      UpdateAsset command = new UpdateAsset(Requests.human(ctx), Requests.pathLong(ctx, "id"),
          Requests.body(ctx).getValue("value"));
      Requests.reply(ctx, 200, Addresses.ASSETS_ASSET_UPDATE.request(bus, command).map(AssetRoutes::view));
    }));
    builder.getRoute("deleteAsset").addHandler(ctx -> Requests.guard(ctx, () ->
        Requests.noContent(ctx, Addresses.ASSETS_ASSET_DELETE.request(bus,
            new DeleteAsset(Requests.human(ctx), Requests.pathLong(ctx, "id"))))));
    // a hot robot route: its one parameter is checked by the assets module (the contract's pattern)
    builder.getRoute("robotGetAsset").setDoValidation(false).addHandler(ctx -> Requests.guard(ctx, () ->
        Requests.reply(ctx, 200, Addresses.ASSETS_ROBOT_GET.request(bus,
            new GetRobotAsset(Requests.robot(ctx), Requests.pathString(ctx, "name"))).map(AssetRoutes::view))));
  }

  private static AssetType type(String name) {
    if (name != null) {
      for (AssetType type : AssetType.values()) {
        if (type.name().equals(name)) {
          return type;
        }
      }
    }
    throw Failure.badRequest("type is Text, Integer, Bool or Credential");
  }

  static JsonObject view(Asset asset) {
    JsonObject json = new JsonObject().put("id", asset.id()).put("name", asset.name()).put("type", asset.type().name())
        .put("createdAt", JsonViews.text(asset.createdAt())).put("updatedAt", JsonViews.text(asset.updatedAt()));
    if (asset.value() != null) {
      json.put("value", asset.value());
    }
    return json;
  }
}
