package org.orchestrator.http.support;

/**
 * Strict JSON text (RFC 8259), checked on the raw bytes before any parser reads them: the JSON
 * reader Vert.x configures (Jackson, with {@code ALLOW_COMMENTS} on) is more lenient than JSON,
 * and some of what it lets through is stored as something other than what was sent. One pass
 * refuses:
 * <ul>
 *   <li>bytes that are not well-formed UTF-8 (JSON text is UTF-8): overlong forms, surrogates
 *   encoded as characters ({@code ED A0 80}), values beyond U+10FFFF, stray continuation bytes;</li>
 *   <li>an escaped surrogate that is not half of a pair (backslash-u-d800 alone, a low one first):
 *   no character, and PostgreSQL stored it as {@code ?};</li>
 *   <li>comments (block and line comments): a {@code /} outside a string is never JSON;</li>
 *   <li>NUL, raw or escaped (backslash-u-0000), which PostgreSQL cannot store.</li>
 * </ul>
 * Everything else (structure, numbers) is left to the parser, which refuses it.
 */
public final class JsonText {

  /** The refusal of a NUL, worded as the body check always worded it. */
  public static final String NUL = "NUL characters are not allowed in a request body";

  private JsonText() {
  }

  /** Why {@code bytes} are not acceptable JSON text, or null when nothing here refuses them. */
  public static String fault(byte[] bytes) {
    boolean inString = false;
    int i = 0;
    while (i < bytes.length) {
      int b = bytes[i] & 0xff;
      if (b >= 0x80) {
        int length = utf8Length(bytes, i);
        if (length < 0) {
          return "the body is not well-formed UTF-8 (byte " + i + ")";
        }
        i += length;
        continue;
      }
      if (b == 0) {
        return NUL;
      }
      if (inString) {
        if (b == '"') {
          inString = false;
        } else if (b == '\\') {
          if (i + 1 < bytes.length && bytes[i + 1] == 'u') {
            int unit = hex4(bytes, i + 2);
            if (unit == 0) {
              return NUL;
            }
            if (unit >= 0xDC00 && unit <= 0xDFFF) {
              return "the body has a lone surrogate (\\u" + Integer.toHexString(unit) + "): a low surrogate "
                  + "comes only after a high one";
            }
            if (unit >= 0xD800 && unit <= 0xDBFF) {
              int low = i + 7 < bytes.length && bytes[i + 6] == '\\' && bytes[i + 7] == 'u' ? hex4(bytes, i + 8) : -1;
              if (low < 0xDC00 || low > 0xDFFF) {
                return "the body has a lone surrogate (\\u" + Integer.toHexString(unit) + "): a high surrogate "
                    + "comes only before a low one";
              }
              i += 12;
              continue;
            }
            i += unit < 0 ? 2 : 6; // a malformed escape: the parser refuses it
            continue;
          }
          i += 2; // any other escape: one character
          continue;
        }
      } else if (b == '"') {
        inString = true;
      } else if (b == '/') {
        return "the body has a comment or a '/' outside a string: JSON has no comments";
      }
      i++;
    }
    return null;
  }

  /** The value of four hex digits at {@code at}, or -1. */
  private static int hex4(byte[] bytes, int at) {
    if (at + 4 > bytes.length) {
      return -1;
    }
    int value = 0;
    for (int i = at; i < at + 4; i++) {
      int digit = Character.digit(bytes[i], 16);
      if (digit < 0) {
        return -1;
      }
      value = value * 16 + digit;
    }
    return value;
  }

  /** The length of the well-formed UTF-8 sequence starting at {@code at} (Unicode table 3-7), or -1. */
  private static int utf8Length(byte[] bytes, int at) {
    int lead = bytes[at] & 0xff;
    int length;
    int min = 0x80;
    int max = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) {
        min = 0xA0; // not overlong
      } else if (lead == 0xED) {
        max = 0x9F; // not a surrogate
      }
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) {
        min = 0x90; // not overlong
      } else if (lead == 0xF4) {
        max = 0x8F; // not beyond U+10FFFF
      }
    } else {
      return -1; // a continuation byte, an overlong lead (C0, C1) or beyond U+10FFFF (F5..FF)
    }
    if (at + length > bytes.length) {
      return -1;
    }
    int second = bytes[at + 1] & 0xff;
    if (second < min || second > max) {
      return -1;
    }
    for (int i = at + 2; i < at + length; i++) {
      int next = bytes[i] & 0xff;
      if (next < 0x80 || next > 0xBF) {
        return -1;
      }
    }
    return length;
  }
}
