package org.orchestrator.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.orchestrator.dbadmin.Migrations;
import org.orchestrator.dbadmin.testing.TestDatabase;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.orchestrator.platform.database.Pools;

/**
 * Heartbeats at once are written in groups: every one is answered once its robot's presence is
 * stored, a robot heard many times in one group is one row, and a later group moves the time on.
 */
@Timeout(60)
class PresenceWriterTest {

  private static Vertx vertx;
  private static Pool pool;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    DatabaseEndpoint endpoint = TestDatabase.newSchema("presence_groups");
    Migrations.apply(endpoint, List.of("jobs"));
    pool = Pools.create(vertx, endpoint, 2);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void heartbeatsAtOnceAreAnsweredOnceStoredAndEachRobotIsOneRow() throws Exception {
    PresenceWriter writer = new PresenceWriter(pool);
    Context context = vertx.getOrCreateContext();
    List<Future<Void>> answers = new ArrayList<>();
    Promise<Void> sent = Promise.promise();
    context.runOnContext(v -> {
      for (int i = 0; i < 500; i++) {
        // 50 robots of two tenants, each heard 10 times, in an order that is not theirs
        long robot = 1 + (i * 7) % 50;
        answers.add(writer.heard(robot % 2 == 0 ? 20 : 10, robot).compose(ok -> stored(robot)));
      }
      sent.complete();
    });
    sent.future().await(10, TimeUnit.SECONDS);
    Future.all(new ArrayList<>(answers)).await(30, TimeUnit.SECONDS);
    List<Row> rows = new ArrayList<>();
    pool.query("SELECT robot_id, tenant_id, last_heartbeat_at FROM robot_presence ORDER BY robot_id").execute()
        .await(10, TimeUnit.SECONDS).forEach(rows::add);
    assertEquals(50, rows.size(), "one row per robot");
    for (Row row : rows) {
      assertEquals(row.getLong("robot_id") % 2 == 0 ? 20L : 10L, row.getLong("tenant_id"));
    }

    // heard again later: its time moves on, the others' stay
    OffsetDateTime before = rows.get(0).getOffsetDateTime("last_heartbeat_at");
    OffsetDateTime other = rows.get(1).getOffsetDateTime("last_heartbeat_at");
    Promise<Void> again = Promise.promise();
    context.runOnContext(v -> writer.heard(10, 1).onComplete(again));
    again.future().await(10, TimeUnit.SECONDS);
    OffsetDateTime after = timeOf(1);
    assertTrue(after.isAfter(before), before + " -> " + after);
    assertEquals(other, timeOf(2));
  }

  @Test
  void aFailedGroupFailsEachOfItsHeartbeatsAndTheNextGroupIsWritten() throws Exception {
    DatabaseEndpoint empty = TestDatabase.newSchema("presence_missing");
    Pool bare = Pools.create(vertx, empty, 2);
    try {
      PresenceWriter writer = new PresenceWriter(bare);
      Context context = vertx.getOrCreateContext();
      List<Future<Void>> answers = new ArrayList<>();
      Promise<Void> sent = Promise.promise();
      context.runOnContext(v -> {
        for (int i = 0; i < 20; i++) {
          answers.add(writer.heard(1, i + 1)); // no robot_presence table yet: every write fails
        }
        sent.complete();
      });
      sent.future().await(10, TimeUnit.SECONDS);
      Future.join(new ArrayList<>(answers)).otherwiseEmpty().await(30, TimeUnit.SECONDS);
      assertTrue(answers.stream().allMatch(Future::failed), "a heartbeat whose presence was not stored fails");

      Migrations.apply(empty, List.of("jobs"));
      Promise<Void> later = Promise.promise();
      context.runOnContext(v -> writer.heard(1, 7).onComplete(later));
      later.future().await(10, TimeUnit.SECONDS);
      assertEquals(1L, bare.query("SELECT count(*) FROM robot_presence").execute().await(10, TimeUnit.SECONDS)
          .iterator().next().getLong(0));
    } finally {
      bare.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** Fails unless the robot's presence is stored (asked once its heartbeat was answered). */
  private static Future<Void> stored(long robot) {
    return pool.preparedQuery("SELECT count(*) FROM robot_presence WHERE robot_id = $1")
        .execute(io.vertx.sqlclient.Tuple.of(robot))
        .map(rows -> {
          if (rows.iterator().next().getLong(0) != 1L) {
            throw new AssertionError("robot " + robot + " answered before its presence was stored");
          }
          return null;
        });
  }

  private static OffsetDateTime timeOf(long robot) throws Exception {
    return pool.preparedQuery("SELECT last_heartbeat_at FROM robot_presence WHERE robot_id = $1")
        .execute(io.vertx.sqlclient.Tuple.of(robot)).await(10, TimeUnit.SECONDS).iterator().next()
        .getOffsetDateTime(0);
  }
}
