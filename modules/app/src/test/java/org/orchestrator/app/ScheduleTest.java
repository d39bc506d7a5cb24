package org.orchestrator.app;

import org.orchestrator.platform.testing.MutableClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Schedules fire when due on a clock the test moves; a late tick loses no fire; misfires fire once; no catch-up on enable. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class ScheduleTest {

  private static final Instant START = Instant.parse("2026-03-02T10:00:30Z");
  private static MutableClock clock;
  private static TestNode node;
  private static Api api;
  private static Tenants.Fixture tenant;

  @BeforeAll
  static void start() throws Exception {
    clock = new MutableClock(START);
    node = TestNode.start("schedules", clock);
    api = node.api();
    tenant = Tenants.create(api, api.signInHostAdmin().await(), "scheduled", 0).await();
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static Future<JsonObject> createSchedule(String name, String cron, String zone) {
    return api.post("/api/Schedules", tenant.adminToken(), new JsonObject().put("name", name)
            .put("processName", "proc-" + name).put("cron", cron).put("timeZone", zone))
        .compose(response -> Api.expect(response, 201));
  }

  private static Future<JsonArray> fires(long scheduleId) {
    return fires(scheduleId, 0);
  }

  /** The newest {@code size} fires (0: the default page). */
  private static Future<JsonArray> fires(long scheduleId, int size) {
    return api.get("/api/Schedules/" + scheduleId + "/Fires" + (size > 0 ? "?size=" + size : ""), tenant.adminToken())
        .compose(response -> Api.expect(response, 200)).map(body -> body.getJsonArray("items"));
  }

  private static Future<Long> jobsOf(String process) {
    return api.get("/api/Jobs?size=1000", tenant.adminToken()).compose(r -> Api.expect(r, 200))
        .map(body -> body.getJsonArray("items").stream()
            .filter(job -> ((JsonObject) job).getString("processName").equals(process)).count());
  }

  @Test
  void aDueScheduleCreatesOneJobPerFireAndMisfiresFireOnce(VertxTestContext ctx) {
    clock.set(START);
    createSchedule("every-minute", "* * * * *", "Europe/Paris").compose(schedule -> {
      long id = schedule.getLong("id");
      ctx.verify(() -> assertEquals("2026-03-02T10:01:00Z", schedule.getString("nextFireAt")));
      clock.set(Instant.parse("2026-03-02T10:01:02Z"));
      return Eventually.until(node.vertx(), () -> fires(id), f -> f.size() == 1
              && "Created".equals(f.getJsonObject(0).getString("outcome")), 5_000)
          .compose(first -> {
            ctx.verify(() -> assertEquals("2026-03-02T10:01:00Z", first.getJsonObject(0).getString("plannedAt")));
            // 29 minutes on: 10:02 to 10:30 are due. Beyond the misfire threshold (60 s) no node ran
            // the scheduler: the first missed fire runs once, 10:03 to 10:29 are one Missed record,
            // and 10:30, within the threshold, runs
            clock.set(Instant.parse("2026-03-02T10:30:10Z"));
            return Eventually.until(node.vertx(), () -> fires(id), f -> f.size() == 4, 5_000);
          })
          .compose(four -> {
            ctx.verify(() -> {
              assertEquals(List.of("2026-03-02T10:30:00Z Created", "2026-03-02T10:03:00Z Skipped",
                  "2026-03-02T10:02:00Z Created", "2026-03-02T10:01:00Z Created"), four.stream()
                  .map(JsonObject.class::cast).map(f -> f.getString("plannedAt") + " " + f.getString("outcome")).toList());
              assertEquals("Missed: the fires from 2026-03-02T10:03:00Z to 2026-03-02T10:29:10Z were missed (no node "
                  + "ran the scheduler then); the fire before them was settled on its own",
                  four.getJsonObject(1).getString("reason"));
            });
            return api.get("/api/Schedules", tenant.adminToken());
          })
          .compose(list -> {
            JsonObject listed = list.bodyAsJsonObject().getJsonArray("items").stream().map(JsonObject.class::cast)
                .filter(s -> s.getLong("id") == id).findFirst().orElseThrow();
            ctx.verify(() -> assertEquals("2026-03-02T10:31:00Z", listed.getString("nextFireAt"),
                "then it continues from the first time after now"));
            return node.vertx().timer(200).compose(t -> jobsOf("proc-every-minute"));
          });
    }).onComplete(ctx.succeeding(jobs -> ctx.verify(() -> {
      assertEquals(3L, jobs, "exactly one job per fire recorded Created");
      ctx.completeNow();
    })));
  }

  /**
   * An every-second schedule on a clock that moves in uneven steps, several seconds at a time
   * (a tick late by up to four seconds, as on a busy node): every second's fire is recorded and
   * becomes a job, exactly once; none is lost. Before, a tick more than a second late moved the
   * schedule past the fires in between without a trace (issue 30, item 2).
   */
  @Test
  void aLateTickLosesNoFireOfAnEverySecondSchedule() {
    Instant start = Instant.parse("2026-03-04T12:00:00.500Z");
    clock.set(start);
    long id = createSchedule("every-second", "* * * * * ?", "UTC").await().getLong("id");
    long[] stepsMillis = {700, 1_800, 300, 2_600, 1_000, 4_100, 900, 1_500, 3_300, 200, 2_000, 3_900, 1_100, 2_700,
        600, 3_500, 1_000, 4_000, 2_200, 800, 3_000, 1_700, 2_500, 3_800, 1_200, 2_900, 400, 3_600, 3_000};
    Instant now = start;
    for (long step : stepsMillis) {
      now = now.plusMillis(step);
      clock.set(now);
      long due = now.getEpochSecond() - start.getEpochSecond();
      Eventually.until(node.vertx(), () -> fires(id, 200).map(JsonArray::size), n -> n == due, 5_000).await();
    }
    JsonArray fires = fires(id, 200).await();
    List<String> planned = fires.stream().map(JsonObject.class::cast).map(f -> f.getString("plannedAt")).sorted().toList();
    List<String> everySecond = java.util.stream.LongStream.rangeClosed(1, planned.size())
        .mapToObj(s -> Instant.parse("2026-03-04T12:00:00Z").plusSeconds(s).toString()).toList();
    assertEquals(everySecond, planned, "one fire per second, none lost, none twice");
    assertTrue(planned.size() >= 60, planned.size() + " fires");
    assertTrue(fires.stream().map(JsonObject.class::cast).allMatch(f -> "Created".equals(f.getString("outcome"))),
        fires.encode());
    assertEquals((long) planned.size(), jobsOf("proc-every-second").await(), "one job per fire");
    api.post("/api/Schedules/" + id + "/Disable", tenant.adminToken(), new JsonObject()).await();
  }

  @Test
  void aDisabledScheduleDoesNotFireAndEnablingDoesNotCatchUp(VertxTestContext ctx) {
    clock.set(Instant.parse("2026-03-03T08:00:00Z"));
    createSchedule("quartz-seconds", "0/10 * * * * ?", "UTC").compose(schedule -> {
      long id = schedule.getLong("id");
      return api.post("/api/Schedules/" + id + "/Disable", tenant.adminToken(), new JsonObject())
          .compose(disabled -> {
            ctx.verify(() -> assertFalse(disabled.bodyAsJsonObject().getBoolean("enabled")));
            clock.set(Instant.parse("2026-03-03T08:05:00Z"));
            return node.vertx().timer(200).compose(t -> fires(id));
          })
          .compose(none -> {
            ctx.verify(() -> assertEquals(0, none.size()));
            return api.post("/api/Schedules/" + id + "/Enable", tenant.adminToken(), new JsonObject());
          })
          .compose(enabled -> {
            ctx.verify(() -> assertEquals("2026-03-03T08:05:10Z", enabled.bodyAsJsonObject().getString("nextFireAt")));
            clock.set(Instant.parse("2026-03-03T08:05:11Z"));
            return Eventually.until(node.vertx(), () -> fires(id), f -> f.size() == 1, 5_000);
          });
    }).onComplete(ctx.succeeding(fires -> ctx.verify(() -> {
      assertEquals("2026-03-03T08:05:10Z", fires.getJsonObject(0).getString("plannedAt"));
      ctx.completeNow();
    })));
  }

  @Test
  void badSchedulesAre400sAndOnlyAdminsManage(VertxTestContext ctx) {
    JsonObject valid = new JsonObject().put("name", "n").put("processName", "p").put("cron", "* * * * *");
    Future.all(List.of(
            api.post("/api/Schedules", tenant.adminToken(), valid.copy().put("cron", "every day")),
            api.post("/api/Schedules", tenant.adminToken(), valid.copy().put("cron", "61 * * * *")),
            api.post("/api/Schedules", tenant.adminToken(), valid.copy().put("timeZone", "Mars/Olympus")),
            api.post("/api/Schedules", tenant.adminToken(), valid.copy().put("cron", "0 0 0 30 2 ? 2020")),
            api.post("/api/Schedules", tenant.adminToken(), valid.copy().remove("cron") == null ? valid : valid.copy().put("cron", 5)),
            api.post("/api/Schedules", tenant.adminToken(), valid.copy().put("missedFirePolicy", "RunTwice")),
            api.post("/api/Schedules/999999/Enable", tenant.adminToken(), new JsonObject()),
            api.send(io.vertx.core.http.HttpMethod.DELETE, "/api/Schedules/999999", tenant.adminToken())))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          for (int i = 0; i < 6; i++) {
            Expect.error(all.resultAt(i), 400, "BAD_REQUEST");
          }
          Expect.error(all.resultAt(6), 404, "NOT_FOUND");
          Expect.error(all.resultAt(7), 404, "NOT_FOUND");
          ctx.completeNow();
        })));
  }

  @Test
  void aScheduleSkipsMissedFiresUnlessItSaysRunOnce(VertxTestContext ctx) {
    JsonObject body = new JsonObject().put("processName", "p").put("cron", "0 0 1 1 *");
    Future.all(api.post("/api/Schedules", tenant.adminToken(), body.copy().put("name", "by-default")),
            api.post("/api/Schedules", tenant.adminToken(), body.copy().put("name", "catches-up")
                .put("missedFirePolicy", "RunOnce")))
        .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
          io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer> skip = both.resultAt(0);
          io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer> runOnce = both.resultAt(1);
          assertEquals(201, skip.statusCode(), skip.bodyAsString());
          assertEquals("Skip", skip.bodyAsJsonObject().getString("missedFirePolicy"));
          assertEquals(201, runOnce.statusCode(), runOnce.bodyAsString());
          assertEquals("RunOnce", runOnce.bodyAsJsonObject().getString("missedFirePolicy"));
          ctx.completeNow();
        })));
  }

  @Test
  void deleteRemovesTheScheduleButKeepsNothingRunning(VertxTestContext ctx) {
    createSchedule("to-delete", "* * * * *", "UTC")
        .compose(schedule -> api.send(io.vertx.core.http.HttpMethod.DELETE, "/api/Schedules/" + schedule.getLong("id"),
            tenant.adminToken()))
        .compose(deleted -> {
          ctx.verify(() -> assertEquals(204, deleted.statusCode()));
          return api.get("/api/Schedules", tenant.adminToken());
        })
        .onComplete(ctx.succeeding(list -> ctx.verify(() -> {
          HttpResponse<Buffer> response = list;
          assertFalse(response.bodyAsString().contains("to-delete"));
          ctx.completeNow();
        })));
  }

}
