package org.orchestrator.jobs;

import io.vertx.sqlclient.Pool;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.orchestrator.bench.Benchmarks;
import org.orchestrator.bench.ClosedLoop;
import org.orchestrator.bench.ClosedLoop.Round;

/**
 * What the exemption functions in PL/pgSQL give (issue 35, decision 126, "exemption-plans"): a
 * robot's Running report, the jobs module's own {@link JobRepository#start} (the start fence and
 * the window the job runs exempt under, in one UPDATE), with no window open, as in the return after
 * End. Shipped: the functions of phase V820, whose plans a session keeps. Before: the same
 * statement on a second schema whose three functions are put back to their SQL bodies of V800 and
 * V810, read from those migrations (so the baseline is what was shipped, not a copy), planned anew
 * for every statement that calls them. Eight reports in flight from one event loop (the node's pool
 * size), in alternating rounds of {@code -DexemptionPlans.seconds} (default 6), three a side; each
 * report starts a job of its own, handed out beforehand. In the package of the code it measures.
 */
public final class ExemptionPlansBenchmark {

  private static final int IN_FLIGHT = 8;
  private static final Pattern SQL_BODIES = Pattern.compile(
      "CREATE FUNCTION (maintenance_exempt_window|maintenance_window_exempts|maintenance_exempts_any)\\b.*?\\$\\$;",
      Pattern.DOTALL);

  private ExemptionPlansBenchmark() {
  }

  public static void run() throws Exception {
    int seconds = Integer.getInteger("exemptionPlans.seconds", 6);
    // rounds of 3 s (warm-up) and three of `seconds` a side, at well under 10,000 reports a second
    int jobs = (3 + 3 * seconds) * 10_000;
    try (ClosedLoop.Bench shipped = ClosedLoop.Bench.open("bench_exemption_plans", List.of("phase", "jobs"));
        ClosedLoop.Bench before = ClosedLoop.Bench.open("bench_exemption_plans_before", List.of("phase", "jobs"))) {
      int replaced = 0;
      for (String migration : List.of("V800__exemptions.sql", "V810__exempt_guard.sql")) {
        Matcher function = SQL_BODIES.matcher(resource("db/migration/phase/" + migration));
        while (function.find()) {
          before.pool().query(function.group().replaceFirst("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"))
              .execute().await();
          replaced++;
        }
      }
      if (replaced != 3) {
        throw new IllegalStateException("expected the three functions' SQL bodies in V800 and V810, found " + replaced);
      }
      languages(shipped.pool(), "plpgsql,plpgsql,plpgsql");
      languages(before.pool(), "sql,sql,sql");
      handOut(shipped.pool(), jobs);
      handOut(before.pool(), jobs);
      JobRepository a = new JobRepository(shipped.pool());
      JobRepository b = new JobRepository(before.pool());
      long[] sequenceA = {0};
      long[] sequenceB = {0};
      ClosedLoop.round(shipped.vertx(), shipped.stats(), IN_FLIGHT, 3, sequenceA, (n, w) -> report(a, n, jobs));
      ClosedLoop.round(before.vertx(), before.stats(), IN_FLIGHT, 3, sequenceB, (n, w) -> report(b, n, jobs));
      Benchmarks.Turns<Round> turns = Benchmarks.takingTurns(3,
          () -> ClosedLoop.round(shipped.vertx(), shipped.stats(), IN_FLIGHT, seconds, sequenceA,
              (n, w) -> report(a, n, jobs)),
          () -> ClosedLoop.round(before.vertx(), before.stats(), IN_FLIGHT, seconds, sequenceB,
              (n, w) -> report(b, n, jobs)));
      double perSecondA = ClosedLoop.median(turns.a(), Round::perSecond);
      double perSecondB = ClosedLoop.median(turns.b(), Round::perSecond);
      System.out.printf("| Running reports, no window open, %d in flight from one event loop, pool of 8 (medians of "
              + "3 rounds of %d s) | exemption functions in PL/pgSQL (V820): %.0f reports/s, p50 %.2f ms, p99 %.2f ms "
              + "| SQL functions (V800, V810): %.0f reports/s, p50 %.2f ms, p99 %.2f ms | reports/s %.2f, p50 %.2f |%n",
          IN_FLIGHT, seconds, perSecondA, ClosedLoop.median(turns.a(), Round::p50),
          ClosedLoop.median(turns.a(), Round::p99), perSecondB, ClosedLoop.median(turns.b(), Round::p50),
          ClosedLoop.median(turns.b(), Round::p99), perSecondA / perSecondB,
          ClosedLoop.median(turns.a(), Round::p50) / ClosedLoop.median(turns.b(), Round::p50));
    }
  }

  /** Report {@code n}: the Running report of job n + 1, which must start (else the figure measures nothing). */
  private static io.vertx.core.Future<?> report(JobRepository jobs, long n, int handedOut) {
    if (n >= handedOut) {
      return io.vertx.core.Future.failedFuture("more reports than the " + handedOut + " jobs handed out");
    }
    return jobs.start(n + 1).map(started -> {
      if (started.isEmpty()) {
        throw new IllegalStateException("job " + (n + 1) + " did not start");
      }
      return started;
    });
  }

  /** Fails unless the three functions of the schema are in {@code expected} (by name). */
  private static void languages(Pool pool, String expected) {
    String found = pool.query("SELECT string_agg(l.lanname, ',' ORDER BY p.proname) FROM pg_proc p "
            + "JOIN pg_language l ON l.oid = p.prolang JOIN pg_namespace n ON n.oid = p.pronamespace "
            + "WHERE n.nspname = current_schema() AND p.proname IN ('maintenance_exempt_window', "
            + "'maintenance_exempts_any', 'maintenance_window_exempts')")
        .execute().await().iterator().next().getString(0);
    if (!expected.equals(found)) {
      throw new IllegalStateException("the exemption functions are " + found + ", not " + expected);
    }
  }

  /** {@code count} jobs of 10 tenants and 50 processes, each handed to a robot and not yet started. */
  private static void handOut(Pool pool, int count) {
    pool.query("INSERT INTO jobs (tenant_id, process_name, robot_id, start_delivered_at) "
        + "SELECT 1 + g % 10, 'process-' || g % 50, 1 + g % 5000, now() FROM generate_series(1, " + count + ") g")
        .execute().await();
    pool.query("ANALYZE jobs").execute().await();
  }

  private static String resource(String path) throws IOException {
    try (InputStream in = ExemptionPlansBenchmark.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("no " + path + " on the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
