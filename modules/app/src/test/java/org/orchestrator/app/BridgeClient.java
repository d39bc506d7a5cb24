package org.orchestrator.app;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import io.vertx.core.json.JsonObject;
import org.orchestrator.contracts.bus.BridgeWire;

/**
 * A bridge client over plain blocking sockets: frames written as {@link BridgeWire} writes them (a
 * 4-byte big-endian length, then UTF-8 JSON, as docs/event-bus.md says), raw bytes for the frames
 * the format does not allow.
 */
final class BridgeClient implements AutoCloseable {

  private final Socket socket;
  private final DataInputStream in;
  private final DataOutputStream out;

  BridgeClient(int port) throws IOException {
    this(port, "127.0.0.1");
  }

  /** A client whose connection comes from {@code localAddress} (another loopback address is another client). */
  BridgeClient(int port, String localAddress) throws IOException {
    socket = new Socket();
    socket.bind(new java.net.InetSocketAddress(localAddress, 0));
    socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 10_000);
    socket.setSoTimeout(10_000);
    in = new DataInputStream(socket.getInputStream());
    out = new DataOutputStream(socket.getOutputStream());
  }

  void write(JsonObject frame) throws IOException {
    writeRaw(BridgeWire.frame(frame).getBytes());
  }

  /** Raw bytes, for frames the format does not allow. */
  void writeRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** A frame whose payload is {@code payload} as it is, JSON or not. */
  void writeFrame(String payload) throws IOException {
    byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
    out.writeInt(bytes.length);
    writeRaw(bytes);
  }

  /** Whether the server closes the connection within {@code millis} (end of stream or reset). */
  boolean closedByServer(int millis) throws IOException {
    socket.setSoTimeout(millis);
    try {
      return in.read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  /** The next frame, or null when none arrives within {@code millis}. */
  JsonObject read(int millis) throws IOException {
    socket.setSoTimeout(millis);
    try {
      int length = in.readInt();
      byte[] json = in.readNBytes(length);
      return new JsonObject(new String(json, StandardCharsets.UTF_8));
    } catch (SocketTimeoutException e) {
      return null;
    }
  }

  /** Sends to an address with a reply address and returns the reply frame. */
  JsonObject request(String address, String token, JsonObject body) throws IOException {
    JsonObject frame = new JsonObject().put("type", "send").put("address", address).put("replyAddress", "reply-1")
        .put("body", body);
    if (token != null) {
      frame.put("headers", new JsonObject().put("Authorization", "Bearer " + token));
    }
    write(frame);
    return read(10_000);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
