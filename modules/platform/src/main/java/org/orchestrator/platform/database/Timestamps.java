package org.orchestrator.platform.database;

import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** {@code timestamptz} <-> {@link Instant}, null-safe, always UTC: the one conversion every repository uses. */
public final class Timestamps {

  private Timestamps() {
  }

  public static OffsetDateTime utc(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }

  public static Instant instant(OffsetDateTime value) {
    return value == null ? null : value.toInstant();
  }

  public static Instant instant(Row row, String column) {
    return instant(row.getOffsetDateTime(column));
  }
}
