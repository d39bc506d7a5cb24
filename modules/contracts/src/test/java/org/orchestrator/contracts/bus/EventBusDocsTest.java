package org.orchestrator.contracts.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/event-bus.md is what the registry generates: change an address, regenerate the doc. */
class EventBusDocsTest {

  @Test
  void theCommittedDocumentMatchesTheRegistry() throws Exception {
    Path doc = Path.of("../../docs/event-bus.md");
    String committed = Files.readString(doc);
    String generated = EventBusDocs.markdown();
    assertEquals(generated, committed.substring(0, Math.min(committed.length(), generated.length())),
        "docs/event-bus.md is stale: run scripts/generate-docs.sh");
  }
}
