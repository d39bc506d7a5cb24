package org.orchestrator.contracts.bus;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.core.streams.ReadStream;
import java.util.function.LongConsumer;

/**
 * The event-bus bridge's wire format, for both of its ends (the server in http-api, the CLI): each
 * frame is a 4-byte big-endian length, then that many bytes of UTF-8 JSON.
 */
public final class BridgeWire {

  private BridgeWire() {
  }

  /** {@code json} as one frame. */
  public static Buffer frame(JsonObject json) {
    Buffer bytes = json.toBuffer();
    return Buffer.buffer(4 + bytes.length()).appendInt(bytes.length()).appendBuffer(bytes);
  }

  /**
   * Splits {@code source} (or, when null, the buffers handed to the returned parser) into frame
   * payloads for {@code payload} (an empty buffer for a zero-length frame). A declared length above
   * {@code maxBytes} goes to {@code tooLong} instead, and nothing more is read after it: the caller
   * closes the connection.
   */
  public static RecordParser reader(ReadStream<Buffer> source, long maxBytes, Handler<Buffer> payload,
      LongConsumer tooLong) {
    RecordParser parser = source == null ? RecordParser.newFixed(4) : RecordParser.newFixed(4, source);
    parser.handler(new Handler<>() {
      private boolean readingLength = true;
      private boolean refused;

      @Override
      public void handle(Buffer chunk) {
        if (refused) {
          return;
        }
        if (!readingLength) {
          readingLength = true;
          parser.fixedSizeMode(4);
          payload.handle(chunk);
          return;
        }
        long length = Integer.toUnsignedLong(chunk.getInt(0));
        if (length > maxBytes) {
          refused = true;
          tooLong.accept(length);
        } else if (length == 0) {
          payload.handle(Buffer.buffer());
        } else {
          readingLength = false;
          parser.fixedSizeMode((int) length);
        }
      }
    });
    return parser;
  }
}
