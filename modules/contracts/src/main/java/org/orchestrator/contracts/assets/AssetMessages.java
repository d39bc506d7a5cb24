package org.orchestrator.contracts.assets;

import org.orchestrator.contracts.PageRequest;
import java.time.Instant;
import java.util.List;
import org.orchestrator.contracts.Caller;

/** Bodies of the assets module's addresses. */
public final class AssetMessages {

  private AssetMessages() {
  }

  /** What an asset holds; a Credential's value is given to robots only, never listed to people. */
  public enum AssetType { Text, Integer, Bool, Credential }

  /** A tenant administrator creates an asset; {@code value} is the JSON value as sent. */
  public record CreateAsset(Caller caller, String name, AssetType type, Object value) {
  }

  /** A tenant administrator replaces an asset's value (its type stays). */
  public record UpdateAsset(Caller caller, long id, Object value) {
  }

  public record DeleteAsset(Caller caller, long id) {
  }

  /** Assets of the caller's tenant by name (case-insensitive). */
  public record ListAssets(Caller caller, PageRequest page) {
  }

  /** A robot reads an asset of its tenant by name. */
  public record GetRobotAsset(Caller robot, String name) {
  }

  /**
   * An asset as its reader may see it: {@code value} is the typed value (String, Long, Boolean),
   * null for a Credential read by a person.
   */
  public record Asset(long id, long tenantId, String name, AssetType type, Object value, Instant createdAt,
      Instant updatedAt) {
  }

  public record Deleted(long id) {
  }
}
