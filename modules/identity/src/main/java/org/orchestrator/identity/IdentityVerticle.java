package org.orchestrator.identity;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.sqlclient.Pool;
import java.util.List;
import org.orchestrator.contracts.bus.Addresses;
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
  private final OrchestratorConfig config;
  private final SigningKeys keys;

  public IdentityVerticle(Pool pool, OrchestratorConfig config, SigningKeys keys) {
    this.pool = pool;
    this.config = config;
    this.keys = keys;
  }

  @Override
  public Future<?> start() {
    PasswordHasher hasher = PasswordHasher.sized(vertx, config.security().passwordIterations());
    JWTAuth jwt = TokenAuth.provider(vertx, keys, config.security());
    UserRepository users = new UserRepository(pool);
    TenantRepository tenants = new TenantRepository(pool);
    IdentityService identity = new IdentityService(tenants, users,
        new RobotRepository(pool), hasher, jwt, config.security());
    EventBus bus = vertx.eventBus();
    return Future.all(List.of(
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
        Addresses.IDENTITY_TENANT_IDS.serve(bus, q -> tenants.list()
            .map(list -> new TenantIds(list.stream().map(Tenant::id).toList()))).completion(),
        Addresses.IDENTITY_TENANT_DIRECTORY.serve(bus, q -> tenants.list().map(TenantList::new)).completion()))
        .compose(ignored -> new HostAdminBootstrap(vertx, users, hasher, config.dataDir(),
            config.security().hostAdminPassword()).ensureHostAdmin());
  }
}
