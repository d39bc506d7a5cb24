package org.orchestrator.assets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.orchestrator.contracts.Caller;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.FailureCode;
import org.orchestrator.contracts.PageRequest;
import org.orchestrator.contracts.Role;
import org.orchestrator.contracts.assets.AssetMessages.Asset;
import org.orchestrator.contracts.assets.AssetMessages.AssetType;
import org.orchestrator.contracts.assets.AssetMessages.CreateAsset;
import org.orchestrator.contracts.assets.AssetMessages.GetRobotAsset;
import org.orchestrator.contracts.assets.AssetMessages.ListAssets;
import org.orchestrator.dbadmin.Migrations;
import org.orchestrator.dbadmin.testing.TestDatabase;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.orchestrator.platform.database.Pools;

/** The rules of assets on a real PostgreSQL: types, names, who sees a Credential, tenants apart. */
class AssetServiceTest {

  private static final Caller ADMIN = new Caller(1, "admin", Role.ADMINISTRATOR, 10L);
  private static final Caller OPERATOR = new Caller(2, "op", Role.OPERATOR, 10L);
  private static final Caller OTHER_ADMIN = new Caller(3, "admin", Role.ADMINISTRATOR, 20L);
  private static final Caller ROBOT = new Caller(4, "robot-1", Role.ROBOT, 10L);

  private static Vertx vertx;
  private static AssetService service;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    DatabaseEndpoint endpoint = TestDatabase.newSchema("assets");
    Migrations.apply(endpoint, List.of("assets"));
    Pool pool = Pools.create(vertx, endpoint, 2);
    service = new AssetService(new AssetRepository(pool));
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aCredentialIsShownToRobotsOnly() {
    service.create(new CreateAsset(ADMIN, "sap-login", AssetType.Credential, "s3cret")).await();
    Asset forPeople = service.list(new ListAssets(OPERATOR, PageRequest.first(10))).await().items().stream()
        .filter(a -> a.name().equals("sap-login")).findFirst().orElseThrow();
    assertNull(forPeople.value(), "a person never sees a credential's value");
    assertEquals("s3cret", service.robotGet(new GetRobotAsset(ROBOT, "sap-login")).await().value());
  }

  @Test
  void valuesAreStoredAsTheirTypeAndTenantsStayApart() {
    service.create(new CreateAsset(ADMIN, "retries", AssetType.Integer, Long.MAX_VALUE)).await();
    service.create(new CreateAsset(ADMIN, "enabled", AssetType.Bool, true)).await();
    assertEquals(Long.MAX_VALUE, service.robotGet(new GetRobotAsset(ROBOT, "retries")).await().value());
    assertEquals(true, service.robotGet(new GetRobotAsset(ROBOT, "enabled")).await().value());
    assertEquals(0, service.list(new ListAssets(OTHER_ADMIN, PageRequest.first(10))).await().items().size(),
        "another tenant's administrator sees none of them");
    assertEquals(FailureCode.CONFLICT, failure(() -> service.create(new CreateAsset(ADMIN, "retries",
        AssetType.Integer, 1L)).await()).code(), "one asset per name in a tenant");
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"Integer, 1.5", "Integer, text", "Bool, yes", "Text, 12"})
  void aValueThatDoesNotFitItsTypeIsA400(AssetType type, String raw) {
    Object value = raw.equals("1.5") ? (Object) 1.5 : raw.equals("12") ? (Object) 12L : raw;
    assertEquals(FailureCode.BAD_REQUEST, failure(() -> service.create(new CreateAsset(ADMIN, "bad-" + type,
        type, value)).await()).code());
  }

  @Test
  void namesTextsAndRolesAreChecked() {
    assertEquals(FailureCode.BAD_REQUEST, failure(() -> service.create(new CreateAsset(ADMIN, " leading-space",
        AssetType.Text, "x")).await()).code());
    assertEquals(FailureCode.BAD_REQUEST, failure(() -> service.create(new CreateAsset(ADMIN, "nul",
        AssetType.Text, "a\0b")).await()).code());
    assertEquals(FailureCode.BAD_REQUEST, failure(() -> service.create(new CreateAsset(ADMIN, "long",
        AssetType.Text, "x".repeat(AssetService.MAX_TEXT + 1))).await()).code());
    assertEquals(FailureCode.FORBIDDEN, failure(() -> service.create(new CreateAsset(OPERATOR, "by-operator",
        AssetType.Text, "x")).await()).code(), "operators read assets, administrators keep them");
    assertEquals(FailureCode.NOT_FOUND, failure(() -> service.robotGet(new GetRobotAsset(ROBOT, "missing"))
        .await()).code());
  }

  private static Failure failure(Supplier<?> call) {
    Throwable thrown = assertThrows(Throwable.class, call::get);
    return (Failure) (thrown instanceof CompletionException ? thrown.getCause() : thrown);
  }
}
