package org.orchestrator.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.FailureCode;
import org.orchestrator.contracts.jobs.JobMessages.LogLine;
import org.orchestrator.jobs.RobotLogRepository.Appended;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.orchestrator.dbadmin.Migrations;
import org.orchestrator.platform.database.Pools;
import org.orchestrator.dbadmin.testing.TestDatabase;

/**
 * Many uploads at once are written in groups, each keeping its own rules: all lines or none, a
 * batch id stored once per robot (a resend, in the same group or later, gets the first answer), a
 * line naming another robot's job refuses its own upload only.
 */
class LogGroupCommitTest {

  private static Vertx vertx;
  private static Pool pool;
  private static long jobOfRobot1;
  private static long jobOfRobot2;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    DatabaseEndpoint endpoint = TestDatabase.newSchema("log_groups");
    Migrations.apply(endpoint, List.of("jobs"));
    pool = Pools.create(vertx, endpoint, 4);
    jobOfRobot1 = job(1);
    jobOfRobot2 = job(2);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static long job(long robot) throws Exception {
    return pool.preparedQuery("INSERT INTO jobs (tenant_id, process_name, robot_id, state) VALUES (7, 'p', $1, "
        + "'Running') RETURNING id").execute(Tuple.of(robot)).await(10, TimeUnit.SECONDS).iterator().next().getLong(0);
  }

