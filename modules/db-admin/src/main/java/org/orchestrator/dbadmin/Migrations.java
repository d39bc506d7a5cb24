package org.orchestrator.dbadmin;

import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.orchestrator.platform.BuildInfo;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies every module's versioned migrations with Flyway. Each module keeps its scripts under
 * {@code db/migration/<module>} and its own history table ({@code flyway_<module>}), so modules
 * version their tables independently. Modules are migrated in the order given (a module whose
 * tables reference another's comes after it), after this module's own {@code releases} (which
 * release migrated the schema). Before anything is applied, {@link SchemaGuard} refuses a schema
 * newer than this build and a breaking migration outside Suspended. Blocking: run before any
 * verticle is deployed.
 */
public final class Migrations {

  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);
  /** The history of which release migrated the schema, migrated before the feature modules. */
  static final String RELEASES = "releases";

  private Migrations() {
  }

  public static void apply(DatabaseEndpoint endpoint, List<String> modules) {
    apply(endpoint, modules, BuildInfo.current());
  }

  /** As {@link #apply(DatabaseEndpoint, List)} for the build {@code build} (tests name other releases). */
  public static void apply(DatabaseEndpoint endpoint, List<String> modules, BuildInfo build) {
    List<String> all = new ArrayList<>();
    all.add(RELEASES);
    all.addAll(modules);
    List<Flyway> flyways = all.stream().map(module -> flyway(endpoint, module)).toList();
    List<SchemaGuard.ModuleState> states = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      states.add(SchemaGuard.inspect(all.get(i), flyways.get(i)));
    }
    SchemaGuard.check(states, SchemaGuard.platform(endpoint), build);
    int executed = 0;
    for (int i = 0; i < all.size(); i++) {
      if (states.get(i).pending() == 0) {
        continue; // up to date: no second scan of its scripts (most starts migrate nothing)
      }
      MigrateResult result = flyways.get(i).migrate();
      executed += result.migrationsExecuted;
      if (result.migrationsExecuted > 0) {
        LOG.info("migrated {} to version {} ({} scripts)", all.get(i), result.targetSchemaVersion,
            result.migrationsExecuted);
      }
    }
    if (executed > 0) {
      SchemaGuard.record(endpoint, build);
    }
  }

  private static Flyway flyway(DatabaseEndpoint endpoint, String module) {
    return Flyway.configure(Migrations.class.getClassLoader())
        .dataSource(endpoint.jdbcUrl(), endpoint.user(), endpoint.password())
        .schemas(endpoint.schema())
        .createSchemas(true)
        .locations("classpath:db/migration/" + module)
        .table("flyway_" + module.replace('-', '_'))
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .failOnMissingLocations(true)
        .load();
  }
}
