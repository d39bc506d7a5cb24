package org.orchestrator.contracts.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Passes immutable message records between verticles of one JVM without copying. Records never
 * cross the wire: what leaves the process (the TCP bridge, other nodes) is JSON converted at the
 * edge.
 */
public final class LocalRecordCodec implements MessageCodec<Record, Record> {

  public static final String NAME = "local-record";

  /** Registers the codec and selects it for every record body. */
  public static void register(EventBus bus) {
    bus.registerCodec(new LocalRecordCodec());
    bus.codecSelector(body -> body instanceof Record ? NAME : null);
  }

  @Override
  public void encodeToWire(Buffer buffer, Record record) {
    throw new UnsupportedOperationException("message records are local only: " + record.getClass());
  }

  @Override
  public Record decodeFromWire(int pos, Buffer buffer) {
    throw new UnsupportedOperationException("message records are local only");
  }

  @Override
  public Record transform(Record record) {
    return record;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
