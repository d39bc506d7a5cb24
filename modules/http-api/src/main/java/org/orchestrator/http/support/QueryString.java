package org.orchestrator.http.support;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The one reading of a request's query string and path segments: every component is
 * percent-decoded exactly once, as UTF-8, and refused when it is not well formed.
 * <ul>
 *   <li>Query: pairs split on {@code &} only ({@code ;} is an ordinary character), name and value
 *   at the first {@code =}; {@code +} is a space and {@code %2B} a plus (the WHATWG
 *   {@code application/x-www-form-urlencoded} rules, which Vert.x's own query decoding follows too).
 *   Names are matched without regard to case, as ASP.NET (UiPath) and Vert.x match them.</li>
 *   <li>Path segment: {@code +} is a plus (RFC 3986: it has no special meaning in a path).</li>
 *   <li>Refused: {@code %} not followed by two hex digits, bytes that are not UTF-8, characters
 *   outside printable ASCII that were not percent-encoded.</li>
 * </ul>
 */
public final class QueryString {

  /** A component that is not well-formed percent-encoded UTF-8. */
  public static final class Malformed extends IllegalArgumentException {

    Malformed(String message) {
      super(message);
    }
  }

  /** One {@code name=value} pair, both decoded. */
  public record Pair(String name, String value) {
  }

  private final List<Pair> pairs;

  private QueryString(List<Pair> pairs) {
    this.pairs = pairs;
  }

  /**
   * Parses a raw query string (what follows {@code ?}, still encoded; null or empty: no pairs).
   *
   * @throws Malformed naming the first component that cannot be decoded
   */
  public static QueryString parse(String rawQuery) {
    List<Pair> pairs = new ArrayList<>();
    if (rawQuery != null) {
      for (String piece : rawQuery.split("&", -1)) {
        if (piece.isEmpty()) {
          continue;
        }
        int eq = piece.indexOf('=');
        String name = eq < 0 ? piece : piece.substring(0, eq);
        String value = eq < 0 ? "" : piece.substring(eq + 1);
        pairs.add(new Pair(decode(name, true, "a query parameter name"), decode(value, true, "the query parameter '"
            + printable(name) + "'")));
      }
    }
    return new QueryString(List.copyOf(pairs));
  }

  /** Every value given for {@code name} (case-insensitive), in order; empty when absent. */
  public List<String> all(String name) {
    List<String> values = new ArrayList<>(1);
    for (Pair pair : pairs) {
      if (pair.name().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
        values.add(pair.value());
      }
    }
    return values;
  }

  public List<Pair> pairs() {
    return pairs;
  }

  /** Decodes one raw path segment ({@code +} stays a plus). */
  public static String pathSegment(String raw) {
    return decode(raw, false, "the path");
  }

  /** Checks that a raw path decodes (segment by segment it decodes the same way). */
  public static void checkPath(String rawPath) {
    if (rawPath != null) {
      decode(rawPath, false, "the path");
    }
  }

  private static String decode(String raw, boolean plusIsSpace, String what) {
    if (raw.indexOf('%') < 0 && (!plusIsSpace || raw.indexOf('+') < 0) && printableAscii(raw)) {
      return raw;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        int high = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
        int low = high < 0 ? -1 : Character.digit(raw.charAt(i + 2), 16);
        if (low < 0) {
          throw new Malformed(what + " is not correctly percent-encoded: the '%' at character " + (i + 1)
              + " is not followed by two hexadecimal digits");
        }
        bytes.write(high << 4 | low);
        i += 2;
      } else if (c == '+' && plusIsSpace) {
        bytes.write(' ');
      } else if (c > 0x20 && c < 0x7f) {
        bytes.write(c);
      } else {
        throw new Malformed(what + " is not correctly percent-encoded: character " + (i + 1)
            + " must be percent-encoded");
      }
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
    } catch (CharacterCodingException e) {
      throw new Malformed(what + " is not percent-encoded UTF-8");
    }
  }

  private static boolean printableAscii(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        return false;
      }
    }
    return true;
  }

  /** A raw name for a message: printable ASCII, at most 64 characters. */
  private static String printable(String raw) {
    String shown = raw.length() > 64 ? raw.substring(0, 64) + "..." : raw;
    return printableAscii(shown) ? shown : "?";
  }
}
