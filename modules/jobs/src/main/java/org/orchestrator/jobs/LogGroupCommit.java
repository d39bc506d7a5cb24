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

  /**
   * The whole group in one transaction: check ownership, claim the batch ids of the acceptable
   * uploads with the count each stores, insert their lines, and look up what the resends were
   * answered. An upload refused for a line naming another robot's job claims no batch id, so that
   * id stays free to resend (checked first, so that no claim is written and then undone).
   */
  private Future<Map<Upload, Appended>> write(SqlClient tx, List<Upload> group) {
    // within a group, a batch id sent twice by one robot is the first upload's resend
    Map<String, Upload> firstOf = new HashMap<>();
    List<Upload> candidates = new ArrayList<>();
    for (Upload upload : group) {
      if (upload.batchId() == null || firstOf.putIfAbsent(key(upload), upload) == null) {
        candidates.add(upload);
      }
    }
    return refused(tx, candidates).compose(bad -> {
      List<Upload> claiming = new ArrayList<>();
      for (int i = 0; i < candidates.size(); i++) {
        if (candidates.get(i).batchId() != null && !bad.contains(i)) {
          claiming.add(candidates.get(i));
        }
      }
      Future<Set<String>> claimed = claiming.isEmpty() ? Future.succeededFuture(Set.of())
          : tx.preparedQuery("""
                  INSERT INTO robot_log_batches (robot_id, batch_id, tenant_id, stored)
                  SELECT r, b, t, n FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::int[]) AS x(r, b, t, n)
                  ON CONFLICT (robot_id, batch_id) DO NOTHING RETURNING robot_id, batch_id""")
              .execute(Tuple.tuple().addArrayOfLong(claiming.stream().map(Upload::robotId).toArray(Long[]::new))
                  .addArrayOfString(claiming.stream().map(Upload::batchId).toArray(String[]::new))
                  .addArrayOfLong(claiming.stream().map(Upload::tenantId).toArray(Long[]::new))
                  .addArrayOfInteger(claiming.stream().map(upload -> upload.lines().size()).toArray(Integer[]::new)))
              .map(rows -> {
                Set<String> keys = new HashSet<>();
                rows.forEach(row -> keys.add(key(row.getLong(0), row.getString(1))));
                return keys;
              });
      return claimed.compose(keys -> {
        // to write: the acceptable uploads without an id, and those whose id this group claimed
        List<Upload> fresh = new ArrayList<>();
        Set<Upload> refused = new HashSet<>();
        Map<Upload, Appended> answers = new HashMap<>();
        for (int i = 0; i < candidates.size(); i++) {
          Upload upload = candidates.get(i);
          if (bad.contains(i)) {
            refused.add(upload);
          }
          if (!bad.contains(i) && (upload.batchId() == null || keys.contains(key(upload)))) {
            fresh.add(upload);
            answers.put(upload, new Appended(upload.lines().size(), false));
          } else if (upload.batchId() == null) {
            answers.put(upload, new Appended(0, false)); // refused, and nothing to replay
          }
        }
        return insert(tx, fresh).compose(ok -> replays(tx, group, answers, refused, firstOf));
      });
    });
  }

  private static String key(Upload upload) {
    return key(upload.robotId(), upload.batchId());
  }

  /** A batch id is a robot's own: the key of an upload and of a stored batch row alike. */
  private static String key(long robotId, String batchId) {
    return robotId + "\n" + batchId;
  }

  /** The uploads (by index in {@code candidates}) with a line naming a job that is not their robot's. */
  private static Future<Set<Integer>> refused(SqlClient tx, List<Upload> candidates) {
    List<Integer> index = new ArrayList<>();
    List<Long> tenants = new ArrayList<>();
    List<Long> robots = new ArrayList<>();
    List<Long> jobs = new ArrayList<>();
    for (int i = 0; i < candidates.size(); i++) {
      Upload upload = candidates.get(i);
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

  private static Future<Void> insert(SqlClient tx, List<Upload> fresh) {
    List<Long> tenants = new ArrayList<>();
    List<Long> robots = new ArrayList<>();
    List<Long> jobs = new ArrayList<>();
    List<String> levels = new ArrayList<>();
    List<String> messages = new ArrayList<>();
    List<OffsetDateTime> stamps = new ArrayList<>();
    for (Upload upload : fresh) {
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

  /**
   * Everyone's answer: the written ones have theirs in {@code answers}; an upload whose batch id was
   * stored before (by an earlier group, or one in flight beside this one) gets that first count as
   * a replay, and a refused one whose id was never stored its refusal; a resend within this group
   * gets its first upload's answer.
   */
  private static Future<Map<Upload, Appended>> replays(SqlClient tx, List<Upload> group, Map<Upload, Appended> answers,
      Set<Upload> refused, Map<String, Upload> firstOf) {
    List<Upload> looked = group.stream().filter(upload -> !answers.containsKey(upload) && firstOf.get(key(upload)) == upload)
        .toList();
    Future<Map<String, Integer>> stored = looked.isEmpty() ? Future.succeededFuture(Map.of())
        : tx.preparedQuery("""
                SELECT b.robot_id, b.batch_id, b.stored FROM robot_log_batches b
                JOIN unnest($1::bigint[], $2::text[]) AS x(r, id) ON b.robot_id = x.r AND b.batch_id = x.id""")
            .execute(Tuple.tuple().addArrayOfLong(looked.stream().map(Upload::robotId).toArray(Long[]::new))
                .addArrayOfString(looked.stream().map(Upload::batchId).toArray(String[]::new)))
            .map(rows -> {
              Map<String, Integer> counts = new HashMap<>();
              for (Row row : rows) {
                counts.put(key(row.getLong(0), row.getString(1)), row.getInteger(2));
              }
              return counts;
            });
    return stored.map(counts -> {
      for (Upload upload : looked) {
        Integer count = counts.get(key(upload));
        answers.put(upload, count != null ? new Appended(count, true)
            : new Appended(0, !refused.contains(upload))); // a claim refused for a row that is gone again: a replay
      }
      for (Upload upload : group) {
        if (!answers.containsKey(upload)) {
          // a resend of an upload of this group: its first answer (a refused one is refused again)
          Appended first = answers.get(firstOf.get(key(upload)));
          answers.put(upload, new Appended(first.stored(), first.stored() > 0));
        }
      }
      return answers;
    });
  }
}
