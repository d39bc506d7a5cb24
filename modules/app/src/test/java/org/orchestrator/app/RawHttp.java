package org.orchestrator.app;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * HTTP/1.1 over a plain socket, for tests that must control the request line: the URI goes out
 * byte for byte as written (no client re-encodes or validates it), one connection per request
 * ({@code Connection: close}), and a 30 s read timeout on a blocking socket, so that no event loop
 * (the node's or a client's) is involved in the test's side at all. An earlier version on Vert.x's
 * HTTP client, sharing the node's Vert.x, once waited 180 s for a reply that never came.
 */
public final class RawHttp {

  private static final int TIMEOUT_MS = 30_000;

  /** A whole reply, body read. */
  public record Reply(int status, String contentType, Buffer body, java.util.Map<String, String> headers) {

    /** A header's value (names compared in lower case), or null. */
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    public JsonObject json() {
      return body.toJsonObject();
    }

    /** The {@code message} of a JSON error. */
    public String message() {
      return json().getString("message");
    }
  }

  private final int port;
  private final String userAgent;

  /**
   * @param vertx unused (kept so callers read as before)
   * @param userAgent sent with every request; null for none
   */
  public RawHttp(Vertx vertx, int port, String userAgent) {
    this.port = port;
    this.userAgent = userAgent;
  }

  /** Sends {@code uri} as written, with a bearer token and a JSON body when not null. */
  public Reply send(HttpMethod method, String uri, String token, String jsonBody) {
    byte[] body = jsonBody == null ? new byte[0] : jsonBody.getBytes(StandardCharsets.UTF_8);
    StringBuilder head = new StringBuilder(method.name()).append(' ').append(uri).append(" HTTP/1.1\r\n")
        .append("Host: 127.0.0.1:").append(port).append("\r\nConnection: close\r\n");
    if (userAgent != null) {
      head.append("User-Agent: ").append(userAgent).append("\r\n");
    }
    if (token != null) {
      head.append("Authorization: Bearer ").append(token).append("\r\n");
    }
    if (jsonBody != null) {
      head.append("Content-Type: application/json\r\n");
    }
    if (jsonBody != null || method != HttpMethod.GET) {
      head.append("Content-Length: ").append(body.length).append("\r\n");
    }
    head.append("\r\n");
    return send(head, body, method + " " + uri);
  }

  /**
   * Sends {@code method target} with the header lines {@code headers} (each {@code Name: value}),
   * then {@code body} with its Content-Length; a HEAD reply is read without a body.
   */
  public Reply exchange(String method, String target, java.util.List<String> headers, byte[] body) {
    StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
        .append("Host: 127.0.0.1:").append(port).append("\r\nConnection: close\r\n");
    headers.forEach(header -> head.append(header).append("\r\n"));
    head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
    return send(head, body, method + " " + target);
  }

  /** Writes {@code head} and {@code body} on a new connection and reads the reply until the node closes it. */
  private Reply send(CharSequence head, byte[] body, String what) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MS);
      socket.setSoTimeout(TIMEOUT_MS);
      OutputStream out = socket.getOutputStream();
      out.write(head.toString().getBytes(StandardCharsets.UTF_8));
      out.write(body);
      out.flush();
      return parse(socket.getInputStream().readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("no complete reply to " + what, e);
    }
  }

  /** Status line, headers (Content-Type, Content-Length or chunked), body. */
  private static Reply parse(byte[] raw) {
    String text = new String(raw, StandardCharsets.ISO_8859_1);
    int headersEnd = text.indexOf("\r\n\r\n");
    if (headersEnd < 0) {
      throw new IllegalStateException("not an HTTP reply: " + text);
    }
    String[] lines = text.substring(0, headersEnd).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    String contentType = null;
    boolean chunked = false;
    java.util.Map<String, String> headers = new java.util.HashMap<>();
    for (int i = 1; i < lines.length; i++) {
      String line = lines[i].toLowerCase(Locale.ROOT);
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.put(line.substring(0, colon).trim(), lines[i].substring(colon + 1).trim());
      }
      if (line.startsWith("content-type:")) {
        contentType = lines[i].substring("content-type:".length()).trim();
      } else if (line.startsWith("transfer-encoding:") && line.contains("chunked")) {
        chunked = true;
      }
    }
    byte[] rest = java.util.Arrays.copyOfRange(raw, headersEnd + 4, raw.length);
    return new Reply(status, contentType, Buffer.buffer(chunked ? unchunk(rest) : rest), headers);
  }

  private static byte[] unchunk(byte[] chunked) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    InputStream in = new java.io.ByteArrayInputStream(chunked);
    try {
      while (true) {
        StringBuilder size = new StringBuilder();
        for (int c = in.read(); c != '\n' && c >= 0; c = in.read()) {
          if (c != '\r') {
            size.append((char) c);
          }
        }
        int length = Integer.parseInt(size.toString().split(";")[0].trim(), 16);
        if (length == 0) {
          return body.toByteArray();
        }
        body.write(in.readNBytes(length));
        in.skip(2);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void close() {
    // one socket per request, each closed with its reply
  }
}
