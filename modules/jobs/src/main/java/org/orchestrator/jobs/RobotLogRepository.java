package org.orchestrator.jobs;

import org.orchestrator.contracts.Page;
import org.orchestrator.contracts.PageRequest;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.orchestrator.platform.database.Timestamps;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.orchestrator.contracts.jobs.JobMessages.LogLine;
import org.orchestrator.contracts.jobs.JobMessages.StoredLog;

/** Robot log lines: appended in one set-based statement per group of uploads, read a page at a time. */
final class RobotLogRepository {

  private final Pool pool;

  RobotLogRepository(Pool pool) {
    this.pool = pool;
  }

  /** Ids among {@code jobIds} that are not jobs of this robot in this tenant. */
  Future<Set<Long>> foreignJobs(long tenantId, long robotId, Set<Long> jobIds) {
    Long[] ids = jobIds.toArray(Long[]::new);
    return pool.preparedQuery("SELECT id FROM jobs WHERE id = ANY($1) AND tenant_id = $2 AND robot_id = $3")
        .execute(Tuple.tuple().addArrayOfLong(ids).addLong(tenantId).addLong(robotId))
        .map(rows -> {
          Set<Long> missing = new TreeSet<>(jobIds);
          rows.forEach(row -> missing.remove(row.getLong(0)));
          return missing;
        });
  }

  /** What an upload did: lines stored, or ({@code replay}) the answer of the first upload of its batch id. */
  record Appended(int stored, boolean replay) {
  }

  /** One robot's upload: all its lines or none, and the batch id (or null) it may be resent under. */
  record Upload(long tenantId, long robotId, String batchId, List<LogLine> lines) {
  }

  /**
   * Stores every line of the batch, all or none: when any line names a job that is not this
   * robot's (in this tenant), nothing is inserted and 0 is returned. With a {@code batchId} the
   * batch is recorded in the same statement; the same robot sending the same id again stores
   * nothing and gets the first count back ({@code replay}).
   */
  Future<Appended> append(long tenantId, long robotId, String batchId, List<LogLine> lines) {
    return appendAll(List.of(new Upload(tenantId, robotId, batchId, lines))).compose(answers -> answers.get(0));
  }

