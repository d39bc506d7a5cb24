package org.orchestrator.contracts.bus;

import org.orchestrator.contracts.Page;
import java.util.List;
import org.orchestrator.contracts.bus.BusAddress.Kind;
import org.orchestrator.contracts.identity.IdentityMessages.CreateTenant;
import org.orchestrator.contracts.assets.AssetMessages.Asset;
import org.orchestrator.contracts.assets.AssetMessages.CreateAsset;
import org.orchestrator.contracts.assets.AssetMessages.DeleteAsset;
import org.orchestrator.contracts.assets.AssetMessages.Deleted;
import org.orchestrator.contracts.assets.AssetMessages.GetRobotAsset;
import org.orchestrator.contracts.assets.AssetMessages.ListAssets;
import org.orchestrator.contracts.assets.AssetMessages.UpdateAsset;
import org.orchestrator.contracts.jobs.JobMessages.StoredLog;
import org.orchestrator.contracts.jobs.JobMessages.AddQueueItem;
import org.orchestrator.contracts.jobs.JobMessages.CommandsByRobot;
import org.orchestrator.contracts.jobs.JobMessages.FleetReturn;
import org.orchestrator.contracts.jobs.JobMessages.GetFleetReturn;
import org.orchestrator.contracts.jobs.JobMessages.GetRobotCommands;
import org.orchestrator.contracts.jobs.JobMessages.RobotCommandsChanged;
import org.orchestrator.contracts.jobs.JobMessages.FinishQueueItem;
import org.orchestrator.contracts.jobs.JobMessages.QueueItem;
import org.orchestrator.contracts.jobs.JobMessages.TakeQueueItem;
import org.orchestrator.contracts.jobs.JobMessages.TakenQueueItem;
import org.orchestrator.contracts.jobs.JobMessages.AppendLogs;
import org.orchestrator.contracts.jobs.JobMessages.ControlJob;
import org.orchestrator.contracts.jobs.JobMessages.CreateJob;
import org.orchestrator.contracts.jobs.JobMessages.CreateScheduledJobs;
import org.orchestrator.contracts.jobs.JobMessages.GetJob;
import org.orchestrator.contracts.jobs.JobMessages.Heartbeat;
import org.orchestrator.contracts.jobs.JobMessages.ItemId;
import org.orchestrator.contracts.jobs.JobMessages.Job;
import org.orchestrator.contracts.jobs.JobMessages.ListJobs;
import org.orchestrator.contracts.jobs.JobMessages.ListLogs;
import org.orchestrator.contracts.jobs.JobMessages.ListQueueItems;
import org.orchestrator.contracts.jobs.JobMessages.ListRobotPresence;
import org.orchestrator.contracts.jobs.JobMessages.CordonRobot;
import org.orchestrator.contracts.jobs.JobMessages.CordonPreview;
import org.orchestrator.contracts.jobs.JobMessages.PreviewCordon;
import org.orchestrator.contracts.jobs.JobMessages.RobotCordon;
import org.orchestrator.contracts.jobs.JobMessages.UncordonRobot;
import org.orchestrator.contracts.jobs.JobMessages.ReportJobState;
import org.orchestrator.contracts.jobs.JobMessages.RobotCommands;
import org.orchestrator.contracts.jobs.JobMessages.RobotPresenceList;
import org.orchestrator.contracts.jobs.JobMessages.ScheduledJobs;
import org.orchestrator.contracts.jobs.JobMessages.Stored;
import org.orchestrator.contracts.jobs.JobMessages.ActiveJobs;
import org.orchestrator.contracts.jobs.JobMessages.CountWindow;
import org.orchestrator.contracts.jobs.JobMessages.ListActive;
import org.orchestrator.contracts.jobs.JobMessages.ListWindowJobs;
import org.orchestrator.contracts.jobs.JobMessages.SweepJobs;
import org.orchestrator.contracts.jobs.JobMessages.SweepResult;
import org.orchestrator.contracts.jobs.JobMessages.WindowCounts;
import org.orchestrator.contracts.jobs.JobMessages.WindowJobs;
import org.orchestrator.contracts.phase.PhaseMessages.CancelPlan;
import org.orchestrator.contracts.phase.PhaseMessages.CreatePlan;
import org.orchestrator.contracts.phase.PhaseMessages.DrainProgress;
import org.orchestrator.contracts.phase.PhaseMessages.Exemptions;
import org.orchestrator.contracts.phase.PhaseMessages.GetMaintenanceView;
import org.orchestrator.contracts.phase.PhaseMessages.GetExemptions;
import org.orchestrator.contracts.phase.PhaseMessages.SetExemptions;
import org.orchestrator.contracts.phase.PhaseMessages.ListEvents;
import org.orchestrator.contracts.phase.PhaseMessages.ListNodes;
import org.orchestrator.contracts.phase.PhaseMessages.NodeList;
import org.orchestrator.contracts.phase.PhaseMessages.ListPlans;
import org.orchestrator.contracts.phase.PhaseMessages.MaintenanceEvents;
import org.orchestrator.contracts.phase.PhaseMessages.MaintenancePlan;
import org.orchestrator.contracts.phase.PhaseMessages.Plans;
import org.orchestrator.contracts.retention.RetentionMessages.DeleteExpired;
import org.orchestrator.contracts.retention.RetentionMessages.DeleteRows;
import org.orchestrator.contracts.retention.RetentionMessages.DeletedRows;
import org.orchestrator.contracts.retention.RetentionMessages.DropPartition;
import org.orchestrator.contracts.retention.RetentionMessages.DroppedPartition;
import org.orchestrator.contracts.retention.RetentionMessages.ExpiredRows;
import org.orchestrator.contracts.retention.RetentionMessages.GetPolicy;
import org.orchestrator.contracts.retention.RetentionMessages.ListPartitions;
import org.orchestrator.contracts.retention.RetentionMessages.ListRuns;
import org.orchestrator.contracts.retention.RetentionMessages.Oldest;
import org.orchestrator.contracts.retention.RetentionMessages.OldestRow;
import org.orchestrator.contracts.retention.RetentionMessages.Partitions;
import org.orchestrator.contracts.retention.RetentionMessages.PolicyView;
import org.orchestrator.contracts.retention.RetentionMessages.PutPolicy;
import org.orchestrator.contracts.retention.RetentionMessages.RowBatch;
import org.orchestrator.contracts.retention.RetentionMessages.Run;
import org.orchestrator.contracts.retention.RetentionMessages.RunStarted;
import org.orchestrator.contracts.retention.RetentionMessages.StartRun;
import org.orchestrator.contracts.webhooks.WebhookMessages.Delivery;
import org.orchestrator.contracts.webhooks.WebhookMessages.CreateWebhook;
import org.orchestrator.contracts.webhooks.WebhookMessages.DeleteWebhook;
import org.orchestrator.contracts.webhooks.WebhookMessages.ListDeliveries;
import org.orchestrator.contracts.webhooks.WebhookMessages.ListWebhooks;
import org.orchestrator.contracts.webhooks.WebhookMessages.Removed;
import org.orchestrator.contracts.webhooks.WebhookMessages.Webhook;
import org.orchestrator.contracts.webhooks.WebhookMessages.Webhooks;
import org.orchestrator.contracts.phase.PhaseMessages.EndMaintenance;
import org.orchestrator.contracts.phase.PhaseMessages.GetPhase;
import org.orchestrator.contracts.phase.PhaseMessages.GetProgress;
import org.orchestrator.contracts.phase.PhaseMessages.PhaseSnapshot;
import org.orchestrator.contracts.phase.PhaseMessages.Preview;
import org.orchestrator.contracts.phase.PhaseMessages.PreviewReport;
import org.orchestrator.contracts.phase.PhaseMessages.StartMaintenance;
import org.orchestrator.contracts.phase.PhaseMessages.StartOutcome;
import org.orchestrator.contracts.scheduler.ScheduleMessages.Fire;
import org.orchestrator.contracts.scheduler.ScheduleMessages.SkippedCounts;
import org.orchestrator.contracts.scheduler.ScheduleMessages.CountSkipped;
import org.orchestrator.contracts.scheduler.ScheduleMessages.ListSkipped;
import org.orchestrator.contracts.scheduler.ScheduleMessages.FirePreview;
import org.orchestrator.contracts.scheduler.ScheduleMessages.PreviewFires;
import org.orchestrator.contracts.scheduler.ScheduleMessages.TenantFires;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.CloseWindow;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.CompleteWindow;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.IncompleteWindows;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.ListIncomplete;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.GetWindowLog;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.History;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.ListHistory;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.WindowLogs;
import org.orchestrator.contracts.scheduler.ScheduleMessages.CreateSchedule;
import org.orchestrator.contracts.scheduler.ScheduleMessages.ListFires;
import org.orchestrator.contracts.scheduler.ScheduleMessages.ListSchedules;
import org.orchestrator.contracts.scheduler.ScheduleMessages.Schedule;
import org.orchestrator.contracts.scheduler.ScheduleMessages.ScheduleAction;
import org.orchestrator.contracts.scheduler.ScheduleMessages.ScheduleList;
import org.orchestrator.contracts.identity.IdentityMessages.AuditEntry;
import org.orchestrator.contracts.identity.IdentityMessages.CreateUser;
import org.orchestrator.contracts.identity.IdentityMessages.DeletedPrincipal;
import org.orchestrator.contracts.identity.IdentityMessages.GetRevocations;
import org.orchestrator.contracts.identity.IdentityMessages.ListAudit;
import org.orchestrator.contracts.identity.IdentityMessages.ManageRobot;
import org.orchestrator.contracts.identity.IdentityMessages.ManageUser;
import org.orchestrator.contracts.identity.IdentityMessages.Revocations;
import org.orchestrator.contracts.jobs.JobMessages.RetireRobot;
import org.orchestrator.contracts.jobs.JobMessages.RetiredRobot;
import org.orchestrator.contracts.scheduler.ScheduleMessages.RobotRemoved;
import org.orchestrator.contracts.scheduler.ScheduleMessages.SchedulesDisabled;
import org.orchestrator.contracts.identity.IdentityMessages.GetRobot;
import org.orchestrator.contracts.identity.IdentityMessages.IssueToken;
import org.orchestrator.contracts.identity.IdentityMessages.IssuedToken;
import org.orchestrator.contracts.identity.IdentityMessages.ListRobots;
import org.orchestrator.contracts.identity.IdentityMessages.ListTenantDirectory;
import org.orchestrator.contracts.identity.IdentityMessages.ListTenantIds;
import org.orchestrator.contracts.identity.IdentityMessages.ListTenants;
import org.orchestrator.contracts.identity.IdentityMessages.ListUsers;
import org.orchestrator.contracts.identity.IdentityMessages.RegisterRobot;
import org.orchestrator.contracts.identity.IdentityMessages.RegisteredRobot;
import org.orchestrator.contracts.identity.IdentityMessages.Robot;
import org.orchestrator.contracts.identity.IdentityMessages.RobotList;
import org.orchestrator.contracts.identity.IdentityMessages.Tenant;
import org.orchestrator.contracts.identity.IdentityMessages.TenantIds;
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
  /** Maintenance sweeps touch every unfinished job (100,000 in the benchmark). */
  public static final long SWEEP_TIMEOUT_MS = 60_000;
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

  public static final BusAddress<ManageUser, DeletedPrincipal> IDENTITY_USER_DELETE = command(
      "identity.user.delete", ManageUser.class, DeletedPrincipal.class, DEFAULT_TIMEOUT_MS,
      "Deletes a user (never yourself, the host administrator or a tenant's last enabled Administrator); "
          + "its tokens are refused on every node; audited.");
  public static final BusAddress<ManageUser, User> IDENTITY_USER_DISABLE = command(
      "identity.user.disable", ManageUser.class, User.class, DEFAULT_TIMEOUT_MS,
      "Disables a user (same rules as delete): no sign-in, its tokens refused on every node; audited.");
  public static final BusAddress<ManageUser, User> IDENTITY_USER_ENABLE = command(
      "identity.user.enable", ManageUser.class, User.class, DEFAULT_TIMEOUT_MS,
      "Enables a disabled user: it signs in again (tokens from before the disable stay refused); audited.");
  public static final BusAddress<ManageRobot, DeletedPrincipal> IDENTITY_ROBOT_DELETE = command(
      "identity.robot.delete", ManageRobot.class, DeletedPrincipal.class, DEFAULT_TIMEOUT_MS,
      "Deletes a robot of the caller's tenant: its tokens refused on every node, its jobs ended "
          + "(jobs.robot.retire), its schedules disabled (scheduler.robot.retire); audited.");
  public static final BusAddress<ManageRobot, Robot> IDENTITY_ROBOT_DISABLE = command(
      "identity.robot.disable", ManageRobot.class, Robot.class, DEFAULT_TIMEOUT_MS,
      "Disables a robot of the caller's tenant: no token, its tokens refused on every node; audited.");
  public static final BusAddress<ManageRobot, Robot> IDENTITY_ROBOT_ENABLE = command(
      "identity.robot.enable", ManageRobot.class, Robot.class, DEFAULT_TIMEOUT_MS,
      "Enables a disabled robot: it signs in again (tokens from before the disable stay refused); audited.");
  public static final BusAddress<ListAudit, Page<AuditEntry>> IDENTITY_AUDIT_LIST = query(
      "identity.audit.list", ListAudit.class, pageOf(AuditEntry.class),
      "One page of the audit of users and robots (created, deleted, disabled, enabled), newest first.");
  public static final BusAddress<GetRevocations, Revocations> IDENTITY_REVOCATIONS_GET = query(
      "identity.revocations.get", GetRevocations.class, Revocations.class,
      "The tokens this node refuses now (deleted and disabled principals), as kept in memory.");
  public static final BusAddress<Revocations, Void> IDENTITY_REVOCATIONS_CHANGED = event(
      "identity.revocations.changed", Revocations.class,
      "Published on every node when its revocations change (PostgreSQL NOTIFY, or the reload every 2 s): "
          + "token checks and robot push channels read it.");

  public static final BusAddress<ListTenantIds, TenantIds> IDENTITY_TENANT_IDS = query(
      "identity.tenant.ids", ListTenantIds.class, TenantIds.class,
      "Every tenant's id; internal (no caller), for the per-tenant maintenance logs.");
  public static final BusAddress<ListTenantDirectory, TenantList> IDENTITY_TENANT_DIRECTORY = query(
      "identity.tenant.directory", ListTenantDirectory.class, TenantList.class,
      "Every tenant's id and name; internal (no caller), so that what people read shows names.");

  // jobs
  public static final BusAddress<CreateJob, Job> JOBS_JOB_CREATE = command(
      "jobs.job.create", CreateJob.class, Job.class, DEFAULT_TIMEOUT_MS,
      "Creates a Pending job for a tenant user, on a named robot or on any free robot of the tenant.");
  public static final BusAddress<CreateScheduledJobs, ScheduledJobs> JOBS_SCHEDULED_JOBS_CREATE = command(
      "jobs.scheduled-jobs.create", CreateScheduledJobs.class, ScheduledJobs.class, DEFAULT_TIMEOUT_MS,
      "Creates the jobs of up to 1,000 schedule fires in one statement; idempotent per (schedule, planned time); "
          + "MAINTENANCE for the whole batch during maintenance.");
  public static final BusAddress<ListJobs, Page<Job>> JOBS_JOB_LIST = query(
      "jobs.job.list", ListJobs.class, pageOf(Job.class), "One page of the caller's tenant's jobs.");
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
      "Marks a robot connected, reconciles the jobs it says it runs, and returns its pending "
          + "StartJob/StopJob/KillJob commands.");
  public static final BusAddress<ReportJobState, Job> JOBS_JOB_REPORT = command(
      "jobs.job.report", ReportJobState.class, Job.class, DEFAULT_TIMEOUT_MS,
      "A robot reports the state of one of its jobs.");
  public static final BusAddress<AppendLogs, Stored> JOBS_LOG_APPEND = command(
      "jobs.log.append", AppendLogs.class, Stored.class, DEFAULT_TIMEOUT_MS,
      "Stores a robot's batch of log lines, all or nothing; a batch id seen before replays its answer.");
  public static final BusAddress<ListLogs, Page<StoredLog>> JOBS_LOG_LIST = query(
      "jobs.log.list", ListLogs.class, pageOf(StoredLog.class), "One page of the tenant's robot logs.");
  public static final BusAddress<AddQueueItem, ItemId> JOBS_QUEUE_ITEM_ADD = command(
      "jobs.queue-item.add", AddQueueItem.class, ItemId.class, DEFAULT_TIMEOUT_MS,
      "A robot adds an item to one of its tenant's queues.");
  public static final BusAddress<RobotCommandsChanged, Void> JOBS_ROBOT_COMMANDS_CHANGED = event(
      "jobs.robot.commands-changed", RobotCommandsChanged.class,
      "Published on every node when robots' commands changed anywhere (PostgreSQL NOTIFY): push channels refresh.");
  public static final BusAddress<GetRobotCommands, CommandsByRobot> JOBS_ROBOT_COMMANDS_GET = query(
      "jobs.robot-commands.get", GetRobotCommands.class, CommandsByRobot.class,
      "The current commands of some robots, for their push channels (no side effects).");
  public static final BusAddress<TakeQueueItem, TakenQueueItem> JOBS_QUEUE_ITEM_TAKE = command(
      "jobs.queue-item.take", TakeQueueItem.class, TakenQueueItem.class, DEFAULT_TIMEOUT_MS,
      "A robot takes the next New item of a queue (it becomes InProgress for that robot), or none.");
  public static final BusAddress<FinishQueueItem, QueueItem> JOBS_QUEUE_ITEM_FINISH = command(
      "jobs.queue-item.finish", FinishQueueItem.class, QueueItem.class, DEFAULT_TIMEOUT_MS,
      "The robot that took an item reports its result: Successful or Failed, with an output.");
  public static final BusAddress<ListQueueItems, Page<QueueItem>> JOBS_QUEUE_ITEM_LIST = query(
      "jobs.queue-item.list", ListQueueItems.class, pageOf(QueueItem.class),
      "One page of the tenant's queue items.");
  public static final BusAddress<CordonRobot, RobotCordon> JOBS_ROBOT_CORDON = command(
      "jobs.robot.cordon", CordonRobot.class, RobotCordon.class, DEFAULT_TIMEOUT_MS,
      "A tenant administrator takes a robot out of rotation: no new job for it; optionally Stop now, Kill later.");
  public static final BusAddress<UncordonRobot, RobotCordon> JOBS_ROBOT_UNCORDON = command(
      "jobs.robot.uncordon", UncordonRobot.class, RobotCordon.class, DEFAULT_TIMEOUT_MS,
      "A tenant administrator puts a cordoned robot back into rotation.");
  public static final BusAddress<PreviewCordon, CordonPreview> JOBS_ROBOT_CORDON_PREVIEW = query(
      "jobs.robot.cordon-preview", PreviewCordon.class, CordonPreview.class,
      "What cordoning a robot would do: the jobs it would stop and the jobs that would wait for it.");
  public static final BusAddress<RetireRobot, RetiredRobot> JOBS_ROBOT_RETIRE = command(
      "jobs.robot.retire", RetireRobot.class, RetiredRobot.class, DEFAULT_TIMEOUT_MS,
      "A robot was deleted: its unfinished jobs end (Faulted, or Stopped when never handed to it), its "
          + "queue items are New again, its presence and cordon are forgotten; idempotent.");
  public static final BusAddress<ListRobotPresence, RobotPresenceList> JOBS_ROBOT_PRESENCE_LIST = query(
      "jobs.robot-presence.list", ListRobotPresence.class, RobotPresenceList.class,
      "When each robot of a tenant last sent a heartbeat and whether it counts as connected.");
  public static final BusAddress<GetFleetReturn, FleetReturn> JOBS_FLEET_RETURN_GET = query(
      "jobs.fleet-return.get", GetFleetReturn.class, FleetReturn.class,
      "The robots' return after a platform window: robots expected back, robots back since End, jobs waiting.");

  // jobs: its retained tables (robot_logs, jobs, queue_items), for the retention module only
  public static final BusAddress<ExpiredRows, RowBatch> JOBS_RETENTION_ROWS = query(
      "jobs.retention.rows", ExpiredRows.class, RowBatch.class,
      "Up to a limit of a tenant's finished rows of robot_logs, jobs or queue_items aged in a range, in key "
          + "order after a key, each as a JSON line (what the archive stores).");
  public static final BusAddress<DeleteRows, DeletedRows> JOBS_RETENTION_DELETE = command(
      "jobs.retention.delete", DeleteRows.class, DeletedRows.class, DEFAULT_TIMEOUT_MS,
      "Deletes a tenant's rows of robot_logs, jobs or queue_items by key (after the archive holds them); "
          + "idempotent.");
  public static final BusAddress<DeleteExpired, DeletedRows> JOBS_RETENTION_DELETE_EXPIRED = command(
      "jobs.retention.delete-expired", DeleteExpired.class, DeletedRows.class, DEFAULT_TIMEOUT_MS,
      "Deletes up to a limit of a tenant's finished rows aged in a range, without archiving them.");
  public static final BusAddress<OldestRow, Oldest> JOBS_RETENTION_OLDEST = query(
      "jobs.retention.oldest", OldestRow.class, Oldest.class,
      "When the oldest row of robot_logs was received, or the oldest finished job or queue item ended (for the "
          + "stalled-retention alert).");
  public static final BusAddress<ListPartitions, Partitions> JOBS_RETENTION_PARTITIONS = query(
      "jobs.retention.partitions", ListPartitions.class, Partitions.class,
      "The day partitions of robot_logs that end at or before an instant, oldest first.");
  public static final BusAddress<DropPartition, DroppedPartition> JOBS_RETENTION_PARTITION_DROP = command(
      "jobs.retention.partition-drop", DropPartition.class, DroppedPartition.class, DEFAULT_TIMEOUT_MS,
      "Drops one day partition of robot_logs (every row of it expired, and archived when the policy says so).");


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
  public static final BusAddress<RobotRemoved, SchedulesDisabled> SCHEDULER_ROBOT_RETIRE = command(
      "scheduler.robot.retire", RobotRemoved.class, SchedulesDisabled.class, DEFAULT_TIMEOUT_MS,
      "A robot was deleted: the enabled schedules naming it are disabled; idempotent.");
  public static final BusAddress<ListFires, Page<Fire>> SCHEDULER_FIRE_LIST = query(
      "scheduler.fire.list", ListFires.class, pageOf(Fire.class),
      "One page of a schedule's fires, newest first, with what became of each.");

  // jobs: maintenance sweeps and counts
  public static final BusAddress<SweepJobs, SweepResult> JOBS_MAINTENANCE_STOP_ALL = command(
      "jobs.maintenance.stop-all", SweepJobs.class, SweepResult.class, SWEEP_TIMEOUT_MS,
      "One set-based sweep: every Running job (and every Pending one already handed out) -> Stopping.");
  public static final BusAddress<SweepJobs, SweepResult> JOBS_MAINTENANCE_KILL_ALL = command(
      "jobs.maintenance.kill-all", SweepJobs.class, SweepResult.class, SWEEP_TIMEOUT_MS,
      "One set-based sweep: every unfinished job a robot has -> Terminating.");
  public static final BusAddress<ListActive, ActiveJobs> JOBS_MAINTENANCE_ACTIVE = query(
      "jobs.maintenance.active", ListActive.class, ActiveJobs.class,
      "Jobs robots are working on: total, per tenant, and a sample.");
  public static final BusAddress<CountWindow, WindowCounts> JOBS_MAINTENANCE_COUNT = query(
      "jobs.maintenance.count", CountWindow.class, WindowCounts.class,
      "Stops and kills requested since a window began, and how many of those jobs have ended.");
  public static final BusAddress<ListWindowJobs, WindowJobs> JOBS_MAINTENANCE_WINDOW_JOBS = query(
      "jobs.maintenance.window-jobs", ListWindowJobs.class, WindowJobs.class,
      "The jobs a window stopped or killed, for the tenant logs.");

  // scheduler: maintenance
  public static final BusAddress<ListSkipped, TenantFires> SCHEDULER_FIRE_SKIPPED = query(
      "scheduler.fire.skipped", ListSkipped.class, TenantFires.class,
      "Fires skipped for maintenance in a time span, for the tenant logs.");
  public static final BusAddress<CountSkipped, SkippedCounts> SCHEDULER_FIRE_COUNT_SKIPPED = query(
      "scheduler.fire.count-skipped", CountSkipped.class, SkippedCounts.class,
      "How many fires a maintenance window skipped, per tenant.");
  public static final BusAddress<PreviewFires, FirePreview> SCHEDULER_FIRE_PREVIEW = query(
      "scheduler.fire.preview", PreviewFires.class, FirePreview.class,
      "The fires enabled schedules would have in a time span, counted per tenant and in total, with a bounded "
          + "sample (for the maintenance preview).");

  // phase
  public static final BusAddress<GetPhase, PhaseSnapshot> PHASE_STATE_GET = query(
      "phase.state.get", GetPhase.class, PhaseSnapshot.class,
      "The current phase and maintenance window, as stored.");
  public static final BusAddress<StartMaintenance, StartOutcome> PHASE_MAINTENANCE_START = command(
      "phase.maintenance.start", StartMaintenance.class, StartOutcome.class, SWEEP_TIMEOUT_MS,
      "Enters (or continues) Draining or Suspended: sweeps, kill deadline, auto-suspend (host admin).");
  public static final BusAddress<EndMaintenance, PhaseSnapshot> PHASE_MAINTENANCE_END = command(
      "phase.maintenance.end", EndMaintenance.class, PhaseSnapshot.class, SWEEP_TIMEOUT_MS,
      "Closes every tenant's log of the window and returns to None (host admin).");
  public static final BusAddress<GetProgress, DrainProgress> PHASE_PROGRESS_GET = query(
      "phase.progress.get", GetProgress.class, DrainProgress.class,
      "Drain progress now: unfinished jobs per tenant, stops and kills sent and acknowledged, estimate.");
  public static final BusAddress<GetMaintenanceView, io.vertx.core.json.JsonObject> PHASE_VIEW_GET = query(
      "phase.view.get", GetMaintenanceView.class, io.vertx.core.json.JsonObject.class,
      "GET /api/Maintenance/Get's MaintenanceSetting, assembled by the phase module (administrators).");
  public static final BusAddress<ListNodes, NodeList> PHASE_NODES_LIST = query(
      "phase.nodes.list", ListNodes.class, NodeList.class,
      "The nodes seen lately (their heartbeat rows), with the release each runs.");
  public static final BusAddress<Preview, PreviewReport> PHASE_MAINTENANCE_PREVIEW = query(
      "phase.maintenance.preview", Preview.class, PreviewReport.class,
      "What a drain started now would stop and which fires it would skip.");
  public static final BusAddress<PhaseSnapshot, Void> PHASE_CHANGED = event(
      "phase.changed", PhaseSnapshot.class,
      "Published after every stored phase change; readers keep the highest version.");
  public static final BusAddress<DrainProgress, Void> PHASE_PROGRESS_UPDATED = event(
      "phase.progress.updated", DrainProgress.class,
      "Published every second while in maintenance (and once at End).");
  public static final BusAddress<CreatePlan, MaintenancePlan> PHASE_PLAN_CREATE = command(
      "phase.plan.create", CreatePlan.class, MaintenancePlan.class, DEFAULT_TIMEOUT_MS,
      "Plans a maintenance window: Draining starts by itself at drainAt (host admin).");
  public static final BusAddress<ListPlans, Plans> PHASE_PLAN_LIST = query(
      "phase.plan.list", ListPlans.class, Plans.class,
      "Every plan for the host administrator; the upcoming ones, without host-only fields, for anyone else.");
  public static final BusAddress<CancelPlan, MaintenancePlan> PHASE_PLAN_CANCEL = command(
      "phase.plan.cancel", CancelPlan.class, MaintenancePlan.class, DEFAULT_TIMEOUT_MS,
      "Cancels a plan that has not started (host admin).");
  public static final BusAddress<GetExemptions, Exemptions> PHASE_EXEMPTIONS_GET = query(
      "phase.exemptions.get", GetExemptions.class, Exemptions.class,
      "The exempt processes (whose jobs run through Draining): every tenant's for the host administrator, its "
          + "own for a tenant administrator.");
  public static final BusAddress<SetExemptions, Exemptions> PHASE_EXEMPTIONS_SET = command(
      "phase.exemptions.set", SetExemptions.class, Exemptions.class, SWEEP_TIMEOUT_MS,
      "Replaces the exempt processes, also those of the open windows (host admin); a process no longer exempt "
          + "while Draining is sent Stop.");
  public static final BusAddress<ListEvents, MaintenanceEvents> PHASE_EVENT_LIST = query(
      "phase.event.list", ListEvents.class, MaintenanceEvents.class,
      "The stored maintenance events (planned, cancelled, draining, suspended, ended) after a sequence number, "
          + "in commit order: what webhooks are made of.");

  // assets
  public static final BusAddress<CreateAsset, Asset> ASSETS_ASSET_CREATE = command(
      "assets.asset.create", CreateAsset.class, Asset.class, DEFAULT_TIMEOUT_MS,
      "A tenant administrator creates an asset (Text, Integer, Bool or Credential).");
  public static final BusAddress<UpdateAsset, Asset> ASSETS_ASSET_UPDATE = command(
      "assets.asset.update", UpdateAsset.class, Asset.class, DEFAULT_TIMEOUT_MS,
      "A tenant administrator replaces an asset's value.");
  public static final BusAddress<DeleteAsset, Deleted> ASSETS_ASSET_DELETE = command(
      "assets.asset.delete", DeleteAsset.class, Deleted.class, DEFAULT_TIMEOUT_MS,
      "A tenant administrator deletes an asset.");
  public static final BusAddress<ListAssets, Page<Asset>> ASSETS_ASSET_LIST = query(
      "assets.asset.list", ListAssets.class, pageOf(Asset.class),
      "One page of the tenant's assets; credential values are never listed.");
  public static final BusAddress<GetRobotAsset, Asset> ASSETS_ROBOT_GET = query(
      "assets.robot.get", GetRobotAsset.class, Asset.class,
      "A robot reads an asset of its tenant by name (a credential's value included).");

  // tenant-log
  public static final BusAddress<GetWindowLog, WindowLogs> TENANT_LOG_WINDOW_GET = query(
      "tenant-log.window.get", GetWindowLog.class, WindowLogs.class,
      "Each tenant's record of a window: frozen once closed, computed live while open.");
  public static final BusAddress<CloseWindow, WindowLogs> TENANT_LOG_WINDOW_CLOSE = command(
      "tenant-log.window.close", CloseWindow.class, WindowLogs.class, SWEEP_TIMEOUT_MS,
      "Freezes every tenant's record of a window at End, before End commits (incomplete); idempotent.");
  public static final BusAddress<CompleteWindow, WindowLogs> TENANT_LOG_WINDOW_COMPLETE = command(
      "tenant-log.window.complete", CompleteWindow.class, WindowLogs.class, DEFAULT_TIMEOUT_MS,
      "Freezes a window's records again after End committed, adding what was tagged with it since; idempotent.");
  public static final BusAddress<ListIncomplete, IncompleteWindows> TENANT_LOG_WINDOW_INCOMPLETE = query(
      "tenant-log.window.incomplete", ListIncomplete.class, IncompleteWindows.class,
      "The windows whose records were frozen at close and not completed yet.");
  public static final BusAddress<ListHistory, History> TENANT_LOG_HISTORY_LIST = query(
      "tenant-log.history.list", ListHistory.class, History.class,
      "Past maintenance windows of one tenant, newest first.");

  // webhooks
  public static final BusAddress<CreateWebhook, Webhook> WEBHOOKS_WEBHOOK_CREATE = command(
      "webhooks.webhook.create", CreateWebhook.class, Webhook.class, DEFAULT_TIMEOUT_MS,
      "A tenant administrator registers a receiver of maintenance events.");
  public static final BusAddress<ListWebhooks, Webhooks> WEBHOOKS_WEBHOOK_LIST = query(
      "webhooks.webhook.list", ListWebhooks.class, Webhooks.class,
      "The tenant's receivers (secrets never shown).");
  public static final BusAddress<DeleteWebhook, Removed> WEBHOOKS_WEBHOOK_DELETE = command(
      "webhooks.webhook.delete", DeleteWebhook.class, Removed.class, DEFAULT_TIMEOUT_MS,
      "A tenant administrator removes a receiver; its pending deliveries stop.");
  public static final BusAddress<ListDeliveries, Page<Delivery>> WEBHOOKS_DELIVERY_LIST = query(
      "webhooks.delivery.list", ListDeliveries.class, pageOf(Delivery.class),
      "One page of a receiver's deliveries, newest first, each with its attempts and answers.");

  public static final BusAddress<ExpiredRows, RowBatch> WEBHOOKS_RETENTION_ROWS = query(
      "webhooks.retention.rows", ExpiredRows.class, RowBatch.class,
      "Up to a limit of a tenant's settled webhook deliveries aged in a range, each with its attempts as a "
          + "JSON line.");
  public static final BusAddress<DeleteRows, DeletedRows> WEBHOOKS_RETENTION_DELETE = command(
      "webhooks.retention.delete", DeleteRows.class, DeletedRows.class, DEFAULT_TIMEOUT_MS,
      "Deletes a tenant's settled deliveries (and their attempts) by id; idempotent.");
  public static final BusAddress<DeleteExpired, DeletedRows> WEBHOOKS_RETENTION_DELETE_EXPIRED = command(
      "webhooks.retention.delete-expired", DeleteExpired.class, DeletedRows.class, DEFAULT_TIMEOUT_MS,
      "Deletes up to a limit of a tenant's settled deliveries aged in a range, without archiving them.");
  public static final BusAddress<OldestRow, Oldest> WEBHOOKS_RETENTION_OLDEST = query(
      "webhooks.retention.oldest", OldestRow.class, Oldest.class,
      "When the oldest settled webhook delivery was settled (for the stalled-retention alert).");

  // retention
  public static final BusAddress<GetPolicy, PolicyView> RETENTION_POLICY_GET = query(
      "retention.policy.get", GetPolicy.class, PolicyView.class,
      "The host's retention policy, or a tenant's override with what applies to it (host administrator; a "
          + "tenant's Administrator for its own).");
  public static final BusAddress<PutPolicy, PolicyView> RETENTION_POLICY_PUT = command(
      "retention.policy.put", PutPolicy.class, PolicyView.class, DEFAULT_TIMEOUT_MS,
      "Sets the host's retention policy or a tenant's override (host administrator).");
  public static final BusAddress<StartRun, RunStarted> RETENTION_RUN_START = command(
      "retention.run.start", StartRun.class, RunStarted.class, DEFAULT_TIMEOUT_MS,
      "Asks for a retention run now (host administrator); answers its id once stored, the run goes on.");
  public static final BusAddress<ListRuns, Page<Run>> RETENTION_RUN_LIST = query(
      "retention.run.list", ListRuns.class, pageOf(Run.class),
      "One page of retention runs, newest first, with rows archived and deleted per table and tenant.");

  private static final List<BusAddress<?, ?>> ALL = List.of(
      IDENTITY_TOKEN_ISSUE, IDENTITY_TENANT_CREATE, IDENTITY_TENANT_LIST, IDENTITY_USER_CREATE,
      IDENTITY_USER_LIST, IDENTITY_ROBOT_REGISTER, IDENTITY_ROBOT_LIST, IDENTITY_ROBOT_GET,
      IDENTITY_USER_DELETE, IDENTITY_USER_DISABLE, IDENTITY_USER_ENABLE, IDENTITY_ROBOT_DELETE,
      IDENTITY_ROBOT_DISABLE, IDENTITY_ROBOT_ENABLE, IDENTITY_AUDIT_LIST, IDENTITY_REVOCATIONS_GET,
      IDENTITY_REVOCATIONS_CHANGED, IDENTITY_TENANT_IDS, IDENTITY_TENANT_DIRECTORY,
      JOBS_JOB_CREATE, JOBS_SCHEDULED_JOBS_CREATE, JOBS_JOB_LIST, JOBS_JOB_GET, JOBS_JOB_STOP,
      JOBS_JOB_KILL, JOBS_ROBOT_HEARTBEAT, JOBS_JOB_REPORT, JOBS_LOG_APPEND, JOBS_LOG_LIST,
      JOBS_ROBOT_COMMANDS_CHANGED, JOBS_ROBOT_COMMANDS_GET, JOBS_QUEUE_ITEM_ADD, JOBS_QUEUE_ITEM_TAKE, JOBS_QUEUE_ITEM_FINISH, JOBS_QUEUE_ITEM_LIST, JOBS_ROBOT_PRESENCE_LIST, JOBS_FLEET_RETURN_GET,
      JOBS_ROBOT_CORDON, JOBS_ROBOT_UNCORDON, JOBS_ROBOT_CORDON_PREVIEW, JOBS_ROBOT_RETIRE,
      SCHEDULER_SCHEDULE_CREATE, SCHEDULER_SCHEDULE_LIST, SCHEDULER_SCHEDULE_ENABLE,
      SCHEDULER_SCHEDULE_DISABLE, SCHEDULER_SCHEDULE_DELETE, SCHEDULER_ROBOT_RETIRE, SCHEDULER_FIRE_LIST,
      JOBS_MAINTENANCE_STOP_ALL, JOBS_MAINTENANCE_KILL_ALL, JOBS_MAINTENANCE_ACTIVE, JOBS_MAINTENANCE_COUNT,
      JOBS_MAINTENANCE_WINDOW_JOBS, SCHEDULER_FIRE_SKIPPED, SCHEDULER_FIRE_COUNT_SKIPPED, SCHEDULER_FIRE_PREVIEW,
      PHASE_STATE_GET, PHASE_MAINTENANCE_START, PHASE_MAINTENANCE_END, PHASE_PROGRESS_GET, PHASE_VIEW_GET,
      PHASE_NODES_LIST,
      PHASE_MAINTENANCE_PREVIEW, PHASE_CHANGED, PHASE_PROGRESS_UPDATED, PHASE_PLAN_CREATE, PHASE_PLAN_LIST,
      PHASE_PLAN_CANCEL, PHASE_EXEMPTIONS_GET, PHASE_EXEMPTIONS_SET, PHASE_EVENT_LIST,
      ASSETS_ASSET_CREATE, ASSETS_ASSET_UPDATE, ASSETS_ASSET_DELETE, ASSETS_ASSET_LIST, ASSETS_ROBOT_GET,
      TENANT_LOG_WINDOW_GET, TENANT_LOG_WINDOW_CLOSE, TENANT_LOG_WINDOW_COMPLETE,
      TENANT_LOG_WINDOW_INCOMPLETE, TENANT_LOG_HISTORY_LIST,
      WEBHOOKS_WEBHOOK_CREATE, WEBHOOKS_WEBHOOK_LIST, WEBHOOKS_WEBHOOK_DELETE, WEBHOOKS_DELIVERY_LIST,
      JOBS_RETENTION_ROWS, JOBS_RETENTION_DELETE, JOBS_RETENTION_DELETE_EXPIRED, JOBS_RETENTION_OLDEST,
      JOBS_RETENTION_PARTITIONS, JOBS_RETENTION_PARTITION_DROP, WEBHOOKS_RETENTION_ROWS, WEBHOOKS_RETENTION_DELETE,
      WEBHOOKS_RETENTION_DELETE_EXPIRED, WEBHOOKS_RETENTION_OLDEST,
      RETENTION_POLICY_GET, RETENTION_POLICY_PUT, RETENTION_RUN_START, RETENTION_RUN_LIST);

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

  /** The class of a page of {@code item}s (the item type is for the reader: erased at run time). */
  @SuppressWarnings("unchecked")
  private static <T> Class<Page<T>> pageOf(Class<T> item) {
    return (Class<Page<T>>) (Class<?>) Page.class;
  }

  private static <Q> BusAddress<Q, Void> event(String name, Class<Q> body, String description) {
    return new BusAddress<>(name, Kind.EVENT, body, Void.class, 0, description);
  }
}
