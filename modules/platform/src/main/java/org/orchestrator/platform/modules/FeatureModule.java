package org.orchestrator.platform.modules;

import io.vertx.core.Deployable;
import io.vertx.core.Future;
import java.util.List;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.contracts.bus.BusAddress;

/**
 * What a feature module tells the application that deploys it: its name (which is also the folder
 * of its migrations, {@code db/migration/<name>}, and the first part of every bus address it owns),
 * how to make its verticle and how many instances to run, the bus addresses and the meters it owns,
 * and what it does once every feature module is up. {@code app} deploys the list of them in order;
 * adding a module is adding its descriptor to that list (see docs/architecture.md).
 */
public interface FeatureModule {

  /** The module's name: its migrations' folder and its bus addresses' first part. */
  String name();

  /** A new instance of the module's verticle. */
  Deployable verticle(ModuleContext context);

  /** Instances of its verticle to deploy. */
  default int instances() {
    return 1;
  }

  /** The bus addresses it serves or publishes: those named {@code <name>.*}. */
  default List<BusAddress<?, ?>> addresses() {
    return Addresses.all().stream().filter(address -> address.name().startsWith(name() + ".")).toList();
  }

  /** The meters it registers (names from {@code Meters}). */
  default List<String> meters() {
    return List.of();
  }

  /**
   * Runs once every feature module is deployed and before the edges (HTTP, the bridge) open:
   * {@code deployed} is its first verticle instance.
   */
  default Future<Void> ready(Deployable deployed) {
    return Future.succeededFuture();
  }
}
