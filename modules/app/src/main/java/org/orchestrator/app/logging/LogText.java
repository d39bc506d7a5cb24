package org.orchestrator.app.logging;

/**
 * How text a client may have chosen is written into a log line: every control character escaped
 * (CR and LF as {@code \r} and {@code \n}, tab as {@code \t}, the others, DEL and the Unicode line
 * and paragraph separators as {@code \}{@code uXXXX}), so an event is always one line and no value can
 * start a forged one; and at most a bounded number of characters, the rest replaced by a marker
 * saying how many were cut. A backslash is written as it is: a literal {@code \n} in a value then reads
 * like an escaped newline, which is ambiguous but forges nothing.
 */
public final class LogText {

  /** Characters kept of one value of a log message (an argument of its pattern). */
  public static final int MAX_VALUE = 200;
  /** Characters kept of a whole message, and of an exception's message. */
  public static final int MAX_MESSAGE = 2_000;

  private LogText() {
  }

  /** {@code text} escaped and cut to {@code max} characters (then a marker); "null" for null. */
  public static String bounded(CharSequence text, int max) {
    if (text == null) {
      return "null";
    }
    int length = text.length();
    int kept = Math.min(length, max);
    if (kept > 0 && kept < length && Character.isHighSurrogate(text.charAt(kept - 1))) {
      kept--; // never half a character
    }
    StringBuilder out = null;
    for (int i = 0; i < kept; i++) {
      char c = text.charAt(i);
      String escape = escape(c);
      if (escape != null && out == null) {
        out = new StringBuilder(kept + 16).append(text, 0, i);
      }
      if (out != null) {
        if (escape != null) {
          out.append(escape);
        } else {
          out.append(c);
        }
      }
    }
    if (out == null && kept == length) {
      return text.toString();
    }
    if (out == null) {
      out = new StringBuilder(kept + 32).append(text, 0, kept);
    }
    if (kept < length) {
      out.append("...[").append(length - kept).append(" more characters]");
    }
    return out.toString();
  }

  private static String escape(char c) {
    switch (c) {
      case '\n':
        return "\\n";
      case '\r':
        return "\\r";
      case '\t':
        return "\\t";
      default:
        if (c < 0x20 || c == 0x7f || c == 0x85 || c == 0x2028 || c == 0x2029) {
          return String.format("\\u%04x", (int) c);
        }
        return null;
    }
  }
}
