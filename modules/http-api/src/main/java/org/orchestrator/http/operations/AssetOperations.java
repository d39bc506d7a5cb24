package org.orchestrator.http.operations;

import io.vertx.core.json.JsonObject;
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
public final class AssetOperations {

  private AssetOperations() {
  }

  public static void bind(Operations operations) {
    operations.bus("createAsset", Addresses.ASSETS_ASSET_CREATE, ctx -> {
      JsonObject body = Requests.body(ctx);
      return new CreateAsset(Requests.human(ctx), body.getString("name"), type(body.getString("type")),
          body.getValue("value"));
    }, AssetOperations::view);
    operations.bus("listAssets", Addresses.ASSETS_ASSET_LIST, ctx -> new ListAssets(Requests.human(ctx),
            Requests.page(ctx, JobOperations.DEFAULT_PAGE_SIZE)),
        page -> JsonViews.page(page, AssetOperations::view));
    operations.bus("updateAsset", Addresses.ASSETS_ASSET_UPDATE, ctx -> new UpdateAsset(Requests.human(ctx),
        Requests.pathLong(ctx, "id"), Requests.body(ctx).getValue("value")), AssetOperations::view);
    operations.bus("deleteAsset", Addresses.ASSETS_ASSET_DELETE,
        ctx -> new DeleteAsset(Requests.human(ctx), Requests.pathLong(ctx, "id")), deleted -> null);
    // a hot robot route: its one parameter is checked by the assets module (the contract's pattern)
    operations.bus("robotGetAsset", Addresses.ASSETS_ROBOT_GET,
            ctx -> new GetRobotAsset(Requests.robot(ctx), Requests.pathString(ctx, "name")), AssetOperations::view)
        .setDoValidation(false);
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
