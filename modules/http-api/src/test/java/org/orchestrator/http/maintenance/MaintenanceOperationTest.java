package org.orchestrator.http.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.orchestrator.http.bridge.BridgeVerticle;

/**
 * The one table of maintenance operations is the contract's: every operation tagged
 * {@code maintenance} in openapi.json is in it (the event stream aside, which the bridge pushes
 * instead), nothing else is, and each has its own bridge address, which the bridge accepts.
 */
class MaintenanceOperationTest {

  @Test
  void theTableHoldsEveryMaintenanceOperationOfTheContractAndTheBridgeTakesEach() throws Exception {
    JsonObject contract;
    try (InputStream in = getClass().getClassLoader().getResourceAsStream("openapi.json")) {
      contract = new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    Set<String> inContract = new TreeSet<>();
    JsonObject paths = contract.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        JsonObject operation = item.getJsonObject(method);
        if (operation.getJsonArray("tags", new io.vertx.core.json.JsonArray()).contains("maintenance")) {
          inContract.add(operation.getString("operationId"));
        }
      }
    }
    List<MaintenanceOperation> table = MaintenanceOperation.table(null);
    Set<String> inTable = new TreeSet<>(table.stream().map(MaintenanceOperation::operationId).toList());
    inTable.add("maintenanceEvents");
    assertEquals(inContract, inTable);
    Set<String> addresses = new HashSet<>();
    table.forEach(operation -> assertTrue(addresses.add(operation.address()), operation.address() + " once"));
    assertEquals(addresses, Set.copyOf(BridgeVerticle.INBOUND));
  }
}
