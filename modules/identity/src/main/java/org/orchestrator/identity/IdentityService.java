package org.orchestrator.identity;

import io.vertx.core.Future;
import io.vertx.ext.auth.jwt.JWTAuth;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.orchestrator.contracts.Caller;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.Role;
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

/**
 * Who may sign in, and who may create whom. Rules:
 * <ul>
 *   <li>Tenants are created and listed by the host administrator only.</li>
 *   <li>Users: the host administrator creates them in a named tenant; a tenant administrator only in
 *   their own tenant (naming another tenant is 403). Operators and robots create nobody.</li>
 *   <li>Robots are registered and listed in the caller's own tenant; they sign in with
 *   {@code client_credentials} only, users with {@code password} only.</li>
 *   <li>A failed sign-in says only "invalid credentials", whichever part was wrong.</li>
 * </ul>
 */
final class IdentityService {

  static final String HOST = "host";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
  private static final Pattern TENANT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
  private static final int MIN_PASSWORD = 8;
  private static final int MAX_PASSWORD = 256;

  private final TenantRepository tenants;
  private final UserRepository users;
  private final RobotRepository robots;
  private final PasswordHasher hasher;
  private final JWTAuth jwt;
  private final OrchestratorConfig.Security security;

  IdentityService(TenantRepository tenants, UserRepository users, RobotRepository robots,
      PasswordHasher hasher, JWTAuth jwt, OrchestratorConfig.Security security) {
    this.tenants = tenants;
    this.users = users;
    this.robots = robots;
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
      return users.findCredentials(tenantId.orElse(null), request.username())
          .compose(found -> hasher.verify(found.map(UserRepository.Credentials::passwordHash).orElse(null),
                  request.password(), request.knownClient())
              .map(matches -> matches ? found : Optional.<UserRepository.Credentials>empty()));
    }).compose(credentials -> {
      if (credentials.isEmpty()) {
        return Future.failedFuture(Failure.unauthorized("invalid username or password"));
      }
      User user = credentials.get().user();
      return Future.succeededFuture(sign(new Caller(user.id(), user.username(), user.role(), user.tenantId())));
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
      if (found.isEmpty() || !RobotSecrets.matches(found.get().secretSha256(), clientSecret)) {
        return Future.failedFuture(Failure.unauthorized("invalid client credentials"));
      }
      Robot robot = found.get().robot();
      return Future.succeededFuture(sign(new Caller(robot.id(), robot.name(), Role.ROBOT, robot.tenantId())));
    });
  }

  Future<RegisteredRobot> registerRobot(RegisterRobot request) {
    return request.caller().tenantAdministrator().compose(tenantId -> {
      if (request.name() == null || !NAME.matcher(request.name()).matches()) {
        throw Failure.badRequest("a robot name is 1-64 letters, digits, '.', '_', '@' or '-'");
      }
      String secret = RobotSecrets.newSecret();
      return robots.insert(tenantId, request.name(), RobotSecrets.digest(secret))
          .map(robot -> new RegisteredRobot(robot, secret));
    });
  }

  Future<List<Robot>> listRobots(Caller caller) {
    return caller.tenantUser().compose(robots::list);
  }

  Future<Robot> getRobot(GetRobot query) {
    return robots.find(query.tenantId(), query.robotId()).map(found -> found.orElseThrow(
        () -> Failure.notFound("no robot " + query.robotId() + " in this tenant")));
  }

  /** Signs a token for a caller whose credentials were already checked. */
  IssuedToken sign(Caller caller) {
    String token = jwt.generateToken(TokenClaims.of(caller), TokenAuth.signing(security, security.tokenTtlSeconds()));
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
          .compose(hash -> users.insert(tenantId, request.username(), hash, request.role()));
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
