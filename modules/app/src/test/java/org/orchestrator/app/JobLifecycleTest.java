package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

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

/** Jobs through the real robot protocol over HTTP: run, stop, kill, logs, isolation, bad input. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class JobLifecycleTest {

  private static TestNode node;
  private static Api api;
  private static Tenants.Fixture acme;
  private static Tenants.Fixture globex;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start("jobs");
    api = node.api();
    String host = api.signInHostAdmin().await();
    acme = Tenants.create(api, host, "acme", 3).await();
    globex = Tenants.create(api, host, "globex", 1).await();
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static Future<JsonObject> createJob(Tenants.Fixture tenant, Long robotId, String process) {
    JsonObject body = new JsonObject().put("processName", process);
    if (robotId != null) {
      body.put("robotId", robotId);
    }
    return api.post("/api/Jobs", tenant.adminToken(), body).compose(response -> Api.expect(response, 201));
  }

  private static Future<JsonObject> job(long id) {
    return api.get("/api/Jobs/" + id, acme.adminToken()).compose(response -> Api.expect(response, 200));
  }

  @Test
  void aJobRunsFromPendingToSuccessful(VertxTestContext ctx) {
    Tenants.Robot robot = acme.robots().get(0);
    createJob(acme, robot.id(), "Invoices")
        .compose(created -> {
          ctx.verify(() -> {
            assertEquals("Pending", created.getString("state"));
            assertEquals(robot.id(), created.getLong("robotId"));
          });
          long id = created.getLong("id");
          return robot.heartbeat().compose(commands -> {
            ctx.verify(() -> assertEquals(new JsonArray().add(new JsonObject().put("type", "StartJob")
                .put("jobId", id).put("processName", "Invoices")), commands));
            return robot.report(id, "Running");
          }).compose(running -> {
            ctx.verify(() -> assertEquals("Running", running.bodyAsJsonObject().getString("state")));
            return robot.heartbeat();
          }).compose(commands -> {
            ctx.verify(() -> assertEquals(0, commands.size(), "a Running job needs no command"));
            return robot.report(id, "Successful");
          }).compose(done -> job(id));
        })
        .onComplete(ctx.succeeding(done -> ctx.verify(() -> {
          assertEquals("Successful", done.getString("state"));
          assertNotNull(done.getString("startedAt"));
          assertNotNull(done.getString("endedAt"));
          ctx.completeNow();
        })));
  }

  @Test
  void stopReachesTheRobotThroughTheHeartbeatAndEndsStopped(VertxTestContext ctx) {
    Tenants.Robot robot = acme.robots().get(1);
    createJob(acme, robot.id(), "Reports").compose(created -> {
      long id = created.getLong("id");
      return robot.heartbeat()
          .compose(start -> robot.report(id, "Running"))
          .compose(running -> api.post("/api/Jobs/" + id + "/Stop", acme.adminToken(), new JsonObject()))
          .compose(stopping -> {
            ctx.verify(() -> assertEquals("Stopping", stopping.bodyAsJsonObject().getString("state")));
            return robot.heartbeat();
          })
          .compose(commands -> {
            ctx.verify(() -> assertEquals("StopJob", commands.getJsonObject(0).getString("type")));
            return robot.heartbeat();
          })
          .compose(again -> {
            ctx.verify(() -> assertEquals("StopJob", again.getJsonObject(0).getString("type"),
                "the command is repeated until the robot reports"));
            return robot.report(id, "Stopped");
          })
          .compose(stopped -> Future.all(job(id),
              api.post("/api/Jobs/" + id + "/Stop", acme.adminToken(), new JsonObject()),
              robot.heartbeat()));
    }).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      JsonObject job = all.resultAt(0);
      assertEquals("Stopped", job.getString("state"));
      assertNotNull(job.getString("stopRequestedAt"));
      Expect.error(all.resultAt(1), 409, "CONFLICT");
      assertEquals(0, all.<JsonArray>resultAt(2).size());
      ctx.completeNow();
    })));
  }

  @Test
  void killReachesTheRobotAndEndsStopped(VertxTestContext ctx) {
    Tenants.Robot robot = acme.robots().get(2);
    createJob(acme, robot.id(), "Payroll").compose(created -> {
      long id = created.getLong("id");
      return robot.heartbeat()
          .compose(start -> robot.report(id, "Running"))
          .compose(running -> api.post("/api/Jobs/" + id + "/Kill", acme.adminToken(), new JsonObject()))
          .compose(terminating -> {
            ctx.verify(() -> assertEquals("Terminating", terminating.bodyAsJsonObject().getString("state")));
            return Future.all(robot.heartbeat(),
                api.post("/api/Jobs/" + id + "/Stop", acme.adminToken(), new JsonObject()));
          })
          .compose(both -> {
            ctx.verify(() -> {
              assertEquals("KillJob", both.<JsonArray>resultAt(0).getJsonObject(0).getString("type"));
              Expect.error(both.resultAt(1), 409, "CONFLICT");
            });
            return robot.report(id, "Stopped");
          })
          .compose(stopped -> Future.all(job(id),
              api.post("/api/Jobs/" + id + "/Kill", acme.adminToken(), new JsonObject())));
    }).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      assertEquals("Stopped", all.<JsonObject>resultAt(0).getString("state"));
      Expect.error(all.resultAt(1), 409, "CONFLICT");
      ctx.completeNow();
    })));
  }

  @Test
  void aJobWithoutRobotIsTakenByAFreeRobotAndAPendingStopNeedsNoRobot(VertxTestContext ctx) {
    Tenants.Robot robot = globex.robots().get(0);
    createJob(globex, null, "Anywhere")
        .compose(first -> createJob(globex, null, "Later").compose(second -> robot.heartbeat()
            .compose(commands -> {
              ctx.verify(() -> {
                assertEquals(1, commands.size(), "one job at a time per robot");
                assertEquals(first.getLong("id"), commands.getJsonObject(0).getLong("jobId"));
              });
              return api.post("/api/Jobs/" + second.getLong("id") + "/Stop", globex.adminToken(), new JsonObject());
            })))
        .onComplete(ctx.succeeding(stopped -> ctx.verify(() -> {
          JsonObject job = stopped.bodyAsJsonObject();
          assertEquals("Stopped", job.getString("state"), "a job nobody started stops at once");
          assertNull(job.getValue("robotId"));
          ctx.completeNow();
        })));
  }

  @Test
  void fiveHundredLogLinesAreStoredAsFiveHundredRows(VertxTestContext ctx) {
    Tenants.Robot robot = acme.robots().get(0);
    createJob(acme, robot.id(), "Chatty").compose(created -> {
      long id = created.getLong("id");
      JsonArray lines = new JsonArray();
      for (int i = 0; i < 500; i++) {
        lines.add(new JsonObject().put("jobId", id).put("level", "Info").put("message", "line " + i)
            .put("timeStamp", Instant.now().toString()));
      }
      return robot.logs(lines).compose(stored -> {
        ctx.verify(() -> assertEquals(500, stored.bodyAsJsonObject().getInteger("stored")));
        return api.get("/api/RobotLogs?jobId=" + id + "&size=10&page=2", acme.adminToken());
      }).compose(page -> {
        JsonObject body = page.bodyAsJsonObject();
        ctx.verify(() -> {
          assertEquals(10, body.getJsonArray("items").size());
          assertEquals("line 489", body.getJsonArray("items").getJsonObject(0).getString("message"));
          assertNotNull(body.getString("next"), body.encode());
        });
        // the cursor of page 2 starts page 3; counting by cursors finds all 500
        return Future.all(api.get("/api/RobotLogs?jobId=" + id + "&size=10&after=" + body.getString("next"),
            acme.adminToken()), api.count("/api/RobotLogs?jobId=" + id, acme.adminToken()));
      });
    }).onComplete(ctx.succeeding(both -> ctx.verify(() -> {
      JsonObject third = both.<HttpResponse<Buffer>>resultAt(0).bodyAsJsonObject();
      assertEquals("line 479", third.getJsonArray("items").getJsonObject(0).getString("message"), third.encode());
      assertEquals(500L, both.<Long>resultAt(1));
      ctx.completeNow();
    })));
  }

  @Test
  void aRobotOfAnotherTenantCannotReportOrLogOnAJob(VertxTestContext ctx) {
    Tenants.Robot intruder = globex.robots().get(0);
    createJob(acme, acme.robots().get(0).id(), "Secret").compose(created -> {
      long id = created.getLong("id");
      JsonArray lines = new JsonArray().add(new JsonObject().put("jobId", id).put("level", "Info")
          .put("message", "mine now").put("timeStamp", Instant.now().toString()));
      return Future.all(intruder.report(id, "Successful"), intruder.logs(lines),
              api.get("/api/Jobs/" + id, globex.adminToken()),
              api.post("/api/Jobs", globex.adminToken(), new JsonObject().put("processName", "x")
                  .put("robotId", acme.robots().get(0).id())))
          .compose(all -> {
            ctx.verify(() -> {
              Expect.error(all.resultAt(0), 404, "NOT_FOUND");
              Expect.error(all.resultAt(1), 404, "NOT_FOUND");
              Expect.error(all.resultAt(2), 404, "NOT_FOUND");
              Expect.error(all.resultAt(3), 404, "NOT_FOUND");
            });
            return Future.all(job(id), api.count("/api/RobotLogs?jobId=" + id, acme.adminToken()));
          });
    }).onComplete(ctx.succeeding(after -> ctx.verify(() -> {
      assertEquals("Pending", after.<JsonObject>resultAt(0).getString("state"));
      assertEquals(0L, after.<Long>resultAt(1));
      ctx.completeNow();
    })));
  }

  @Test
  void robotsAndHumansKeepToTheirOwnRoutes(VertxTestContext ctx) {
    Tenants.Robot robot = acme.robots().get(0);
    Future.all(List.of(
            api.post("/api/robot/heartbeat", acme.adminToken(), new JsonObject()),
            api.get("/api/Jobs", robot.token()),
            api.post("/api/Jobs", robot.token(), new JsonObject().put("processName", "sneaky"))))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          for (int i = 0; i < all.size(); i++) {
            Expect.error(all.resultAt(i), 403, "FORBIDDEN");
          }
          ctx.completeNow();
        })));
  }

  @Test
  void malformedInputIsA400AndChangesNothing(VertxTestContext ctx) {
    Tenants.Robot robot = acme.robots().get(0);
    String admin = acme.adminToken();
    api.count("/api/Jobs", admin).compose(total -> {
      return Future.all(List.of(
              api.post("/api/Jobs", admin, new JsonObject()),
              api.post("/api/Jobs", admin, new JsonObject().put("processName", 12)),
              api.post("/api/Jobs", admin, new JsonObject().put("processName", "x").put("robotId", "one")),
              api.post("/api/Jobs", admin, new JsonObject().put("processName", "x").put("priority", 1)),
              api.postRaw("/api/Jobs", admin, "application/json", Buffer.buffer("[1,2")),
              api.get("/api/Jobs?size=100000", admin),
              api.get("/api/Jobs?page=0", admin),
              api.get("/api/Jobs?page=2&after=5", admin),
              api.get("/api/Jobs?page=101&size=100", admin),
              api.get("/api/Jobs?after=-3", admin),
              api.get("/api/Jobs?state=Sleeping", admin),
              api.get("/api/Jobs/abc", admin),
              robot.report(1, "Stopping"),
              robot.logs(new JsonArray().add(new JsonObject().put("jobId", 1).put("level", "Info")
                  .put("message", "m").put("timeStamp", "yesterday"))),
              robot.logs(new JsonArray().add(new JsonObject().put("jobId", "one").put("level", "Info")
                  .put("message", "m").put("timeStamp", Instant.now().toString()))),
              api.post("/api/robot/queues/bad%20name/items", robot.token(), new JsonObject().put("payload", new JsonObject())),
              api.post("/api/robot/queues/orders/items", robot.token(), new JsonObject().put("payload", "text"))))
          .compose(all -> {
            ctx.verify(() -> {
              for (int i = 0; i < all.size(); i++) {
                Expect.error(all.resultAt(i), 400, "BAD_REQUEST");
              }
            });
            return api.count("/api/Jobs", admin).map(after -> after - total);
          });
    }).onComplete(ctx.succeeding(added -> ctx.verify(() -> {
      assertEquals(0L, added, "no job was created by bad input");
      ctx.completeNow();
    })));
  }

  @Test
  void queueItemsAreStoredPerTenantAndPaged(VertxTestContext ctx) {
    Tenants.Robot robot = acme.robots().get(0);
    api.post("/api/robot/queues/orders/items", robot.token(), new JsonObject().put("reference", "PO-1")
            .put("payload", new JsonObject().put("amount", 12)))
        .compose(added -> {
          ctx.verify(() -> assertEquals(201, added.statusCode(), added.bodyAsString()));
          return Future.all(api.get("/api/QueueItems?queue=orders", acme.adminToken()),
              api.get("/api/QueueItems", globex.adminToken()));
        })
        .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
          JsonObject mine = both.<HttpResponse<Buffer>>resultAt(0).bodyAsJsonObject();
          assertEquals(1, mine.getJsonArray("items").size());
          assertNull(mine.getString("next"));
          assertEquals(12, mine.getJsonArray("items").getJsonObject(0).getJsonObject("payload").getInteger("amount"));
          assertEquals(0, both.<HttpResponse<Buffer>>resultAt(1).bodyAsJsonObject().getJsonArray("items").size());
          ctx.completeNow();
        })));
  }
}
