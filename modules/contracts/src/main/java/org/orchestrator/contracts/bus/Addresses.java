package org.orchestrator.contracts.bus;

import java.util.List;
import org.orchestrator.contracts.bus.BusAddress.Kind;
import org.orchestrator.contracts.identity.IdentityMessages.CreateTenant;
import org.orchestrator.contracts.jobs.JobMessages.AddQueueItem;
import org.orchestrator.contracts.jobs.JobMessages.AppendLogs;
import org.orchestrator.contracts.jobs.JobMessages.ControlJob;
import org.orchestrator.contracts.jobs.JobMessages.CreateJob;
import org.orchestrator.contracts.jobs.JobMessages.CreateScheduledJob;
import org.orchestrator.contracts.jobs.JobMessages.GetJob;
import org.orchestrator.contracts.jobs.JobMessages.Heartbeat;
import org.orchestrator.contracts.jobs.JobMessages.ItemId;
import org.orchestrator.contracts.jobs.JobMessages.Job;
import org.orchestrator.contracts.jobs.JobMessages.JobPage;
import org.orchestrator.contracts.jobs.JobMessages.ListJobs;
import org.orchestrator.contracts.jobs.JobMessages.ListLogs;
import org.orchestrator.contracts.jobs.JobMessages.ListQueueItems;
import org.orchestrator.contracts.jobs.JobMessages.ListRobotPresence;
import org.orchestrator.contracts.jobs.JobMessages.LogPage;
import org.orchestrator.contracts.jobs.JobMessages.QueueItemPage;
import org.orchestrator.contracts.jobs.JobMessages.ReportJobState;
import org.orchestrator.contracts.jobs.JobMessages.RobotCommands;
import org.orchestrator.contracts.jobs.JobMessages.RobotPresenceList;
import org.orchestrator.contracts.jobs.JobMessages.Stored;
import org.orchestrator.contracts.scheduler.ScheduleMessages.CreateSchedule;
import org.orchestrator.contracts.scheduler.ScheduleMessages.FirePage;
import org.orchestrator.contracts.scheduler.ScheduleMessages.ListFires;
import org.orchestrator.contracts.scheduler.ScheduleMessages.ListSchedules;
import org.orchestrator.contracts.scheduler.ScheduleMessages.Schedule;
import org.orchestrator.contracts.scheduler.ScheduleMessages.ScheduleAction;
import org.orchestrator.contracts.scheduler.ScheduleMessages.ScheduleList;
import org.orchestrator.contracts.identity.IdentityMessages.CreateUser;
import org.orchestrator.contracts.identity.IdentityMessages.GetRobot;
import org.orchestrator.contracts.identity.IdentityMessages.IssueToken;
import org.orchestrator.contracts.identity.IdentityMessages.IssuedToken;
import org.orchestrator.contracts.identity.IdentityMessages.ListRobots;
import org.orchestrator.contracts.identity.IdentityMessages.ListTenants;
import org.orchestrator.contracts.identity.IdentityMessages.ListUsers;
import org.orchestrator.contracts.identity.IdentityMessages.RegisterRobot;
import org.orchestrator.contracts.identity.IdentityMessages.RegisteredRobot;
import org.orchestrator.contracts.identity.IdentityMessages.Robot;
import org.orchestrator.contracts.identity.IdentityMessages.RobotList;
import org.orchestrator.contracts.identity.IdentityMessages.Tenant;
import org.orchestrator.contracts.identity.IdentityMessages.TenantList;
import org.orchestrator.contracts.identity.IdentityMessages.User;
import org.orchestrator.contracts.identity.IdentityMessages.UserList;

/**
 * Every event-bus address of the orchestrator: the one registry from which {@code docs/event-bus.md}
 * is generated. Names read {@code <module>.<noun>.<verb>} for commands and queries and end in a past
 * participle for events.
 */
public final class Addresses {

  private Addresses() {
  }

  /** Bus timeout for requests that touch the database. */
  public static final long DEFAULT_TIMEOUT_MS = 10_000;
  /** Password hashing is deliberately slow; sign-in may take longer under load. */
  private static final long SIGN_IN_TIMEOUT_MS = 20_000;

