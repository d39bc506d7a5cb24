package org.orchestrator.contracts.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    // the generated part is everything above the marker scripts/generate-docs.sh writes after it;
    // what follows the marker is written by hand. The whole generated part must match, to the byte
    String marker = "\n\n<!-- end of generated part -->\n";
    int end = committed.indexOf(marker);
    assertTrue(end >= 0, "docs/event-bus.md lacks the marker after its generated part: run scripts/generate-docs.sh");
    assertEquals(generated.stripTrailing(), committed.substring(0, end),
        "docs/event-bus.md is stale: run scripts/generate-docs.sh");
  }
}
