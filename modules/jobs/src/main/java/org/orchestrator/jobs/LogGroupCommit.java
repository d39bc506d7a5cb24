package org.orchestrator.jobs;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.orchestrator.contracts.jobs.JobMessages.LogLine;
import org.orchestrator.jobs.RobotLogRepository.Appended;
import org.orchestrator.platform.database.Timestamps;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit of robot log uploads: while one group is being written, the uploads that arrive
 * wait and are written together as the next group, in one transaction (one WAL flush for all of
 * them instead of one each). At low load a group is one upload and nothing waits. Every upload
 * keeps its own rules: all its lines or none (a line naming a job that is not the robot's stores
 * none of them), and a batch id stored once per robot whose resend gets the first answer. Each
 * upload is answered only after its group committed; when a group fails, its uploads are written
 * one by one, so one upload's failure never fails another's.
 */
final class LogGroupCommit {

  private static final Logger LOG = LoggerFactory.getLogger(LogGroupCommit.class);
  /** Lines in one group at most (the uploads that do not fit wait for the next one). */
  static final int MAX_GROUP_LINES = 5_000;

  /**
   * One upload waiting for its group. Compared by identity (two uploads of equal lines are two
   * uploads), which also keeps map lookups from hashing every line of it.
   */
  private record Upload(long tenantId, long robotId, String batchId, List<LogLine> lines, Promise<Appended> answer) {

    @Override
    public boolean equals(Object other) {
      return this == other;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(this);
    }
  }

  private final Pool pool;
  private final RobotLogRepository single;
  /**
   * Groups written at once: two, so that PostgreSQL inserts on two backends (one group's lines are
   * written by one) while the next group gathers; each group is still one transaction.
   */
  static final int GROUPS_IN_FLIGHT = 2;

  private final List<Upload> waiting = new ArrayList<>();
  private int writing;

  LogGroupCommit(Pool pool, RobotLogRepository single) {
    this.pool = pool;
    this.single = single;
  }

  /** Called on the jobs verticle's event loop only. */
  Future<Appended> append(long tenantId, long robotId, String batchId, List<LogLine> lines) {
    Promise<Appended> answer = Promise.promise();
    waiting.add(new Upload(tenantId, robotId, batchId, lines, answer));
    if (writing < GROUPS_IN_FLIGHT) {
      writeNext();
    }
    return answer.future();
  }

  private void writeNext() {
    if (waiting.isEmpty()) {
      return;
    }
    writing++;
    List<Upload> group = new ArrayList<>();
    int lines = 0;
    while (!waiting.isEmpty() && (group.isEmpty() || lines + waiting.get(0).lines().size() <= MAX_GROUP_LINES)) {
      Upload next = waiting.remove(0);
      group.add(next);
      lines += next.lines().size();
    }
    Future<Map<Upload, Appended>> written = group.size() == 1 ? one(group.get(0)).map(a -> Map.of(group.get(0), a))
        : pool.withTransaction(tx -> write(tx, group));
    written.onComplete(done -> {
      if (done.succeeded()) {
        group.forEach(upload -> upload.answer().complete(done.result().get(upload)));
      } else {
        LOG.debug("a group of {} log uploads failed ({}); writing them one by one", group.size(),
            done.cause().getMessage());
        group.forEach(upload -> one(upload).onComplete(upload.answer()));
      }
      writing--;
      writeNext();
    });
  }

  private Future<Appended> one(Upload upload) {
    return single.append(upload.tenantId(), upload.robotId(), upload.batchId(), upload.lines());
  }

