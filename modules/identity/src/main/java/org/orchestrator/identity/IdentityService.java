package org.orchestrator.identity;

import io.vertx.core.Future;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.orchestrator.contracts.Caller;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.Page;
import org.orchestrator.contracts.Role;
import org.orchestrator.contracts.identity.IdentityMessages.AuditEntry;
import org.orchestrator.contracts.identity.IdentityMessages.DeletedPrincipal;
import org.orchestrator.contracts.identity.IdentityMessages.ListAudit;
import org.orchestrator.contracts.identity.IdentityMessages.ManageRobot;
import org.orchestrator.contracts.identity.IdentityMessages.ManageUser;
import org.orchestrator.contracts.identity.IdentityMessages.Revocations;
import org.orchestrator.contracts.jobs.JobMessages.RetireRobot;
import org.orchestrator.contracts.jobs.JobMessages.RetiredRobot;
import org.orchestrator.contracts.scheduler.ScheduleMessages.RobotRemoved;
import org.orchestrator.contracts.scheduler.ScheduleMessages.SchedulesDisabled;
import org.orchestrator.contracts.identity.IdentityMessages.CreateTenant;
import org.orchestrator.contracts.identity.IdentityMessages.CreateUser;
import org.orchestrator.contracts.identity.IdentityMessages.GetRobot;
import org.orchestrator.contracts.identity.IdentityMessages.GrantType;
import org.orchestrator.contracts.identity.IdentityMessages.IssueToken;
import org.orchestrator.contracts.identity.IdentityMessages.IssuedToken;
import org.orchestrator.contracts.identity.IdentityMessages.RegisterRobot;
import org.orchestrator.contracts.identity.IdentityMessages.RegisteredRobot;
import org.orchestrator.contracts.identity.IdentityMessages.Robot;
import org.orchestrator.contracts.identity.IdentityMessages.Tenant;
import org.orchestrator.contracts.identity.IdentityMessages.User;
import org.orchestrator.platform.config.OrchestratorConfig;
import org.orchestrator.platform.security.TokenAuth;
import org.orchestrator.platform.security.TokenClaims;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may sign in, and who may create whom. Rules:
 * <ul>
 *   <li>Tenants are created and listed by the host administrator only.</li>
 *   <li>Users: the host administrator creates them in a named tenant; a tenant administrator only in
 *   their own tenant (naming another tenant is 403). Operators and robots create nobody.</li>
 *   <li>Robots are registered and listed in the caller's own tenant; they sign in with
 *   {@code client_credentials} only, users with {@code password} only.</li>
 *   <li>A failed sign-in says only "invalid credentials", whichever part was wrong; a disabled user
 *   or robot fails the same way, after the same work.</li>
 *   <li>Users are deleted, disabled and enabled by whoever may create them (the host administrator
 *   any tenant's, a tenant administrator their own tenant's; another tenant's user is 404); robots
 *   by their tenant's administrators. Nobody deletes or disables themselves, the host
 *   administrator, or the last enabled Administrator of a tenant (409). Each change is audited in
 *   its own transaction together with the revocation of the principal's tokens, which every node
 *   refuses from then on ({@link RevocationStore}).</li>
 * </ul>
 */
final class IdentityService {

  private static final Logger LOG = LoggerFactory.getLogger(IdentityService.class);
  /** What a deleted robot's unfinished jobs say (their {@code info}). */
  static final String ROBOT_DELETED = "robot deleted";

  /** What deleting a robot asks of the modules that hold its work (over the bus). */
  record Retirement(Function<RetireRobot, Future<RetiredRobot>> jobs,
      Function<RobotRemoved, Future<SchedulesDisabled>> schedules) {
  }

  static final String HOST = "host";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
  private static final Pattern TENANT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
  private static final int MIN_PASSWORD = 8;
  private static final int MAX_PASSWORD = 256;

  private final Pool pool;
  private final TenantRepository tenants;
  private final UserRepository users;
  private final RobotRepository robots;
  private final AuditRepository audit;
  private final RevocationStore revocations;
  private final Retirement retirement;
  private final PasswordHasher hasher;
  private final JWTAuth jwt;
  private final OrchestratorConfig.Security security;

  IdentityService(Pool pool, TenantRepository tenants, UserRepository users, RobotRepository robots,
      AuditRepository audit, RevocationStore revocations, Retirement retirement, PasswordHasher hasher, JWTAuth jwt,
      OrchestratorConfig.Security security) {
    this.pool = pool;
    this.tenants = tenants;
    this.users = users;
    this.robots = robots;
    this.audit = audit;
    this.revocations = revocations;
    this.retirement = retirement;
    this.hasher = hasher;
    this.jwt = jwt;
    this.security = security;
  }

  Future<IssuedToken> issueToken(IssueToken request) {
    if (request.grantType() == GrantType.CLIENT_CREDENTIALS) {
      return issueRobotToken(request.clientId(), request.clientSecret());
    }
    if (isBlank(request.username()) || request.password() == null) {
      return Future.failedFuture(Failure.badRequest("username and password are required"));
    }
    Future<Optional<Long>> tenant = isHost(request.tenancyName())
        ? Future.succeededFuture(Optional.empty())
        : tenants.findByName(request.tenancyName()).map(found -> found.map(Tenant::id));
    return tenant.compose(tenantId -> {
      if (!isHost(request.tenancyName()) && tenantId.isEmpty()) {
        return hasher.verify(null, request.password(), request.knownClient())
            .map(ignored -> Optional.<UserRepository.Credentials>empty());
      }
      // a disabled user's password is checked all the same: the answer and its time tell nothing
      return users.findCredentials(tenantId.orElse(null), request.username())
          .compose(found -> hasher.verify(found.map(UserRepository.Credentials::passwordHash).orElse(null),
                  request.password(), request.knownClient())
              .map(matches -> matches && found.get().user().enabled() ? found
                  : Optional.<UserRepository.Credentials>empty()));
    }).compose(credentials -> {
      if (credentials.isEmpty()) {
        return Future.failedFuture(Failure.unauthorized("invalid username or password"));
      }
      User user = credentials.get().user();
      return Future.succeededFuture(sign(new Caller(user.id(), user.username(), user.role(), user.tenantId()),
          credentials.get().generation()));
    });
  }

  /** Robots sign in with their id as client id and the secret they were given at registration. */
  private Future<IssuedToken> issueRobotToken(String clientId, String clientSecret) {
    if (isBlank(clientId) || clientSecret == null) {
      return Future.failedFuture(Failure.badRequest("client_id and client_secret are required"));
    }
    long robotId;
    try {
      robotId = Long.parseLong(clientId.trim());
    } catch (NumberFormatException e) {
      return Future.failedFuture(Failure.unauthorized("invalid client credentials"));
    }
    return robots.findCredentials(robotId).compose(found -> {
      if (found.isEmpty() || !RobotSecrets.matches(found.get().secretSha256(), clientSecret)
          || !found.get().robot().enabled()) {
        return Future.failedFuture(Failure.unauthorized("invalid client credentials"));
      }
      Robot robot = found.get().robot();
      return Future.succeededFuture(sign(new Caller(robot.id(), robot.name(), Role.ROBOT, robot.tenantId()),
          found.get().generation()));
    });
  }

  Future<RegisteredRobot> registerRobot(RegisterRobot request) {
    return request.caller().tenantAdministrator().compose(tenantId -> {
      if (request.name() == null || !NAME.matcher(request.name()).matches()) {
        throw Failure.badRequest("a robot name is 1-64 letters, digits, '.', '_', '@' or '-'");
      }
      String secret = RobotSecrets.newSecret();
      return pool.withTransaction(tx -> robots.insert(tx, tenantId, request.name(), RobotSecrets.digest(secret))
          .compose(robot -> audit.record(tx, request.caller(), "RobotRegistered", AuditRepository.ROBOT, robot.id(),
              robot.name(), tenantId).map(recorded -> new RegisteredRobot(robot, secret))));
    });
  }

  Future<List<Robot>> listRobots(Caller caller) {
    return caller.tenantUser().compose(robots::list);
  }

  Future<Robot> getRobot(GetRobot query) {
    return robots.find(query.tenantId(), query.robotId()).map(found -> found.orElseThrow(
        () -> Failure.notFound("no robot " + query.robotId() + " in this tenant")));
  }

  /** Signs a token for a caller whose credentials were already checked, at its token generation. */
  IssuedToken sign(Caller caller, int generation) {
    String token = jwt.generateToken(TokenClaims.of(caller, generation),
        TokenAuth.signing(security, security.tokenTtlSeconds()));
    return new IssuedToken(token, security.tokenTtlSeconds(), caller);
  }

  Future<Tenant> createTenant(CreateTenant request) {
    return request.caller().hostAdministrator(HOST_ONLY).compose(host -> {
      String name = request.name();
      if (name == null || !TENANT_NAME.matcher(name).matches()) {
        throw Failure.badRequest("a tenant name is 1-64 letters, digits, '_' or '-', starting with a letter or digit");
      }
      if (isHost(name)) {
        throw Failure.badRequest("'host' is the name of the host organization");
      }
      return tenants.insert(name);
    });
  }

  Future<List<Tenant>> listTenants(Caller caller) {
    return caller.hostAdministrator(HOST_ONLY).compose(host -> tenants.list());
  }

  // Deleting, disabling and enabling users and robots. Each change takes its rows' locks, writes
  // the change, its audit row and (delete, disable) its revocation in one transaction; once
  // committed this node reloads its revocations before answering, and every other node reloads on
  // the NOTIFY the transaction sent.

  private static final String NOT_YOURSELF = "you cannot delete or disable yourself; ask another administrator";
  private static final String NOT_THE_HOST = "the host administrator cannot be deleted or disabled";

  Future<DeletedPrincipal> deleteUser(ManageUser request) {
    return changeUser(request, "UserDeleted", (tx, user) -> users.delete(tx, user.id())
        .compose(deleted -> revocations.revoke(tx, RevocationStore.USER, user.id(), user.tenantId(),
            Revocations.DELETED))
        .map(revoked -> user))
        .map(user -> new DeletedPrincipal(user.id(), user.username(), user.tenantId()));
  }

  Future<User> disableUser(ManageUser request) {
    return changeUser(request, "UserDisabled", (tx, user) -> users.disable(tx, user.id(), request.caller().name())
        .compose(disabled -> revocations.revoke(tx, RevocationStore.USER, user.id(), user.tenantId(),
            disabled.generation()).map(revoked -> disabled.user())));
  }

  Future<User> enableUser(ManageUser request) {
    return visibleUser(request).compose(found -> found.tenantId() == null ? Future.succeededFuture(found)
        : pool.withTransaction(tx -> users.lock(tx, found.tenantId(), found.id()).compose(locked -> {
          User user = locked.orElseThrow(() -> noUser(request.userId()));
          if (user.enabled()) {
            return Future.succeededFuture(user);
          }
          return users.enable(tx, user.id()).compose(enabled -> audit.record(tx, request.caller(), "UserEnabled",
              AuditRepository.USER, user.id(), user.username(), user.tenantId()).map(recorded -> enabled));
        })));
  }

  /** A change that deletes or disables a user: the checks, the locks, the audit; {@code change} does the rest. */
  private Future<User> changeUser(ManageUser request, String action,
      BiFunction<SqlConnection, User, Future<User>> change) {
    boolean disabling = action.equals("UserDisabled");
    return visibleUser(request).compose(found -> {
      if (found.role() == Role.HOST_ADMINISTRATOR) {
        throw Failure.conflict(NOT_THE_HOST);
      }
      if (request.caller().principalId() == found.id()) {
        throw Failure.conflict(NOT_YOURSELF);
      }
      // the tenant first, then the user: changes to one tenant's administrators queue on its row
      Future<User> changed = pool.withTransaction(tx -> tenants.lock(tx, found.tenantId())
          .compose(tenant -> users.lock(tx, found.tenantId(), found.id()).compose(locked -> {
            User user = locked.orElseThrow(() -> noUser(request.userId()));
            if (disabling && !user.enabled()) {
              return Future.succeededFuture(user); // disabled already: its first time and author stay
            }
            Future<Void> allowed = user.role() == Role.ADMINISTRATOR && user.enabled()
                ? users.otherEnabledAdministrators(tx, found.tenantId(), user.id()).compose(others -> others > 0
                    ? Future.succeededFuture()
                    : Future.failedFuture(Failure.conflict("'" + user.username() + "' is the last enabled Administrator "
                        + "of tenant " + tenant.map(Tenant::name).orElse("" + found.tenantId())
                        + "; enable or create another Administrator first")))
                : Future.succeededFuture();
            return allowed.compose(ok -> change.apply(tx, user))
                .compose(after -> audit.record(tx, request.caller(), action, AuditRepository.USER, user.id(),
                    user.username(), user.tenantId()).map(recorded -> after));
          })));
      return changed.compose(user -> revocations.reload().map(reloaded -> user));
    });
  }

  /** The user a request names, if the caller may manage it (else 404, or 403 for non-administrators). */
  private Future<User> visibleUser(ManageUser request) {
    Caller caller = request.caller();
    return targetTenant(caller, null).compose(tenant -> users.find(request.userId())).map(found -> {
      User user = found.orElseThrow(() -> noUser(request.userId()));
      if (!caller.isHostAdmin() && !caller.tenantId().equals(user.tenantId())) {
        throw noUser(request.userId()); // another tenant's user does not exist for a tenant administrator
      }
      return user;
    });
  }

  private static Failure noUser(long id) {
    return Failure.notFound("no user " + id);
  }

  Future<DeletedPrincipal> deleteRobot(ManageRobot request) {
    return changeRobot(request, "RobotDeleted", (tx, robot) -> robots.delete(tx, robot.id())
        .compose(deleted -> revocations.revoke(tx, RevocationStore.ROBOT, robot.id(), robot.tenantId(),
            Revocations.DELETED))
        .map(revoked -> robot))
        .compose(changed -> retire(changed.robot(), changed.auditId()).map(robot -> new DeletedPrincipal(robot.id(),
            robot.name(), robot.tenantId())));
  }

  Future<Robot> disableRobot(ManageRobot request) {
    return changeRobot(request, "RobotDisabled", (tx, robot) -> robot.enabled()
        ? robots.disable(tx, robot.id(), request.caller().name())
            .compose(disabled -> revocations.revoke(tx, RevocationStore.ROBOT, robot.id(), robot.tenantId(),
                disabled.generation()).map(revoked -> disabled.robot()))
        : null)
        .map(Changed::robot);
  }

  Future<Robot> enableRobot(ManageRobot request) {
    return changeRobot(request, "RobotEnabled", (tx, robot) -> robot.enabled() ? null : robots.enable(tx, robot.id()))
        .map(Changed::robot);
  }

  /** A robot after a change, and the change's audit row (null when nothing changed). */
  private record Changed(Robot robot, Long auditId) {
  }

  /**
   * A change to a robot of the caller's tenant (404 for any other robot): locked, changed, audited.
   * {@code change} answering null means there is nothing to change (disabled already, say).
   */
  private Future<Changed> changeRobot(ManageRobot request, String action,
      BiFunction<SqlConnection, Robot, Future<Robot>> change) {
    return request.caller().tenantAdministrator().compose(tenantId -> pool.withTransaction(tx ->
        robots.lock(tx, tenantId, request.robotId()).compose(locked -> {
          Robot robot = locked.orElseThrow(() -> Failure.notFound("no robot " + request.robotId() + " in this tenant"));
          Future<Robot> changed = change.apply(tx, robot);
          if (changed == null) {
            return Future.succeededFuture(new Changed(robot, null));
          }
          return changed.compose(after -> audit.record(tx, request.caller(), action, AuditRepository.ROBOT,
              robot.id(), robot.name(), tenantId).map(id -> new Changed(after, id)));
        })))
        .compose(changed -> changed.auditId() == null ? Future.succeededFuture(changed)
            : revocations.reload().map(reloaded -> changed));
  }

  /**
   * What a deleted robot leaves: job control ends its unfinished jobs and puts back its queue items,
   * the scheduler disables the schedules naming it; the audit row says what came of it. The robot is
   * deleted and its tokens refused already, whatever these answer: a failure is logged and written
   * in the audit, and the jobs left are ended by the liveness rule (jobs.robotDeadAfterSeconds).
   */
  private Future<Robot> retire(Robot robot, Long auditId) {
    Future<RetiredRobot> jobs = retirement.jobs().apply(new RetireRobot(robot.tenantId(), robot.id(), ROBOT_DELETED));
    Future<SchedulesDisabled> schedules = retirement.schedules().apply(new RobotRemoved(robot.tenantId(), robot.id()));
    return Future.join(jobs, schedules).transform(done -> {
      List<String> parts = new ArrayList<>();
      if (jobs.succeeded()) {
        parts.add(count(jobs.result().faulted().size(), "job") + " faulted");
        parts.add(count(jobs.result().stopped().size(), "job") + " stopped");
        parts.add(count(jobs.result().itemsReleased(), "queue item") + " back to New");
      } else {
        LOG.warn("robot {} deleted, its jobs not ended now: {}", robot.id(), jobs.cause().getMessage());
        parts.add("its jobs not ended: " + jobs.cause().getMessage());
      }
      if (schedules.succeeded()) {
        parts.add(count(schedules.result().scheduleIds().size(), "schedule") + " disabled");
      } else {
        LOG.warn("robot {} deleted, its schedules not disabled now: {}", robot.id(), schedules.cause().getMessage());
        parts.add("its schedules not disabled: " + schedules.cause().getMessage());
      }
      return auditId == null ? Future.succeededFuture(robot)
          : audit.detail(auditId, String.join(", ", parts))
              .recover(failure -> {
                LOG.warn("audit detail of robot {} not written: {}", robot.id(), failure.getMessage());
                return Future.succeededFuture();
              })
              .map(written -> robot);
    });
  }

  private static String count(int n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  Future<Page<AuditEntry>> listAudit(ListAudit request) {
    return request.caller().administeredTenant(request.tenantId(), "only administrators read the audit",
        "a tenant administrator reads the audit of their own tenant only")
        .compose(tenantId -> audit.page(tenantId, request.page()));
  }

  Future<User> createUser(CreateUser request) {
    return targetTenant(request.caller(), request.tenantId()).compose(tenantId -> {
      if (tenantId == null) {
        throw Failure.badRequest("tenantId is required: users belong to a tenant");
      }
      if (request.username() == null || !NAME.matcher(request.username()).matches()) {
        throw Failure.badRequest("a user name is 1-64 letters, digits, '.', '_', '@' or '-'");
      }
      if (request.password() == null || request.password().length() < MIN_PASSWORD
          || request.password().length() > MAX_PASSWORD) {
        throw Failure.badRequest("a password has " + MIN_PASSWORD + " to " + MAX_PASSWORD + " characters");
      }
      if (request.role() != Role.ADMINISTRATOR && request.role() != Role.OPERATOR) {
        throw Failure.badRequest("role must be Administrator or Operator");
      }
      return tenants.findById(tenantId)
          .compose(tenant -> tenant.isPresent() ? hasher.hash(request.password())
              : Future.failedFuture(Failure.notFound("no tenant " + tenantId)))
          .compose(hash -> pool.withTransaction(tx -> users.insert(tx, tenantId, request.username(), hash,
                  request.role())
              .compose(user -> audit.record(tx, request.caller(), "UserCreated", AuditRepository.USER, user.id(),
                  user.username(), tenantId).map(recorded -> user))));
    });
  }

  Future<List<User>> listUsers(Caller caller, Long tenantId) {
    return targetTenant(caller, tenantId).compose(users::list);
  }

  /**
   * The tenant a user-management call acts on: whatever the host admin names (null = all), the
   * caller's own tenant for a tenant admin.
   */
  private static Future<Long> targetTenant(Caller caller, Long requested) {
    return caller.administeredTenant(requested, "only administrators manage users",
        "a tenant administrator manages the users of their own tenant only");
  }

  private static final String HOST_ONLY = "only the host administrator manages tenants";

  static boolean isHost(String tenancyName) {
    return isBlank(tenancyName) || HOST.equalsIgnoreCase(tenancyName.trim());
  }

  private static boolean isBlank(String value) {
    return value == null || value.isBlank();
  }
}
