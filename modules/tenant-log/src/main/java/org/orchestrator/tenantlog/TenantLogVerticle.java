package org.orchestrator.tenantlog;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.sqlclient.Pool;
import java.util.List;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.contracts.identity.IdentityMessages.ListTenantIds;

/** Bus adapter of the tenant-log module; the assembling lives in {@link TenantLogService}. */
public final class TenantLogVerticle extends VerticleBase {

  private final Pool pool;

  public TenantLogVerticle(Pool pool) {
    this.pool = pool;
  }

  @Override
  public Future<?> start() {
    EventBus bus = vertx.eventBus();
    TenantLogService service = new TenantLogService(new TenantLogRepository(pool),
        query -> Addresses.JOBS_MAINTENANCE_WINDOW_JOBS.request(bus, query),
        query -> Addresses.SCHEDULER_FIRE_SKIPPED.request(bus, query),
        () -> Addresses.IDENTITY_TENANT_IDS.request(bus, new ListTenantIds()));
    return Future.all(List.of(
        Addresses.TENANT_LOG_WINDOW_GET.serve(bus, service::get).completion(),
        Addresses.TENANT_LOG_WINDOW_CLOSE.serve(bus, service::close).completion(),
        Addresses.TENANT_LOG_WINDOW_COMPLETE.serve(bus, service::complete).completion(),
        Addresses.TENANT_LOG_WINDOW_INCOMPLETE.serve(bus, service::incomplete).completion(),
        Addresses.TENANT_LOG_HISTORY_LIST.serve(bus, service::history).completion()));
  }
}
