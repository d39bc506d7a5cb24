package org.orchestrator.dbadmin;

import org.orchestrator.platform.database.DatabaseEndpoint;

import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies every module's versioned migrations with Flyway. Each module keeps its scripts under
 * {@code db/migration/<module>} and its own history table ({@code flyway_<module>}), so modules
 * version their tables independently. Modules are migrated in the order given (a module whose
 * tables reference another's comes after it). Blocking: run before any verticle is deployed.
 */
public final class Migrations {

  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {
  }

  public static void apply(DatabaseEndpoint endpoint, List<String> modules) {
    for (String module : modules) {
      MigrateResult result = Flyway.configure(Migrations.class.getClassLoader())
          .dataSource(endpoint.jdbcUrl(), endpoint.user(), endpoint.password())
          .schemas(endpoint.schema())
          .createSchemas(true)
          .locations("classpath:db/migration/" + module)
          .table("flyway_" + module.replace('-', '_'))
          .baselineOnMigrate(true)
          .baselineVersion("0")
          .failOnMissingLocations(true)
          .load()
          .migrate();
      if (result.migrationsExecuted > 0) {
        LOG.info("migrated {} to version {} ({} scripts)", module, result.targetSchemaVersion,
            result.migrationsExecuted);
      }
    }
  }
}