  /**
   * Uploads of many robots in one statement, each keeping the rules of {@link #append} (its answer
   * at its index): the ownership check, the claim of the batch ids with the count each stores, the
   * lines and the answers are one round trip (decision 122). An upload refused for a line naming
   * another robot's job claims no batch id, so that id stays free to resend; within the list, a
   * batch id sent twice by one robot is the first upload's resend and gets its answer. Two
   * concurrent statements claiming one batch id meet on the primary key: the second waits for the
   * first to commit, then replays its answer (looked up in a second statement, the only case that
   * takes one: this statement's snapshot is older than that commit).
   *
   * <p>The outer future fails only when the statement did, which then wrote nothing (or, the
   * connection lost, what it did is not known). Once it committed, every upload has its own answer:
   * an answer that needed the second statement fails alone when that statement does (the upload's
   * lines were not written, its id was stored by another: its robot resends and gets the replay).
   */
  Future<List<Future<Appended>>> appendAll(List<Upload> uploads) {
    Map<String, Integer> firstOf = new HashMap<>();
    List<Integer> candidates = new ArrayList<>();
    for (int i = 0; i < uploads.size(); i++) {
      Upload upload = uploads.get(i);
      if (upload.batchId() == null || firstOf.putIfAbsent(key(upload.robotId(), upload.batchId()), i) == null) {
        candidates.add(i);
      }
    }
    int lineCount = 0;
    for (int i : candidates) {
      lineCount += uploads.get(i).lines().size();
    }
    Integer[] index = new Integer[candidates.size()];
    Long[] tenants = new Long[index.length];
    Long[] robots = new Long[index.length];
    String[] batches = new String[index.length];
    Integer[] counts = new Integer[index.length];
    Integer[] lineOf = new Integer[lineCount];
    Long[] jobs = new Long[lineCount];
    String[] levels = new String[lineCount];
    String[] messages = new String[lineCount];
    OffsetDateTime[] stamps = new OffsetDateTime[lineCount];
    int n = 0;
    for (int c = 0; c < index.length; c++) {
      Upload upload = uploads.get(candidates.get(c));
      index[c] = candidates.get(c);
      tenants[c] = upload.tenantId();
      robots[c] = upload.robotId();
      batches[c] = upload.batchId();
      counts[c] = upload.lines().size();
      for (LogLine line : upload.lines()) {
        lineOf[n] = index[c];
        jobs[n] = line.jobId();
        levels[n] = line.level();
        messages[n] = line.message();
        stamps[n] = Timestamps.utc(line.timeStamp());
        n++;
      }
    }
    Appended[] answers = new Appended[uploads.size()];
    return pool.preparedQuery(APPEND)
        .execute(Tuple.tuple().addArrayOfInteger(index).addArrayOfLong(tenants).addArrayOfLong(robots)
            .addArrayOfString(batches).addArrayOfInteger(counts).addArrayOfInteger(lineOf).addArrayOfLong(jobs)
            .addArrayOfString(levels).addArrayOfString(messages).addArrayOfOffsetDateTime(stamps))
        .compose(rows -> {
          List<Integer> unseen = new ArrayList<>();
          for (Row row : rows) {
            int i = row.getInteger(0);
            Integer stored = row.getInteger(3);
            if (row.getBoolean(2)) {
              answers[i] = new Appended(uploads.get(i).lines().size(), false);
            } else if (stored != null) {
              answers[i] = new Appended(stored, true);
            } else if (row.getBoolean(1)) {
              answers[i] = new Appended(0, false);
            } else {
              unseen.add(i); // its id was claimed by a statement that committed while this one waited
            }
          }
          // committed: from here on a failure is one upload's, never the group's
          return unseen.isEmpty() ? Future.<Throwable>succeededFuture()
              : storedCounts(uploads, unseen, answers).map(done -> (Throwable) null).otherwise(failure -> failure);
        })
        .map(lookupFailure -> {
          List<Future<Appended>> results = new ArrayList<>(answers.length);
          for (int i = 0; i < answers.length; i++) {
            Integer first = answers[i] == null && uploads.get(i).batchId() != null
                ? firstOf.get(key(uploads.get(i).robotId(), uploads.get(i).batchId())) : null;
            Appended answer = first == null || first == i ? answers[i]
                // a resend of an earlier upload of the list: its answer (a refused one is refused again)
                : answers[first] == null ? null : new Appended(answers[first].stored(),
                    answers[first].replay() || answers[first].stored() > 0);
            results.add(answer != null ? Future.succeededFuture(answer) : Future.failedFuture(lookupFailure));
          }
          return results;
        });
  }

  /**
   * The statement of {@link #appendAll}. Its two look-ups (an upload's jobs, a batch id stored
   * before) are scalar subqueries on a table's key, which PostgreSQL runs as an index look-up per
   * row whatever it knows of the table: a prepared statement keeps the plan made when it was
   * prepared, and asked as joins, a plan made while the tables were small (a new node, statistics
   * not yet gathered) scanned them whole on every upload once they had grown (robot_log_batches:
   * 100 ms an upload after 200,000 batches, found by the log-group benchmark; the jobs: 4.5 ms
   * against 0.2 ms at 6,500 jobs, decision 121). The claims are made in key order, so that two
   * statements in flight cannot deadlock on them; the look-up of a stored batch sees the
   * statement's snapshot, that is the ids stored before it, not the ones it claims, and runs only
   * for an upload not written.
   */
  private static final String APPEND = """
      WITH u AS (
        SELECT * FROM unnest($1::int[], $2::bigint[], $3::bigint[], $4::text[], $5::int[]) AS u(a, t, r, b, n)),
      l AS (
        SELECT * FROM unnest($6::int[], $7::bigint[], $8::text[], $9::text[], $10::timestamptz[])
          WITH ORDINALITY AS l(a, job_id, level, message, time_stamp, i)),
      refused AS (
        SELECT DISTINCT d.a FROM (SELECT DISTINCT a, job_id FROM l) d JOIN u ON u.a = d.a
        WHERE (SELECT j.tenant_id = u.t AND j.robot_id IS NOT DISTINCT FROM u.r FROM jobs j WHERE j.id = d.job_id)
          IS NOT TRUE),
      claimed AS (
        INSERT INTO robot_log_batches (robot_id, batch_id, tenant_id, stored)
        SELECT r, b, t, n FROM u WHERE b IS NOT NULL AND a NOT IN (SELECT a FROM refused) ORDER BY r, b
        ON CONFLICT (robot_id, batch_id) DO NOTHING
        RETURNING robot_id, batch_id),
      written AS (
        SELECT u.a, u.t, u.r FROM u WHERE u.a NOT IN (SELECT a FROM refused)
          AND (u.b IS NULL OR EXISTS (SELECT 1 FROM claimed c WHERE c.robot_id = u.r AND c.batch_id = u.b))),
      inserted AS (
        INSERT INTO robot_logs (tenant_id, robot_id, job_id, level, message, time_stamp)
        SELECT w.t, w.r, l.job_id, l.level, l.message, l.time_stamp FROM l JOIN written w ON w.a = l.a ORDER BY l.i)
      SELECT a, refused, written,
        CASE WHEN NOT written THEN (SELECT s.stored FROM robot_log_batches s WHERE s.robot_id = r AND s.batch_id = b) END
      FROM (SELECT u.*, u.a IN (SELECT a FROM refused) AS refused, u.a IN (SELECT a FROM written) AS written FROM u) u""";

