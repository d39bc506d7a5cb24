package org.orchestrator.platform.modules;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import org.orchestrator.platform.config.OrchestratorConfig;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.orchestrator.platform.security.SigningKeys;

/** What the application gives every feature module's verticle. */
public record ModuleContext(Pool pool, DatabaseEndpoint database, OrchestratorConfig config, SigningKeys keys,
    Clock clock, MeterRegistry registry) {
}