  // identity
  public static final BusAddress<IssueToken, IssuedToken> IDENTITY_TOKEN_ISSUE = command(
      "identity.token.issue", IssueToken.class, IssuedToken.class, SIGN_IN_TIMEOUT_MS,
      "Checks a user's password or a robot's client secret and signs an access token.");
  public static final BusAddress<CreateTenant, Tenant> IDENTITY_TENANT_CREATE = command(
      "identity.tenant.create", CreateTenant.class, Tenant.class, DEFAULT_TIMEOUT_MS,
      "Creates a tenant (host administrator only).");
  public static final BusAddress<ListTenants, TenantList> IDENTITY_TENANT_LIST = query(
      "identity.tenant.list", ListTenants.class, TenantList.class,
      "Lists tenants (host administrator only).");
  public static final BusAddress<CreateUser, User> IDENTITY_USER_CREATE = command(
      "identity.user.create", CreateUser.class, User.class, SIGN_IN_TIMEOUT_MS,
      "Creates a user in a tenant; host admins name the tenant, tenant admins use their own.");
  public static final BusAddress<ListUsers, UserList> IDENTITY_USER_LIST = query(
      "identity.user.list", ListUsers.class, UserList.class,
      "Lists the users the caller may see.");

  public static final BusAddress<RegisterRobot, RegisteredRobot> IDENTITY_ROBOT_REGISTER = command(
      "identity.robot.register", RegisterRobot.class, RegisteredRobot.class, DEFAULT_TIMEOUT_MS,
      "Registers a robot in the caller's tenant and returns its client secret, once.");
  public static final BusAddress<ListRobots, RobotList> IDENTITY_ROBOT_LIST = query(
      "identity.robot.list", ListRobots.class, RobotList.class,
      "Lists the robots of the caller's tenant.");
  public static final BusAddress<GetRobot, Robot> IDENTITY_ROBOT_GET = query(
      "identity.robot.get", GetRobot.class, Robot.class,
      "One robot of a tenant, or NOT_FOUND; lets other modules check a robot id.");

  // jobs
  public static final BusAddress<CreateJob, Job> JOBS_JOB_CREATE = command(
      "jobs.job.create", CreateJob.class, Job.class, DEFAULT_TIMEOUT_MS,
      "Creates a Pending job for a tenant user, on a named robot or on any free robot of the tenant.");
  public static final BusAddress<CreateScheduledJob, Job> JOBS_SCHEDULED_JOB_CREATE = command(
      "jobs.scheduled-job.create", CreateScheduledJob.class, Job.class, DEFAULT_TIMEOUT_MS,
      "Creates the job of one schedule fire; idempotent per (schedule, planned time).");
  public static final BusAddress<ListJobs, JobPage> JOBS_JOB_LIST = query(
      "jobs.job.list", ListJobs.class, JobPage.class, "One page of the caller's tenant's jobs.");
  public static final BusAddress<GetJob, Job> JOBS_JOB_GET = query(
      "jobs.job.get", GetJob.class, Job.class, "One job of the caller's tenant.");
  public static final BusAddress<ControlJob, Job> JOBS_JOB_STOP = command(
      "jobs.job.stop", ControlJob.class, Job.class, DEFAULT_TIMEOUT_MS,
      "Asks a job to stop gracefully (Running -> Stopping; Pending -> Stopped).");
  public static final BusAddress<ControlJob, Job> JOBS_JOB_KILL = command(
      "jobs.job.kill", ControlJob.class, Job.class, DEFAULT_TIMEOUT_MS,
      "Forces a job to end (-> Terminating; Pending -> Stopped).");
  public static final BusAddress<Heartbeat, RobotCommands> JOBS_ROBOT_HEARTBEAT = command(
      "jobs.robot.heartbeat", Heartbeat.class, RobotCommands.class, DEFAULT_TIMEOUT_MS,
      "Marks a robot connected and returns its pending StartJob/StopJob/KillJob commands.");
  public static final BusAddress<ReportJobState, Job> JOBS_JOB_REPORT = command(
      "jobs.job.report", ReportJobState.class, Job.class, DEFAULT_TIMEOUT_MS,
      "A robot reports the state of one of its jobs.");
  public static final BusAddress<AppendLogs, Stored> JOBS_LOG_APPEND = command(
      "jobs.log.append", AppendLogs.class, Stored.class, DEFAULT_TIMEOUT_MS,
      "Stores a robot's batch of log lines, all or nothing.");
  public static final BusAddress<ListLogs, LogPage> JOBS_LOG_LIST = query(
      "jobs.log.list", ListLogs.class, LogPage.class, "One page of the tenant's robot logs.");
  public static final BusAddress<AddQueueItem, ItemId> JOBS_QUEUE_ITEM_ADD = command(
      "jobs.queue-item.add", AddQueueItem.class, ItemId.class, DEFAULT_TIMEOUT_MS,
      "A robot adds an item to one of its tenant's queues.");
  public static final BusAddress<ListQueueItems, QueueItemPage> JOBS_QUEUE_ITEM_LIST = query(
      "jobs.queue-item.list", ListQueueItems.class, QueueItemPage.class,
      "One page of the tenant's queue items.");
  public static final BusAddress<ListRobotPresence, RobotPresenceList> JOBS_ROBOT_PRESENCE_LIST = query(
      "jobs.robot-presence.list", ListRobotPresence.class, RobotPresenceList.class,
      "When each robot of a tenant last sent a heartbeat and whether it counts as connected.");

