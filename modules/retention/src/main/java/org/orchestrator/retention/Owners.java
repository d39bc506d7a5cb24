package org.orchestrator.retention;

import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import java.time.Instant;
import java.util.List;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.contracts.bus.BusAddress;
import org.orchestrator.contracts.identity.IdentityMessages.ListTenantIds;
import org.orchestrator.contracts.retention.RetentionMessages.DeleteExpired;
import org.orchestrator.contracts.retention.RetentionMessages.DeleteRows;
import org.orchestrator.contracts.retention.RetentionMessages.DeletedRows;
import org.orchestrator.contracts.retention.RetentionMessages.DropPartition;
import org.orchestrator.contracts.retention.RetentionMessages.ExpiredRows;
import org.orchestrator.contracts.retention.RetentionMessages.ListPartitions;
import org.orchestrator.contracts.retention.RetentionMessages.Oldest;
import org.orchestrator.contracts.retention.RetentionMessages.OldestRow;
import org.orchestrator.contracts.retention.RetentionMessages.Partition;
import org.orchestrator.contracts.retention.RetentionMessages.RetainedTable;
import org.orchestrator.contracts.retention.RetentionMessages.RowBatch;

/**
 * The owners of the retained tables, over the bus: jobs keeps robot logs, jobs and queue items,
 * webhooks its deliveries; identity knows the tenants. Retention never touches their tables.
 */
class Owners {

  private final EventBus bus;

  Owners(EventBus bus) {
    this.bus = bus;
  }

  Future<List<Long>> tenants() {
    return Addresses.IDENTITY_TENANT_IDS.request(bus, new ListTenantIds()).map(ids -> ids.ids());
  }

  Future<RowBatch> rows(RetainedTable table, long tenantId, Instant from, Instant before, String afterKey, int limit) {
    return (table == RetainedTable.webhook_deliveries ? Addresses.WEBHOOKS_RETENTION_ROWS : Addresses.JOBS_RETENTION_ROWS)
        .request(bus, new ExpiredRows(table, tenantId, from, before, afterKey, limit));
  }

  Future<Long> delete(RetainedTable table, long tenantId, List<String> keys) {
    BusAddress<DeleteRows, DeletedRows> address = table == RetainedTable.webhook_deliveries
        ? Addresses.WEBHOOKS_RETENTION_DELETE : Addresses.JOBS_RETENTION_DELETE;
    return address.request(bus, new DeleteRows(table, tenantId, keys)).map(DeletedRows::count);
  }

  Future<DeletedRows> deleteExpired(RetainedTable table, long tenantId, Instant from, Instant before, int limit,
      String afterKey) {
    BusAddress<DeleteExpired, DeletedRows> address = table == RetainedTable.webhook_deliveries
        ? Addresses.WEBHOOKS_RETENTION_DELETE_EXPIRED : Addresses.JOBS_RETENTION_DELETE_EXPIRED;
    return address.request(bus, new DeleteExpired(table, tenantId, from, before, limit, afterKey));
  }

  Future<Instant> oldest(RetainedTable table) {
    BusAddress<OldestRow, Oldest> address = table == RetainedTable.webhook_deliveries
        ? Addresses.WEBHOOKS_RETENTION_OLDEST : Addresses.JOBS_RETENTION_OLDEST;
    return address.request(bus, new OldestRow(table)).map(Oldest::at);
  }

  /** The day partitions of robot logs that end at or before {@code before}, oldest first. */
  Future<List<Partition>> partitions(Instant before) {
    return Addresses.JOBS_RETENTION_PARTITIONS.request(bus, new ListPartitions(before)).map(p -> p.partitions());
  }

  Future<Boolean> drop(String partition) {
    return Addresses.JOBS_RETENTION_PARTITION_DROP.request(bus, new DropPartition(partition)).map(d -> d.dropped());
  }
}
