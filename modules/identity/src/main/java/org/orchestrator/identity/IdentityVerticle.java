package org.orchestrator.identity;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.sqlclient.Pool;
import java.util.List;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.orchestrator.contracts.identity.IdentityMessages.RobotList;
import org.orchestrator.contracts.identity.IdentityMessages.Tenant;
import org.orchestrator.contracts.identity.IdentityMessages.TenantIds;
import org.orchestrator.contracts.identity.IdentityMessages.TenantList;
import org.orchestrator.contracts.identity.IdentityMessages.UserList;
import org.orchestrator.platform.config.OrchestratorConfig;
import org.orchestrator.platform.security.SigningKeys;
import org.orchestrator.platform.security.TokenAuth;

/** Bus adapter of the identity module; the rules live in {@link IdentityService}. */
public final class IdentityVerticle extends VerticleBase {

  private final Pool pool;
  private final DatabaseEndpoint database;
  private final OrchestratorConfig config;
  private final SigningKeys keys;
  private RevocationStore revocations;

  public IdentityVerticle(Pool pool, DatabaseEndpoint database, OrchestratorConfig config, SigningKeys keys) {
    this.pool = pool;
    this.database = database;
    this.config = config;
    this.keys = keys;
  }

  @Override
  public Future<?> start() {
    PasswordHasher hasher = PasswordHasher.sized(vertx, config.security().passwordIterations());
    JWTAuth jwt = TokenAuth.provider(vertx, keys, config.security());
    UserRepository users = new UserRepository(pool);
    TenantRepository tenants = new TenantRepository(pool);
    EventBus bus = vertx.eventBus();
    revocations = new RevocationStore(vertx, pool, database, config.security().tokenTtlSeconds());
    IdentityService identity = new IdentityService(pool, tenants, users, new RobotRepository(pool),
        new AuditRepository(pool), revocations, new IdentityService.Retirement(
            retire -> Addresses.JOBS_ROBOT_RETIRE.request(bus, retire),
            removed -> Addresses.SCHEDULER_ROBOT_RETIRE.request(bus, removed)),
        hasher, jwt, config.security());
    return revocations.start().compose(loaded -> Future.all(List.of(
        Addresses.IDENTITY_TOKEN_ISSUE.serve(bus, identity::issueToken).completion(),
        Addresses.IDENTITY_TENANT_CREATE.serve(bus, identity::createTenant).completion(),
        Addresses.IDENTITY_TENANT_LIST.serve(bus, q -> identity.listTenants(q.caller()).map(TenantList::new))
            .completion(),
        Addresses.IDENTITY_USER_CREATE.serve(bus, identity::createUser).completion(),
        Addresses.IDENTITY_USER_LIST.serve(bus,
            q -> identity.listUsers(q.caller(), q.tenantId()).map(UserList::new)).completion(),
        Addresses.IDENTITY_ROBOT_REGISTER.serve(bus, identity::registerRobot).completion(),
        Addresses.IDENTITY_ROBOT_LIST.serve(bus, q -> identity.listRobots(q.caller()).map(RobotList::new))
            .completion(),
        Addresses.IDENTITY_ROBOT_GET.serve(bus, identity::getRobot).completion(),
        Addresses.IDENTITY_USER_DELETE.serve(bus, identity::deleteUser).completion(),
        Addresses.IDENTITY_USER_DISABLE.serve(bus, identity::disableUser).completion(),
        Addresses.IDENTITY_USER_ENABLE.serve(bus, identity::enableUser).completion(),
        Addresses.IDENTITY_ROBOT_DELETE.serve(bus, identity::deleteRobot).completion(),
        Addresses.IDENTITY_ROBOT_DISABLE.serve(bus, identity::disableRobot).completion(),
        Addresses.IDENTITY_ROBOT_ENABLE.serve(bus, identity::enableRobot).completion(),
        Addresses.IDENTITY_AUDIT_LIST.serve(bus, identity::listAudit).completion(),
        Addresses.IDENTITY_REVOCATIONS_GET.serve(bus, q -> Future.succeededFuture(revocations.current())).completion(),
        Addresses.IDENTITY_TENANT_IDS.serve(bus, q -> tenants.list()
            .map(list -> new TenantIds(list.stream().map(Tenant::id).toList()))).completion(),
        Addresses.IDENTITY_TENANT_DIRECTORY.serve(bus, q -> tenants.list().map(TenantList::new)).completion())))
        .compose(ignored -> new HostAdminBootstrap(vertx, users, hasher, config.dataDir(),
            config.security().hostAdminPassword()).ensureHostAdmin());
  }

  @Override
  public Future<?> stop() {
    return revocations == null ? Future.succeededFuture() : revocations.close();
  }
}
