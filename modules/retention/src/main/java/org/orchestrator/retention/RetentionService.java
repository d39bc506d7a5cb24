package org.orchestrator.retention;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.Page;
import org.orchestrator.contracts.retention.RetentionMessages.GetPolicy;
import org.orchestrator.contracts.retention.RetentionMessages.ListRuns;
import org.orchestrator.contracts.retention.RetentionMessages.PolicyView;
import org.orchestrator.contracts.retention.RetentionMessages.PutPolicy;
import org.orchestrator.contracts.retention.RetentionMessages.Run;
import org.orchestrator.contracts.retention.RetentionMessages.RunStarted;
import org.orchestrator.contracts.retention.RetentionMessages.StartRun;

/**
 * Who may read and set the policy and ask for runs: the host administrator everything; a tenant's
 * Administrator reads its own tenant's policy. A tenant id that names no tenant is a 400.
 */
final class RetentionService {

  private final RetentionRepository repository;
  private final Owners owners;
  private final Clock clock;
  private final Runnable wake;

  RetentionService(RetentionRepository repository, Owners owners, Clock clock, Runnable wake) {
    this.repository = repository;
    this.owners = owners;
    this.clock = clock;
    this.wake = wake;
  }

  Future<PolicyView> get(GetPolicy query) {
    return query.caller().administeredTenant(query.tenantId(), "only administrators read the retention policy",
            "an administrator reads the retention policy of its own tenant")
        .compose(tenantId -> tenantId == null ? view(null) : existing(tenantId).compose(this::view));
  }

  Future<PolicyView> put(PutPolicy command) {
    return command.caller().hostAdministrator("only the host administrator sets the retention policy")
        .compose(host -> {
          JsonObject fields = Policies.checked(command.fields());
          if (command.tenantId() == null) {
            return repository.policy(RetentionRepository.HOST)
                .compose(current -> repository.putPolicy(RetentionRepository.HOST,
                    Policies.effective(current.orElseGet(JsonObject::new), fields), clock.instant(), host.name()))
                .compose(stored -> view(null));
          }
          return existing(command.tenantId())
              .compose(tenantId -> repository.putPolicy(tenantId, fields, clock.instant(), host.name()))
              .compose(stored -> view(command.tenantId()));
        });
  }

  Future<RunStarted> start(StartRun command) {
    return command.caller().hostAdministrator("only the host administrator starts a retention run")
        .compose(host -> repository.request("Manual", host.name(), clock.instant()))
        .map(runId -> {
          wake.run();
          return new RunStarted(runId);
        });
  }

  Future<Page<Run>> runs(ListRuns query) {
    return query.caller().hostAdministrator("only the host administrator reads the retention runs")
        .compose(host -> repository.runs(query.page()));
  }

  private Future<Long> existing(long tenantId) {
    return owners.tenants().map(ids -> {
      if (!ids.contains(tenantId)) {
        throw Failure.badRequest("no tenant " + tenantId);
      }
      return tenantId;
    });
  }

  private Future<PolicyView> view(Long tenantId) {
    return repository.policies().map(policies -> {
      JsonObject host = policies.getOrDefault(RetentionRepository.HOST, new JsonObject());
      if (tenantId == null) {
        return new PolicyView(null, host, host);
      }
      JsonObject override = policies.getOrDefault(tenantId, new JsonObject());
      return new PolicyView(tenantId, override, Policies.effective(host, override));
    });
  }
}