  private static List<LogLine> lines(long job, int n) {
    List<LogLine> lines = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      lines.add(new LogLine(job, "Info", "line " + i, Instant.now()));
    }
    return lines;
  }

  /**
   * The log writer's connections plan its statement once and keep the plan (decision 124): on the
   * shared pool PostgreSQL plans it anew for every upload written alone (a custom plan, which cost
   * more than running it), whatever the number of executions.
   */
  @Test
  void theLogWritersStatementIsPlannedOnceOnItsOwnConnections() throws Exception {
    // a schema of its own: the other tests count every line stored
    DatabaseEndpoint endpoint = TestDatabase.newSchema("log_plans");
    Migrations.apply(endpoint, List.of("jobs"));
    Pool writer = Pools.genericPlans(vertx, endpoint, 1, JobControlVerticle.LOG_WRITER);
    try {
      long job = writer.query("INSERT INTO jobs (tenant_id, process_name, robot_id, state) VALUES (7, 'p', 1, "
          + "'Running') RETURNING id").execute().await(10, TimeUnit.SECONDS).iterator().next().getLong(0);
      RobotLogRepository logs = new RobotLogRepository(writer);
      for (int i = 0; i < 8; i++) {
        assertEquals(1, logs.append(7, 1, "planned-" + i, lines(job, 1)).await(10, TimeUnit.SECONDS).stored());
      }
      PlannedOnce.assertPlannedOnce(writer, "WITH u AS", 8);
    } finally {
      writer.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void uploadsAtOnceKeepTheirOwnRules() throws Exception {
    LogGroupCommit writer = new LogGroupCommit(new RobotLogRepository(pool));
    Context context = vertx.getOrCreateContext();
    List<Future<Appended>> answers = new ArrayList<>();
    Promise<Void> sent = Promise.promise();
    context.runOnContext(v -> {
      for (int i = 0; i < 100; i++) {
        answers.add(writer.append(7, 1, "b-" + i, lines(jobOfRobot1, 3)));         // 0..99: stored, 3 each
      }
      answers.add(writer.append(7, 1, "b-5", lines(jobOfRobot1, 3)));              // 100: a resend of b-5
      answers.add(writer.append(7, 1, "bad", lines(jobOfRobot2, 2)));              // 101: robot 2's job: refused
      answers.add(writer.append(7, 1, "bad", lines(jobOfRobot2, 2)));              // 102: its resend, refused too
      answers.add(writer.append(7, 2, "b-5", lines(jobOfRobot2, 4)));              // 103: robot 2's own b-5
      answers.add(writer.append(7, 1, null, lines(jobOfRobot1, 5)));               // 104: no id: stored
      sent.complete();
    });
    sent.future().await(10, TimeUnit.SECONDS);
    Future.join(new ArrayList<>(answers)).await(30, TimeUnit.SECONDS);
    for (int i = 0; i < 100; i++) {
      Appended a = answers.get(i).result();
      assertEquals(3, a.stored(), "upload " + i);
    }
    assertEquals(3, answers.get(100).result().stored());
    assertEquals(0, answers.get(101).result().stored());
    assertFalse(answers.get(101).result().replay());
    assertEquals(0, answers.get(102).result().stored());
    assertFalse(answers.get(102).result().replay(), "a refused upload's resend is refused, not replayed");
    assertEquals(4, answers.get(103).result().stored(), "batch ids are per robot");
    assertEquals(5, answers.get(104).result().stored());

    long stored = pool.query("SELECT count(*) FROM robot_logs").execute().await(10, TimeUnit.SECONDS).iterator()
        .next().getLong(0);
    assertEquals(100 * 3 + 4 + 5, stored, "every line once, none of the refused upload");
    long batches = pool.query("SELECT count(*) FROM robot_log_batches WHERE stored > 0").execute()
        .await(10, TimeUnit.SECONDS).iterator().next().getLong(0);
    assertEquals(101, batches);
    assertEquals(0L, pool.query("SELECT count(*) FROM robot_log_batches WHERE batch_id = 'bad'").execute()
        .await(10, TimeUnit.SECONDS).iterator().next().getLong(0), "a refused batch id stays free to resend");

    // later: a resend of an earlier group's upload gets its first answer, stores nothing
    Promise<Appended> later = Promise.promise();
    context.runOnContext(v -> writer.append(7, 1, "b-42", lines(jobOfRobot1, 3)).onComplete(later));
    Appended replay = later.future().await(10, TimeUnit.SECONDS);
    assertTrue(replay.replay());
    assertEquals(3, replay.stored());
  }

  /**
   * An upload written alone (the quiet node's path) keeps the same rules: refused whole for a line
   * naming another robot's job, its batch id left free; the same id then stores a good upload once.
   */
  @Test
  void aLoneUploadKeepsTheRules() throws Exception {
    long job = job(1);
    LogGroupCommit writer = new LogGroupCommit(new RobotLogRepository(pool));
    Appended refused = alone(writer, lines(jobOfRobot2, 2));
    assertEquals(0, refused.stored());
    assertFalse(refused.replay());
    assertEquals(0L, pool.query("SELECT count(*) FROM robot_log_batches WHERE batch_id = 'alone'").execute()
        .await(10, TimeUnit.SECONDS).iterator().next().getLong(0), "a refused batch id stays free to resend");
    Appended stored = alone(writer, lines(job, 2));
    assertEquals(2, stored.stored());
    assertFalse(stored.replay());
    Appended again = alone(writer, lines(job, 2));
    assertTrue(again.replay());
    assertEquals(2, again.stored(), "the resend gets the first answer, stored with the claim");
    assertEquals(2L, pool.query("SELECT count(*) FROM robot_logs WHERE job_id = " + job).execute()
        .await(10, TimeUnit.SECONDS).iterator().next().getLong(0), "stored once");
    // the other test counts every row of these tables
    pool.query("DELETE FROM robot_logs WHERE job_id = " + job).execute().await(10, TimeUnit.SECONDS);
    pool.query("DELETE FROM robot_log_batches WHERE batch_id = 'alone'").execute().await(10, TimeUnit.SECONDS);
  }

  /** One upload of robot 1 under batch id "alone", sent when nothing else is: it is written alone. */
  private Appended alone(LogGroupCommit writer, List<LogLine> lines) throws Exception {
    Promise<Appended> answer = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> writer.append(7, 1, "alone", lines).onComplete(answer));
    return answer.future().await(10, TimeUnit.SECONDS);
  }

  /**
   * A line PostgreSQL cannot store (a NUL in its text; the HTTP layer refuses it first, this is the
   * writer's own guard) fails the group's statement: the group changed nothing, its uploads are
   * written one by one, and only that upload fails.
   */
  @Test
  void anUploadTheDatabaseRefusesFailsAloneAndTheOthersOfItsGroupAreStored() throws Exception {
    long job = job(1);
    LogGroupCommit writer = new LogGroupCommit(new RobotLogRepository(pool));
    List<LogLine> poisoned = List.of(new LogLine(job, "Info", "nul \u0000 inside", Instant.now()));
    List<Future<Appended>> answers = new ArrayList<>();
    Promise<Void> sent = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> {
      for (int i = 0; i < 12; i++) {
        answers.add(writer.append(7, 1, i == 6 ? "poisoned" : "fine-" + i, i == 6 ? poisoned : lines(job, 2)));
      }
      sent.complete();
    });
    sent.future().await(10, TimeUnit.SECONDS);
    Future.join(new ArrayList<>(answers)).otherwiseEmpty().await(30, TimeUnit.SECONDS); // one fails
    for (int i = 0; i < 12; i++) {
      if (i == 6) {
        assertTrue(answers.get(i).failed(), "the poisoned upload fails");
      } else {
        assertEquals(2, answers.get(i).result().stored(), "upload " + i);
        assertFalse(answers.get(i).result().replay());
      }
    }
    assertEquals(22L, pool.query("SELECT count(*) FROM robot_logs WHERE job_id = " + job).execute()
        .await(10, TimeUnit.SECONDS).iterator().next().getLong(0), "every good line once");
    assertEquals(0L, pool.query("SELECT count(*) FROM robot_log_batches WHERE batch_id = 'poisoned'").execute()
        .await(10, TimeUnit.SECONDS).iterator().next().getLong(0), "the failed upload's id stays free");
    // the other test counts every row of these tables
    pool.query("DELETE FROM robot_logs WHERE job_id = " + job).execute().await(10, TimeUnit.SECONDS);
    pool.query("DELETE FROM robot_log_batches WHERE batch_id = 'poisoned' OR batch_id LIKE 'fine-%'").execute()
        .await(10, TimeUnit.SECONDS);
  }

  /**
   * While the database does not answer (here: a lock the writes wait on), uploads wait in the
   * writer up to its bound; the next one is refused at once with UNAVAILABLE (503), and when the
   * database answers again every upload that waited is stored.
   */
  @Test
  void uploadsWaitingForAStalledDatabaseAreBoundedAndStoredWhenItAnswers() throws Exception {
    long job = job(1);
    LogGroupCommit writer = new LogGroupCommit(new RobotLogRepository(pool));
    String message = "x".repeat(1_000);
    List<LogLine> large = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      large.add(new LogLine(job, "Info", message, Instant.now()));
    }
    SqlConnection locker = pool.getConnection().await(10, TimeUnit.SECONDS);
    Transaction stall = locker.begin().await(10, TimeUnit.SECONDS);
    locker.query("LOCK TABLE robot_log_batches IN ACCESS EXCLUSIVE MODE").execute().await(10, TimeUnit.SECONDS);
    List<Future<Appended>> waited = new ArrayList<>();
    Promise<Failure> refused = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> {
      for (int i = 0; i < 100 && !refused.future().isComplete(); i++) {
        Future<Appended> answer = writer.append(7, 1, "stalled-" + i, large);
        if (answer.failed()) {
          refused.complete((Failure) answer.cause());
        } else {
          waited.add(answer);
        }
      }
    });
    Failure failure = refused.future().await(10, TimeUnit.SECONDS);
    assertEquals(FailureCode.UNAVAILABLE, failure.code());
    int held = waited.size();
    assertTrue(held >= 16 && held <= 20, "the bound (16 Mi characters, two groups in flight besides) held " + held);
    assertTrue(waited.stream().noneMatch(Future::isComplete), "nothing answered while the database stalls");
    stall.rollback().await(10, TimeUnit.SECONDS);
    locker.close().await(10, TimeUnit.SECONDS);
    Future.join(new ArrayList<>(waited)).await(60, TimeUnit.SECONDS);
    assertTrue(waited.stream().allMatch(answer -> answer.result().stored() == 1_000));
    assertEquals(held * 1_000L, pool.query("SELECT count(*) FROM robot_logs WHERE job_id = " + job).execute()
        .await(10, TimeUnit.SECONDS).iterator().next().getLong(0), "every waiting upload stored once");
    // the other test counts every row of these tables
    pool.query("DELETE FROM robot_logs WHERE job_id = " + job).execute().await(10, TimeUnit.SECONDS);
    pool.query("DELETE FROM robot_log_batches WHERE batch_id LIKE 'stalled-%'").execute().await(10, TimeUnit.SECONDS);
  }

  /** Two groups are written at once: an upload and its resend in the two of them are stored once. */
  @Test
  void aResendInTheOtherGroupInFlightIsStoredOnce() throws Exception {
    long job = job(1);
    LogGroupCommit writer = new LogGroupCommit(new RobotLogRepository(pool));
    Context context = vertx.getOrCreateContext();
    List<Future<Appended>> answers = new ArrayList<>();
    Promise<Void> sent = Promise.promise();
    context.runOnContext(v -> {
      // each goes out alone at once: the first group, then the second while the first is in flight
      answers.add(writer.append(7, 1, "twice", lines(job, 7)));
      answers.add(writer.append(7, 1, "twice", lines(job, 7)));
      sent.complete();
    });
    sent.future().await(10, TimeUnit.SECONDS);
    Future.join(new ArrayList<>(answers)).await(30, TimeUnit.SECONDS);
    assertEquals(7, answers.get(0).result().stored());
    assertEquals(7, answers.get(1).result().stored());
    assertEquals(1, answers.stream().filter(a -> a.result().replay()).count(), "one of them is the replay");
    assertEquals(7L, pool.query("SELECT count(*) FROM robot_logs WHERE job_id = " + job).execute()
        .await(10, TimeUnit.SECONDS).iterator().next().getLong(0), "stored once");
    // the other test counts every row of these tables
    pool.query("DELETE FROM robot_logs WHERE job_id = " + job).execute().await(10, TimeUnit.SECONDS);
    pool.query("DELETE FROM robot_log_batches WHERE batch_id = 'twice'").execute().await(10, TimeUnit.SECONDS);
  }
}