  /** The whole group in one transaction: claim batch ids, check ownership, insert, record counts. */
  private Future<Map<Upload, Appended>> write(SqlClient tx, List<Upload> group) {
    // within a group, a batch id sent twice by one robot is the first upload's resend
    Map<String, Upload> firstOf = new HashMap<>();
    List<Upload> withId = new ArrayList<>();
    for (Upload upload : group) {
      if (upload.batchId() != null && firstOf.putIfAbsent(upload.robotId() + "\n" + upload.batchId(), upload) == null) {
        withId.add(upload);
      }
    }
    Long[] robots = withId.stream().map(Upload::robotId).toArray(Long[]::new);
    String[] batches = withId.stream().map(Upload::batchId).toArray(String[]::new);
    Long[] tenants = withId.stream().map(Upload::tenantId).toArray(Long[]::new);
    Future<Set<String>> claimed = withId.isEmpty() ? Future.succeededFuture(Set.of())
        : tx.preparedQuery("""
                INSERT INTO robot_log_batches (robot_id, batch_id, tenant_id, stored)
                SELECT r, b, t, 0 FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS x(r, b, t)
                ON CONFLICT (robot_id, batch_id) DO NOTHING RETURNING robot_id, batch_id""")
            .execute(Tuple.tuple().addArrayOfLong(robots).addArrayOfString(batches).addArrayOfLong(tenants))
            .map(rows -> {
              Set<String> keys = new HashSet<>();
              rows.forEach(row -> keys.add(row.getLong(0) + "\n" + row.getString(1)));
              return keys;
            });
    return claimed.compose(keys -> {
      // to write: uploads without an id, and those whose id this group claimed
      List<Upload> fresh = new ArrayList<>();
      for (Upload upload : group) {
        String key = upload.robotId() + "\n" + upload.batchId();
        if (upload.batchId() == null || keys.contains(key) && firstOf.get(key) == upload) {
          fresh.add(upload);
        }
      }
      return refused(tx, fresh).compose(bad -> insert(tx, fresh, bad)
          .compose(ok -> record(tx, fresh, bad))
          .compose(ok -> replays(tx, group, fresh, bad, firstOf)));
    });
  }

  /** The uploads (by index in {@code fresh}) with a line naming a job that is not their robot's. */
  private static Future<Set<Integer>> refused(SqlClient tx, List<Upload> fresh) {
    List<Integer> index = new ArrayList<>();
    List<Long> tenants = new ArrayList<>();
    List<Long> robots = new ArrayList<>();
    List<Long> jobs = new ArrayList<>();
    for (int i = 0; i < fresh.size(); i++) {
      Upload upload = fresh.get(i);
      for (Long job : RobotLogRepository.jobIds(upload.lines())) {
        index.add(i);
        tenants.add(upload.tenantId());
        robots.add(upload.robotId());
        jobs.add(job);
      }
    }
    if (index.isEmpty()) {
      return Future.succeededFuture(Set.of());
    }
    return tx.preparedQuery("""
            SELECT DISTINCT l.a FROM unnest($1::int[], $2::bigint[], $3::bigint[], $4::bigint[]) AS l(a, t, r, j)
            WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE jobs.id = l.j AND jobs.tenant_id = l.t AND jobs.robot_id = l.r)""")
        .execute(Tuple.tuple().addArrayOfInteger(index.toArray(Integer[]::new))
            .addArrayOfLong(tenants.toArray(Long[]::new)).addArrayOfLong(robots.toArray(Long[]::new))
            .addArrayOfLong(jobs.toArray(Long[]::new)))
        .map(rows -> {
          Set<Integer> bad = new HashSet<>();
          rows.forEach(row -> bad.add(row.getInteger(0)));
          return bad;
        });
  }

  private static Future<Void> insert(SqlClient tx, List<Upload> fresh, Set<Integer> bad) {
    List<Long> tenants = new ArrayList<>();
    List<Long> robots = new ArrayList<>();
    List<Long> jobs = new ArrayList<>();
    List<String> levels = new ArrayList<>();
    List<String> messages = new ArrayList<>();
    List<OffsetDateTime> stamps = new ArrayList<>();
    for (int i = 0; i < fresh.size(); i++) {
      if (bad.contains(i)) {
        continue;
      }
      Upload upload = fresh.get(i);
      for (LogLine line : upload.lines()) {
        tenants.add(upload.tenantId());
        robots.add(upload.robotId());
        jobs.add(line.jobId());
        levels.add(line.level());
        messages.add(line.message());
        stamps.add(Timestamps.utc(line.timeStamp()));
      }
    }
    if (tenants.isEmpty()) {
      return Future.succeededFuture();
    }
    return tx.preparedQuery("""
            INSERT INTO robot_logs (tenant_id, robot_id, job_id, level, message, time_stamp)
            SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::timestamptz[])""")
        .execute(Tuple.tuple().addArrayOfLong(tenants.toArray(Long[]::new)).addArrayOfLong(robots.toArray(Long[]::new))
            .addArrayOfLong(jobs.toArray(Long[]::new)).addArrayOfString(levels.toArray(String[]::new))
            .addArrayOfString(messages.toArray(String[]::new))
            .addArrayOfOffsetDateTime(stamps.toArray(OffsetDateTime[]::new)))
        .mapEmpty();
  }

