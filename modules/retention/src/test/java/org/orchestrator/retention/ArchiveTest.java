package org.orchestrator.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Archive files: complete under their name, absent otherwise; their keys read back. */
class ArchiveTest {

  @TempDir
  Path root;

  @Test
  void aFileHasItsNameOnlyOnceCompleteAndItsLinesReadBack() throws Exception {
    Archive archive = new Archive(root);
    String path = "3/robot_logs/2026-12-04.jsonl.gz";
    assertFalse(archive.taken(path));
    try (Archive.Writing writing = archive.open(path)) {
      writing.append(List.of("{\"id\":1,\"message\":\"a\"}", "{\"id\":2,\"message\":\"b\\u0000\"}"));
      writing.append(List.of("{\"id\":\"9b2f\",\"message\":\"c\"}"));
      assertTrue(archive.taken(path), "a temporary file takes its name");
      assertFalse(archive.complete(path), "not under its name before it is complete");
      long bytes = writing.complete();
      assertFalse(archive.complete(path));
      writing.publish();
      assertEquals(bytes, Files.size(root.resolve(path)));
      assertEquals(3, writing.rows());
    }
    assertTrue(archive.complete(path));
    assertFalse(Files.exists(root.resolve(path + Archive.TEMPORARY)));
    assertEquals(List.of("1", "2", "9b2f"), archive.keys(path, "id"));
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(
        new GZIPInputStream(Files.newInputStream(root.resolve(path))), StandardCharsets.UTF_8))) {
      assertEquals("{\"id\":1,\"message\":\"a\"}", reader.readLine());
    }
  }

  @Test
  void anAbandonedFileLeavesNothingUnderItsName() throws Exception {
    Archive archive = new Archive(root);
    String path = "3/jobs/2026-12-04-2.jsonl.gz";
    try (Archive.Writing writing = archive.open(path)) {
      writing.append(List.of("{\"id\":1}"));
    }
    assertFalse(archive.taken(path), "closed before publish: the temporary file is removed");
    try (Archive.Writing writing = archive.open(path)) {
      writing.append(List.of("{\"id\":1}"));
      writing.complete();
      // the process dies here: a temporary file is left, never a file under the name
    }
    Files.writeString(root.resolve(path + Archive.TEMPORARY), "partial");
    assertFalse(archive.complete(path));
    archive.discardTemporary(path);
    assertFalse(archive.taken(path));
  }
}