  // scheduler
  public static final BusAddress<CreateSchedule, Schedule> SCHEDULER_SCHEDULE_CREATE = command(
      "scheduler.schedule.create", CreateSchedule.class, Schedule.class, DEFAULT_TIMEOUT_MS,
      "Creates an enabled schedule in the caller's tenant (tenant administrator).");
  public static final BusAddress<ListSchedules, ScheduleList> SCHEDULER_SCHEDULE_LIST = query(
      "scheduler.schedule.list", ListSchedules.class, ScheduleList.class,
      "The schedules of the caller's tenant.");
  public static final BusAddress<ScheduleAction, Schedule> SCHEDULER_SCHEDULE_ENABLE = command(
      "scheduler.schedule.enable", ScheduleAction.class, Schedule.class, DEFAULT_TIMEOUT_MS,
      "Enables a schedule; it fires next at its first time after now (no catch-up).");
  public static final BusAddress<ScheduleAction, Schedule> SCHEDULER_SCHEDULE_DISABLE = command(
      "scheduler.schedule.disable", ScheduleAction.class, Schedule.class, DEFAULT_TIMEOUT_MS,
      "Disables a schedule.");
  public static final BusAddress<ScheduleAction, Schedule> SCHEDULER_SCHEDULE_DELETE = command(
      "scheduler.schedule.delete", ScheduleAction.class, Schedule.class, DEFAULT_TIMEOUT_MS,
      "Deletes a schedule; its fire history stays.");
  public static final BusAddress<ListFires, FirePage> SCHEDULER_FIRE_LIST = query(
      "scheduler.fire.list", ListFires.class, FirePage.class,
      "One page of a schedule's fires, newest first, with what became of each.");

  private static final List<BusAddress<?, ?>> ALL = List.of(
      IDENTITY_TOKEN_ISSUE, IDENTITY_TENANT_CREATE, IDENTITY_TENANT_LIST, IDENTITY_USER_CREATE,
      IDENTITY_USER_LIST, IDENTITY_ROBOT_REGISTER, IDENTITY_ROBOT_LIST, IDENTITY_ROBOT_GET,
      JOBS_JOB_CREATE, JOBS_SCHEDULED_JOB_CREATE, JOBS_JOB_LIST, JOBS_JOB_GET, JOBS_JOB_STOP,
      JOBS_JOB_KILL, JOBS_ROBOT_HEARTBEAT, JOBS_JOB_REPORT, JOBS_LOG_APPEND, JOBS_LOG_LIST,
      JOBS_QUEUE_ITEM_ADD, JOBS_QUEUE_ITEM_LIST, JOBS_ROBOT_PRESENCE_LIST,
      SCHEDULER_SCHEDULE_CREATE, SCHEDULER_SCHEDULE_LIST, SCHEDULER_SCHEDULE_ENABLE,
      SCHEDULER_SCHEDULE_DISABLE, SCHEDULER_SCHEDULE_DELETE, SCHEDULER_FIRE_LIST);

  /** Every address, in documentation order. */
  public static List<BusAddress<?, ?>> all() {
    return ALL;
  }

  private static <Q, R> BusAddress<Q, R> command(String name, Class<Q> request, Class<R> reply,
      long timeoutMs, String description) {
    return new BusAddress<>(name, Kind.COMMAND, request, reply, timeoutMs, description);
  }

  private static <Q, R> BusAddress<Q, R> query(String name, Class<Q> request, Class<R> reply,
      String description) {
    return new BusAddress<>(name, Kind.QUERY, request, reply, DEFAULT_TIMEOUT_MS, description);
  }

  private static <Q> BusAddress<Q, Void> event(String name, Class<Q> body, String description) {
    return new BusAddress<>(name, Kind.EVENT, body, Void.class, 0, description);
  }
}
