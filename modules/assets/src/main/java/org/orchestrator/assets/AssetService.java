package org.orchestrator.assets;

import io.vertx.core.Future;
import java.util.regex.Pattern;
import org.orchestrator.contracts.Caller;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.Page;
import org.orchestrator.contracts.assets.AssetMessages.Asset;
import org.orchestrator.contracts.assets.AssetMessages.AssetType;
import org.orchestrator.contracts.assets.AssetMessages.CreateAsset;
import org.orchestrator.contracts.assets.AssetMessages.DeleteAsset;
import org.orchestrator.contracts.assets.AssetMessages.Deleted;
import org.orchestrator.contracts.assets.AssetMessages.GetRobotAsset;
import org.orchestrator.contracts.assets.AssetMessages.ListAssets;
import org.orchestrator.contracts.assets.AssetMessages.UpdateAsset;

/**
 * The rules of assets: tenant administrators keep them, robots read them. A value must fit its type
 * (Integer: a whole number of 64 bits; Bool: true or false; Text and Credential: at most
 * {@value #MAX_TEXT} characters, no NUL); a Credential's value is never shown to a person.
 */
final class AssetService {

  static final int MAX_TEXT = 4_096;
  /** What an asset's name is, and so what the list's cursor (the last name of a page) is. */
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._-]{0,127}");

  private final AssetRepository assets;

  AssetService(AssetRepository assets) {
    this.assets = assets;
  }

  // Every operation answers a future and never throws: each starts from the caller's check and
  // composes the rest on it, so a Failure thrown while checking the request fails that future.

  Future<Asset> create(CreateAsset command) {
    return command.caller().tenantAdministrator().compose(tenantId -> {
      if (command.name() == null || !NAME.matcher(command.name()).matches()) {
        throw Failure.badRequest("an asset name is 1-128 letters, digits, spaces, '.', '_' or '-', "
            + "starting with a letter or digit");
      }
      if (command.type() == null) {
        throw Failure.badRequest("type is Text, Integer, Bool or Credential");
      }
      return assets.insert(tenantId, command.name(), command.type().name(), text(command.type(), command.value()));
    }).map(stored -> view(stored, false));
  }

  Future<Asset> update(UpdateAsset command) {
    return command.caller().tenantAdministrator().compose(tenantId -> assets.find(tenantId, command.id())
        .compose(found -> found.isEmpty() ? Future.failedFuture(Failure.notFound("no asset " + command.id()))
            : assets.update(tenantId, command.id(), text(AssetType.valueOf(found.get().type()), command.value()))))
        .map(updated -> view(updated.orElseThrow(() -> Failure.notFound("no asset " + command.id())), false));
  }

  Future<Deleted> delete(DeleteAsset command) {
    return command.caller().tenantAdministrator().compose(tenantId -> assets.delete(tenantId, command.id()))
        .map(deleted -> {
          if (!deleted) {
            throw Failure.notFound("no asset " + command.id());
          }
          return new Deleted(command.id());
        });
  }

  Future<Page<Asset>> list(ListAssets query) {
    return query.caller().tenantUser().compose(tenantId -> assets.page(tenantId, query.page()))
        .map(page -> page.map(stored -> view(stored, false)));
  }

  Future<Asset> robotGet(GetRobotAsset query) {
    return query.robot().robotTenant().compose(tenantId -> {
      if (query.name() == null || !NAME.matcher(query.name()).matches()) {
        throw Failure.badRequest("an asset name is 1-128 letters, digits, spaces, '.', '_' or '-'");
      }
      return assets.byName(tenantId, query.name());
    }).map(found -> view(found
        .orElseThrow(() -> Failure.notFound("the tenant has no asset named '" + query.name() + "'")), true));
  }

  /** The stored text of a value of {@code type}, or a 400 naming what is wrong. */
  static String text(AssetType type, Object value) {
    if (value == null) {
      throw Failure.badRequest("value is required");
    }
    return switch (type) {
      case Integer -> {
        if (value instanceof java.lang.Integer || value instanceof Long) {
          yield value.toString();
        }
        throw Failure.badRequest("an Integer asset's value is a whole number from " + Long.MIN_VALUE + " to "
            + Long.MAX_VALUE);
      }
      case Bool -> {
        if (value instanceof Boolean) {
          yield value.toString();
        }
        throw Failure.badRequest("a Bool asset's value is true or false");
      }
      case Text, Credential -> {
        if (value instanceof String s && s.length() <= MAX_TEXT && s.indexOf('\0') < 0) {
          yield s;
        }
        throw Failure.badRequest("a " + type + " asset's value is a string of at most " + MAX_TEXT
            + " characters, without NUL");
      }
    };
  }

  /** An asset as its reader sees it: typed; a Credential's value for robots only. */
  private static Asset view(AssetRepository.Stored stored, boolean forRobot) {
    AssetType type = AssetType.valueOf(stored.type());
    Object value = switch (type) {
      case Integer -> Long.parseLong(stored.value());
      case Bool -> Boolean.parseBoolean(stored.value());
      case Text -> stored.value();
      case Credential -> forRobot ? stored.value() : null;
    };
    return new Asset(stored.id(), stored.tenantId(), stored.name(), type, value, stored.createdAt(),
        stored.updatedAt());
  }
}
