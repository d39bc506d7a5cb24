package org.orchestrator.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.FailureCode;
import org.orchestrator.contracts.jobs.JobMessages.QueueItem;
import org.orchestrator.dbadmin.Migrations;
import org.orchestrator.dbadmin.testing.TestDatabase;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.orchestrator.platform.database.GroupCommit;
import org.orchestrator.platform.database.Pools;

/**
 * Queue writes sent at once are committed in groups and each keeps its own answer: adds stored
 * once per reference (a resend gets the same id, another payload under it is CONFLICT and fails
 * no one else), takes that never hand one item twice, results only by the taker. A write whose SQL
 * fails rolls its group back and the others are written alone.
 */
class QueueGroupCommitTest {

  private static final int ROBOTS = 100;
  private static Vertx vertx;
  private static Pool pool;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    DatabaseEndpoint endpoint = TestDatabase.newSchema("queue_groups");
    Migrations.apply(endpoint, List.of("jobs"));
    pool = Pools.create(vertx, endpoint, 4);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** Runs {@code sends} on one event loop, as the jobs verticle does, and waits for every answer. */
  private static <T> List<Future<T>> atOnce(Supplier<List<Future<T>>> sends) throws Exception {
    Context context = vertx.getOrCreateContext();
    Promise<List<Future<T>>> sent = Promise.promise();
    context.runOnContext(v -> sent.complete(sends.get()));
    List<Future<T>> answers = sent.future().await(10, TimeUnit.SECONDS);
    Future.join(new ArrayList<>(answers)).otherwiseEmpty().await(30, TimeUnit.SECONDS);
    return answers;
  }

  private static long count(String sql, Object... params) throws Exception {
    return pool.preparedQuery(sql).execute(Tuple.from(params)).await(10, TimeUnit.SECONDS).iterator().next()
        .getLong(0);
  }

  @Test
  void addsTakesAndResultsAtOnceKeepTheirOwnAnswers() throws Exception {
    QueueItemRepository queue = new QueueItemRepository(pool);
    List<Future<Long>> added = atOnce(() -> {
      List<Future<Long>> answers = new ArrayList<>();
      for (int i = 0; i < ROBOTS; i++) {
        answers.add(queue.insert(1, i, "q", "r-" + i, new JsonObject().put("n", i)));
      }
      answers.add(queue.insert(1, 5, "q", "r-5", new JsonObject().put("n", 5)));          // a resend
      answers.add(queue.insert(1, 5, "q", "r-5", new JsonObject().put("n", -5)));         // another payload
      answers.add(queue.insert(1, 6, "q", null, new JsonObject().put("n", 6)));           // no reference
      return answers;
    });
    for (int i = 0; i < ROBOTS; i++) {
      assertTrue(added.get(i).succeeded(), "add " + i + ": " + added.get(i).cause());
    }
    assertEquals(added.get(5).result(), added.get(ROBOTS).result(), "a resend gets the first add's id");
    assertEquals(FailureCode.CONFLICT, ((Failure) added.get(ROBOTS + 1).cause()).code());
    assertTrue(added.get(ROBOTS + 2).succeeded());
    assertEquals(ROBOTS + 1, count("SELECT count(*) FROM queue_items WHERE tenant_id = 1"));

    // every robot takes one at once, and one more than there are items: none twice, the last none
    List<Future<QueueItem>> taken = atOnce(() -> {
      List<Future<QueueItem>> answers = new ArrayList<>();
      for (int robot = 0; robot < ROBOTS + 2; robot++) {
        answers.add(queue.takeNext(1, "q", robot));
      }
      return answers;
    });
    Set<Long> ids = new HashSet<>();
    int none = 0;
    for (Future<QueueItem> take : taken) {
      assertTrue(take.succeeded(), String.valueOf(take.cause()));
      if (take.result() == null) {
        none++;
      } else {
        assertTrue(ids.add(take.result().id()), "item " + take.result().id() + " handed out twice");
      }
    }
    assertEquals(ROBOTS + 1, ids.size());
    assertEquals(1, none);

    // each taker finishes its item, and one taker also tries another's: refused, the others stored
    // (which taker got none is not fixed: two groups are in flight, and a take skips the items the
    // other group holds)
    List<Integer> takers = new ArrayList<>();
    for (int robot = 0; robot < ROBOTS + 2; robot++) {
      if (taken.get(robot).result() != null) {
        takers.add(robot);
      }
    }
    List<Future<QueueItem>> finished = atOnce(() -> {
      List<Future<QueueItem>> answers = new ArrayList<>();
      for (int robot : takers) {
        answers.add(queue.finish(1, taken.get(robot).result().id(), robot, "Successful", new JsonObject()));
      }
      answers.add(queue.finish(1, taken.get(takers.get(1)).result().id(), takers.get(0), "Failed", new JsonObject()));
      return answers;
    });
    for (int i = 0; i < takers.size(); i++) {
      assertTrue(finished.get(i).succeeded(), "finish " + takers.get(i) + ": " + finished.get(i).cause());
    }
    assertEquals(FailureCode.CONFLICT, ((Failure) finished.get(takers.size()).cause()).code());
    assertEquals(ROBOTS + 1, count("SELECT count(*) FROM queue_items WHERE tenant_id = 1 AND status = 'Successful'"));
  }

  @Test
  void aWriteWhoseSqlFailsRollsItsGroupBackAndTheOthersAreWrittenAlone() throws Exception {
    pool.query("CREATE TABLE group_probe (n int PRIMARY KEY)").execute().await(10, TimeUnit.SECONDS);
    GroupCommit writes = new GroupCommit(pool);
    // 40 at once: the first two run alone (two groups in flight), the other 38 wait and share one
    List<Future<Integer>> first = atOnce(() -> probes(writes, 0, 40));
    first.forEach(answer -> assertTrue(answer.succeeded(), String.valueOf(answer.cause())));
    assertTrue(writes.grouping()[0] >= 1 && writes.grouping()[1] >= 30,
        "writes sent at once share a transaction: " + java.util.Arrays.toString(writes.grouping()));

    long[] before = writes.grouping();
    List<Future<Integer>> second = atOnce(() -> {
      List<Future<Integer>> sent = probes(writes, 100, 40);
      // a key written above: the primary key refuses it, an SQL error that aborts its group
      sent.add(writes.submit(client -> client.preparedQuery("INSERT INTO group_probe VALUES (7)").execute()
          .map(rows -> rows.rowCount())));
      return sent;
    });
    for (int i = 0; i < 40; i++) {
      assertTrue(second.get(i).succeeded(), "write " + i + ": " + second.get(i).cause());
    }
    assertInstanceOf(io.vertx.pgclient.PgException.class, second.get(40).cause());
    assertEquals(80, count("SELECT count(*) FROM group_probe"));
    assertEquals(before[0], writes.grouping()[0], "the group with the failed write was rolled back, not committed");
  }

  private static List<Future<Integer>> probes(GroupCommit writes, int from, int n) {
    List<Future<Integer>> sent = new ArrayList<>();
    for (int i = from; i < from + n; i++) {
      int key = i;
      sent.add(writes.submit(client -> client.preparedQuery("INSERT INTO group_probe VALUES ($1)")
          .execute(Tuple.of(key)).map(rows -> rows.rowCount())));
    }
    return sent;
  }

  @Test
  void aWriteAloneRunsAsWithoutAGroup() throws Exception {
    QueueItemRepository queue = new QueueItemRepository(pool);
    List<Future<QueueItem>> taken = atOnce(() -> List.of(queue.takeNext(2, "empty", 1)));
    assertNull(taken.get(0).result());
  }
}
