package org.orchestrator.contracts.identity;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.orchestrator.contracts.Caller;
import org.orchestrator.contracts.PageRequest;
import org.orchestrator.contracts.Role;

/** Bodies of the identity module's addresses: sign-in, tenants and users. */
public final class IdentityMessages {

  private IdentityMessages() {
  }

  /** How a principal proves who it is at the token endpoint. */
  public enum GrantType { PASSWORD, CLIENT_CREDENTIALS }

  /**
   * A sign-in. For {@code PASSWORD}: username, password and the tenant's name ({@code null} or
   * {@code "host"} for the host organization). For {@code CLIENT_CREDENTIALS}: a robot's client id
   * and secret.
   *
   * @param knownClient set by the HTTP edge (never by a client) when the account signed in from the
   *     request's address before: its password check may use the hashing permits kept for known
   *     clients, and goes first
   */
  public record IssueToken(GrantType grantType, String username, String password, String tenancyName,
      String clientId, String clientSecret, boolean knownClient) {

    public IssueToken(GrantType grantType, String username, String password, String tenancyName, String clientId,
        String clientSecret) {
      this(grantType, username, password, tenancyName, clientId, clientSecret, false);
    }

    /** The same sign-in, from a known client or not. */
    public IssueToken known(boolean known) {
      return new IssueToken(grantType, username, password, tenancyName, clientId, clientSecret, known);
    }

    @Override
    public String toString() {
      return "IssueToken[" + grantType + ", " + (username != null ? username : clientId) + "]";
    }
  }

  /** A signed access token and who it speaks for. */
  public record IssuedToken(String accessToken, long expiresInSeconds, Caller caller) {
  }

  public record CreateTenant(Caller caller, String name) {
  }

  public record ListTenants(Caller caller) {
  }

  public record Tenant(long id, String name, Instant createdAt) {
  }

  public record TenantList(List<Tenant> items) {
  }

  /** A new user; {@code tenantId} is required from the host admin and implied for a tenant admin. */
  public record CreateUser(Caller caller, String username, String password, Role role, Long tenantId) {

    @Override
    public String toString() {
      return "CreateUser[" + username + ", " + role + ", tenant " + tenantId + "]";
    }
  }

  /** Users visible to the caller, optionally of one tenant. */
  public record ListUsers(Caller caller, Long tenantId) {
  }

  /** A user; {@code disabledAt} and {@code disabledBy} (a name) are null while it is enabled. */
  public record User(long id, String username, Role role, Long tenantId, Instant createdAt, Instant disabledAt,
      String disabledBy) {

    public boolean enabled() {
      return disabledAt == null;
    }
  }

  public record UserList(List<User> items) {
  }

  /** Registers a robot in the caller's tenant (tenant administrator). */
  public record RegisterRobot(Caller caller, String name) {
  }

  /** A robot as listed; the secret is never part of it. Disabled: {@code disabledAt} is set. */
  public record Robot(long id, String name, long tenantId, Instant createdAt, Instant disabledAt,
      String disabledBy) {

    public boolean enabled() {
      return disabledAt == null;
    }
  }

  /** The reply to a registration: the only time the secret is ever shown. */
  public record RegisteredRobot(Robot robot, String secret) {

    @Override
    public String toString() {
      return "RegisteredRobot[" + robot + "]";
    }
  }

  public record ListRobots(Caller caller) {
  }

  public record RobotList(List<Robot> items) {
  }

  /** Looks up one robot of a tenant (used by other modules to check a robot id). */
  public record GetRobot(long tenantId, long robotId) {
  }

  /** Every tenant's id (for modules that keep a record per tenant). */
  public record ListTenantIds() {
  }

  public record TenantIds(List<Long> ids) {
  }

  /** Every tenant with its name (for modules that show tenants to people). */
  public record ListTenantDirectory() {
  }

  /**
   * Deletes, disables or enables one user: the host administrator any tenant's, a tenant
   * administrator their own tenant's.
   */
  public record ManageUser(Caller caller, long userId) {
  }

  /** Deletes, disables or enables one robot of the caller's tenant (tenant administrator). */
  public record ManageRobot(Caller caller, long robotId) {
  }

  /** A user or robot that was deleted. */
  public record DeletedPrincipal(long id, String name, Long tenantId) {
  }

  /** A page of the audit of users and robots: a tenant's, or (host administrator, null) every one's. */
  public record ListAudit(Caller caller, Long tenantId, PageRequest page) {
  }

  /**
   * One change to a user or a robot: what ({@code action}: UserCreated, UserDeleted, UserDisabled,
   * UserEnabled, RobotRegistered, RobotDeleted, RobotDisabled, RobotEnabled), to whom, by whom, when,
   * and from where ({@code actorAddress}: the client's address, behind a trusted proxy the one it
   * forwarded; null in rows written before 0.2.0).
   */
  public record AuditEntry(long id, Instant at, String action, Long tenantId, String targetKind, long targetId,
      String targetName, long actorId, String actorName, Role actorRole, String detail, String actorAddress) {
  }

  /** Asks for the revocations this node holds now. */
  public record GetRevocations() {
  }

  /**
   * The tokens no node may accept: per principal, the lowest token generation (the {@code gen}
   * claim; 0 when absent) still accepted. A disable raises the principal's generation, a deletion
   * refuses every generation ({@link #DELETED}). Only revocations younger than a token's lifetime
   * are held: older tokens have expired anyway. {@code version} grows with each snapshot a node
   * makes; readers keep the highest.
   */
  public record Revocations(long version, Map<Long, Integer> users, Map<Long, Integer> robots) {

    /** The generation of a deleted principal: no token is accepted. */
    public static final int DELETED = Integer.MAX_VALUE;
    public static final Revocations NONE = new Revocations(0, Map.of(), Map.of());

    public boolean isEmpty() {
      return users.isEmpty() && robots.isEmpty();
    }

    /** Whether a token of this principal and generation is refused. */
    public boolean refuses(Role role, long principalId, int generation) {
      Integer lowest = (role == Role.ROBOT ? robots : users).get(principalId);
      return lowest != null && generation < lowest;
    }
  }
}