  /** The claimed batch ids get their counts; those of refused uploads are forgotten (resendable). */
  private static Future<Void> record(SqlClient tx, List<Upload> fresh, Set<Integer> bad) {
    List<Long> robots = new ArrayList<>();
    List<String> batches = new ArrayList<>();
    List<Integer> stored = new ArrayList<>();
    for (int i = 0; i < fresh.size(); i++) {
      Upload upload = fresh.get(i);
      if (upload.batchId() != null) {
        robots.add(upload.robotId());
        batches.add(upload.batchId());
        stored.add(bad.contains(i) ? 0 : upload.lines().size());
      }
    }
    if (robots.isEmpty()) {
      return Future.succeededFuture();
    }
    Tuple arrays = Tuple.tuple().addArrayOfLong(robots.toArray(Long[]::new))
        .addArrayOfString(batches.toArray(String[]::new)).addArrayOfInteger(stored.toArray(Integer[]::new));
    return tx.preparedQuery("""
            UPDATE robot_log_batches b SET stored = x.n FROM unnest($1::bigint[], $2::text[], $3::int[]) AS x(r, id, n)
            WHERE b.robot_id = x.r AND b.batch_id = x.id AND x.n > 0""").execute(arrays)
        .compose(ok -> tx.preparedQuery("""
            DELETE FROM robot_log_batches b USING unnest($1::bigint[], $2::text[], $3::int[]) AS x(r, id, n)
            WHERE b.robot_id = x.r AND b.batch_id = x.id AND x.n = 0""").execute(arrays))
        .mapEmpty();
  }

  /** Everyone's answer: written ones their count; resends (in this group or of earlier ones) the first count. */
  private static Future<Map<Upload, Appended>> replays(SqlClient tx, List<Upload> group, List<Upload> fresh,
      Set<Integer> bad, Map<String, Upload> firstOf) {
    Map<Upload, Appended> answers = new HashMap<>();
    for (int i = 0; i < fresh.size(); i++) {
      answers.put(fresh.get(i), new Appended(bad.contains(i) ? 0 : fresh.get(i).lines().size(), false));
    }
    List<Upload> resends = group.stream().filter(upload -> !answers.containsKey(upload)).toList();
    if (resends.isEmpty()) {
      return Future.succeededFuture(answers);
    }
    Long[] robots = resends.stream().map(Upload::robotId).toArray(Long[]::new);
    String[] batches = resends.stream().map(Upload::batchId).toArray(String[]::new);
    return tx.preparedQuery("""
            SELECT b.robot_id, b.batch_id, b.stored FROM robot_log_batches b
            JOIN unnest($1::bigint[], $2::text[]) AS x(r, id) ON b.robot_id = x.r AND b.batch_id = x.id""")
        .execute(Tuple.tuple().addArrayOfLong(robots).addArrayOfString(batches))
        .map(rows -> {
          Map<String, Integer> stored = new HashMap<>();
          for (Row row : rows) {
            stored.put(row.getLong(0) + "\n" + row.getString(1), row.getInteger(2));
          }
          for (Upload upload : resends) {
            String key = upload.robotId() + "\n" + upload.batchId();
            Upload first = firstOf.get(key);
            Appended firstAnswer = first == null ? null : answers.get(first);
            if (firstAnswer != null) {
              // a resend of an upload refused in this group is refused the same way (not a replay)
              answers.put(upload, new Appended(firstAnswer.stored(), firstAnswer.stored() > 0));
            } else {
              answers.put(upload, new Appended(stored.getOrDefault(key, 0), true));
            }
          }
          return answers;
        });
  }
}