  /**
   * The answers of uploads whose batch id another statement stored meanwhile: its count, a replay.
   * A scalar subquery on the key, as in {@link #APPEND}, so that it stays an index look-up.
   */
  private Future<Void> storedCounts(List<Upload> uploads, List<Integer> unseen, Appended[] answers) {
    return pool.preparedQuery("""
            SELECT x.a, (SELECT b.stored FROM robot_log_batches b WHERE b.robot_id = x.r AND b.batch_id = x.id)
            FROM unnest($1::int[], $2::bigint[], $3::text[]) AS x(a, r, id)""")
        .execute(Tuple.tuple().addArrayOfInteger(unseen.toArray(Integer[]::new))
            .addArrayOfLong(unseen.stream().map(i -> uploads.get(i).robotId()).toArray(Long[]::new))
            .addArrayOfString(unseen.stream().map(i -> uploads.get(i).batchId()).toArray(String[]::new)))
        .map(rows -> {
          for (Row row : rows) {
            Integer stored = row.getInteger(1);
            // a row gone again (its id forgotten meanwhile): still a replay, of an unknown count
            answers[row.getInteger(0)] = new Appended(stored == null ? 0 : stored, true);
          }
          return null;
        });
  }

  /** A batch id is a robot's own. */
  private static String key(long robotId, String batchId) {
    return robotId + "\n" + batchId;
  }

  /** Forgets the batch ids received before {@code retention} ago; returns how many. */
  Future<Integer> pruneBatches(java.time.Duration retention) {
    return pool.preparedQuery("DELETE FROM robot_log_batches WHERE received_at < now() - make_interval(secs => $1)")
        .execute(Tuple.of((double) retention.toSeconds()))
        .map(rows -> rows.rowCount());
  }

  /** A page of a tenant's logs, newest first (keyset on id). */
  Future<Page<StoredLog>> page(long tenantId, Long jobId, PageRequest page) {
    return pool.preparedQuery("""
            SELECT id, job_id, robot_id, level, message, time_stamp FROM robot_logs
            WHERE tenant_id = $1 AND ($2::bigint IS NULL OR job_id = $2) AND ($3::bigint IS NULL OR id < $3)
            ORDER BY id DESC LIMIT $4 OFFSET $5""")
        .execute(Tuple.of(tenantId, jobId, page.afterId(), page.limit(), page.offset()))
        .map(rows -> {
          List<StoredLog> logs = new ArrayList<>(rows.size());
          for (Row row : rows) {
            logs.add(new StoredLog(row.getLong("id"), row.getLong("job_id"), row.getLong("robot_id"),
                row.getString("level"), row.getString("message"), Timestamps.instant(row, "time_stamp")));
          }
          return Page.of(logs, page, log -> Long.toString(log.id()));
        });
  }

  static Set<Long> jobIds(List<LogLine> lines) {
    return lines.stream().map(LogLine::jobId).collect(Collectors.toCollection(TreeSet::new));
  }
}
