package org.orchestrator.retention;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.retention.RetentionMessages.RetainedTable;

/**
 * The rules of a retention policy, pure: which fields there are, what each may hold, and what
 * applies to a tenant (the host's policy with the tenant's override on top).
 */
final class Policies {

  static final int MAX_DAYS = 3650;
  static final String ARCHIVE = "archive";
  /** The days field of each table, in the order they are documented. */
  static final Map<RetainedTable, String> DAYS = new LinkedHashMap<>();

  static {
    DAYS.put(RetainedTable.robot_logs, "robotLogsDays");
    DAYS.put(RetainedTable.jobs, "finishedJobsDays");
    DAYS.put(RetainedTable.queue_items, "queueItemsDays");
    DAYS.put(RetainedTable.webhook_deliveries, "webhookDeliveriesDays");
  }

  private Policies() {
  }

  /**
   * The fields of a request body, checked: only known fields; a days field is a whole number 1 to
   * {@value #MAX_DAYS} or null (keep forever); archive is true or false. Otherwise a 400 naming the
   * field, and nothing is stored.
   */
  static JsonObject checked(JsonObject body) {
    if (body == null) {
      throw Failure.badRequest("the body is a JSON object of robotLogsDays, finishedJobsDays, queueItemsDays, "
          + "webhookDeliveriesDays and archive");
    }
    JsonObject fields = new JsonObject();
    for (String name : body.fieldNames()) {
      Object value = body.getValue(name);
      if (name.equals(ARCHIVE)) {
        if (!(value instanceof Boolean)) {
          throw Failure.badRequest("archive is true or false");
        }
        fields.put(name, value);
      } else if (DAYS.containsValue(name)) {
        if (value != null && !(value instanceof Integer || value instanceof Long)) {
          throw Failure.badRequest(name + " is a whole number of days, 1 to " + MAX_DAYS + ", or null (keep forever)");
        }
        if (value != null && (((Number) value).longValue() < 1 || ((Number) value).longValue() > MAX_DAYS)) {
          throw Failure.badRequest(name + " is 1 to " + MAX_DAYS + " days, or null (keep forever); got " + value);
        }
        fields.put(name, value == null ? null : ((Number) value).intValue());
      } else {
        throw Failure.badRequest("unknown field '" + printable(name) + "': a policy has robotLogsDays, "
            + "finishedJobsDays, queueItemsDays, webhookDeliveriesDays and archive");
      }
    }
    return fields;
  }

  /** What applies to a tenant: the host's fields, each replaced by the override's when it sets it. */
  static JsonObject effective(JsonObject host, JsonObject override) {
    JsonObject effective = host.copy();
    if (override != null) {
      override.forEach(field -> effective.put(field.getKey(), field.getValue()));
    }
    return effective;
  }

  /** Days rows of {@code table} are kept under {@code effective}; null: forever. */
  static Integer days(JsonObject effective, RetainedTable table) {
    return effective.getInteger(DAYS.get(table));
  }

  static boolean archive(JsonObject effective) {
    return effective.getBoolean(ARCHIVE, true);
  }

  private static String printable(String name) {
    String shown = name.length() > 40 ? name.substring(0, 40) + "..." : name;
    StringBuilder clean = new StringBuilder();
    shown.codePoints().forEach(c -> clean.appendCodePoint(Character.isISOControl(c) ? '?' : c));
    return clean.toString();
  }
}
