package org.orchestrator.http.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What the scan of JSON bodies refuses before any parser reads them, and what it leaves alone. */
class JsonTextTest {

  private static final String B = "\\"; // one backslash, as it is on the wire

  @Test
  void acceptsStrictJsonWithPairsEscapesAndSlashesInStrings() {
    for (String json : new String[] {"{}", "[]", "{\"a\": \"b\"}", "{\"a\": \"" + B + "ud83d" + B + "ude00\"}",
        "{\"a\": \"" + B + "uD83D" + B + "uDE00 and " + B + "u00e9\"}", "{\"a\": \"a/b " + B + "/ c // not a comment\"}",
        "{\"a\": \"" + B + B + "ud800\"}", "{\"a\": \"" + B + "\"/*\"}", "{\"a\": \"caf\u00e9 \u2713 \ud83d\ude00\"}",
        "[1, -2.5e3, true, null]"}) {
      assertNull(JsonText.fault(json.getBytes(StandardCharsets.UTF_8)), json);
    }
  }

  @Test
  void refusesLoneSurrogatesCommentsNulAndMalformedUtf8() {
    for (String json : new String[] {"{\"a\": \"" + B + "ud800\"}", "{\"a\": \"" + B + "udc00\"}",
        "{\"a\": \"" + B + "udc00" + B + "ud800\"}", "{\"a\": \"" + B + "ud800" + B + "u0041\"}",
        "{\"a\": \"" + B + "ud800x\"}", "{\"a\": \"" + B + "uDBFF\"}", "{\"a\": 1 /* c */}", "// c\n{}",
        "{\"a\": \"" + B + "u0000\"}", "{\"a\": \"x\u0000\"}"}) {
      assertNotNull(JsonText.fault(json.getBytes(StandardCharsets.UTF_8)), json);
    }
    byte[][] notUtf8 = {{'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'}, {'"', (byte) 0xC0, (byte) 0x80, '"'},
        {'"', (byte) 0xE0, (byte) 0x80, (byte) 0x80, '"'}, {'"', (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80, '"'},
        {'"', (byte) 0x80, '"'}, {'"', (byte) 0xFF, '"'}, {'"', (byte) 0xE2, (byte) 0x82, '"'}, {'"', (byte) 0xC3}};
    for (byte[] bytes : notUtf8) {
      assertEquals("the body is not well-formed UTF-8 (byte 1)", JsonText.fault(bytes));
    }
  }
}
