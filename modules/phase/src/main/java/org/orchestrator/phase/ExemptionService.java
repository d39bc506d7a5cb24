package org.orchestrator.phase;

import io.vertx.core.Future;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.orchestrator.contracts.Caller;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.jobs.JobMessages.SweepJobs;
import org.orchestrator.contracts.phase.MaintenancePhase;
import org.orchestrator.contracts.phase.PhaseMessages.Exemption;
import org.orchestrator.contracts.phase.PhaseMessages.Exemptions;
import org.orchestrator.contracts.phase.PhaseMessages.GetExemptions;
import org.orchestrator.contracts.phase.PhaseMessages.PhaseSnapshot;
import org.orchestrator.contracts.phase.PhaseMessages.SetExemptions;
import org.orchestrator.phase.PhaseRepository.ExemptionEntry;

/**
 * The exempt processes (decision 116): the list in force, replaced whole by the host
 * administrator, and what a change does to the open windows. Each window copies the list as it
 * opens; a change while one is open replaces its copy too, in the transaction that moves the state
 * version (and closes the start fence), and then sends Stop to the jobs of a process that is no
 * longer exempt. Who may run what is then {@code MaintenanceRules}' and {@code maintenance_exempt}'s.
 */
final class ExemptionService {

  /** A process name as a job's: 1-128 printable characters. */
  private static final Pattern PROCESS = Pattern.compile("[^\\p{Cntrl}]{1,128}");
  private static final String HOST_ONLY = "exemptions are set by the host administrator";

  private final PhaseRepository repository;
  private final MaintenanceService maintenance;
  private final MaintenanceService.Peers peers;
  private final Supplier<Future<Set<Long>>> tenants;
  private final Clock clock;

  /** {@code tenants}: every tenant's id, so that an item naming no tenant is refused. */
  ExemptionService(PhaseRepository repository, MaintenanceService maintenance, MaintenanceService.Peers peers,
      Supplier<Future<Set<Long>>> tenants, Clock clock) {
    this.repository = repository;
    this.maintenance = maintenance;
    this.peers = peers;
    this.tenants = tenants;
    this.clock = clock;
  }

  /** Every tenant's exemptions for the host administrator; its own for a tenant administrator. */
  Future<Exemptions> get(GetExemptions request) {
    Caller caller = request.caller();
    Future<Long> scope = caller.isHostAdmin() ? Future.succeededFuture(null)
        : caller.tenantAdministrator();
    return scope.compose(tenant -> repository.exemptions().map(entries -> view(entries, maintenance.snapshot(), tenant)));
  }

  Future<Exemptions> set(SetExemptions request) {
    return request.caller().hostAdministrator(HOST_ONLY).compose(host -> {
      List<Exemption> items = validated(request.items());
      return known(items)
          .compose(ok -> maintenance.write(fresh -> repository.replaceExemptions(fresh.version(), items,
              clock.instant(), host.name(), "exemptions set: " + describe(items))))
          .compose(this::stopNoLongerExempt)
          .compose(stored -> repository.exemptions().map(entries -> view(entries, stored, null)));
    });
  }

  /**
   * While a window is Draining, the jobs of a process it no longer exempts are sent Stop now (the
   * tick would within a second for the platform's window; a tenant's own window has no tick).
   */
  private Future<PhaseSnapshot> stopNoLongerExempt(PhaseSnapshot stored) {
    List<Future<?>> sweeps = new ArrayList<>();
    if (stored.phase() == MaintenancePhase.Draining) {
      sweeps.add(peers.stopAll(new SweepJobs(stored.windowId(), null)));
    }
    stored.tenants().values().stream().filter(window -> window.phase() == MaintenancePhase.Draining)
        .forEach(window -> sweeps.add(peers.stopAll(new SweepJobs(window.windowId(), window.tenantId()))));
    return Future.all(sweeps).map(stored);
  }

  /** The list as {@code tenant} (null: every tenant) sees it, and what is in effect now. */
  private static Exemptions view(List<ExemptionEntry> entries, PhaseSnapshot snapshot, Long tenant) {
    List<Exemption> items = entries.stream().map(ExemptionEntry::item)
        .filter(item -> tenant == null || item.tenantId() == tenant).toList();
    ExemptionEntry last = entries.stream().max(java.util.Comparator.comparing(ExemptionEntry::setAt)).orElse(null);
    List<Exemption> inEffect = snapshot == null ? List.of() : snapshot.exemptions().stream()
        .filter(item -> tenant == null || item.tenantId() == tenant)
        .filter(item -> snapshot.rules().exempt(item.tenantId(), item.processName())).toList();
    return new Exemptions(items, last == null ? null : last.setAt(), last == null ? null : last.setBy(), inEffect);
  }

  private Future<Void> known(List<Exemption> items) {
    if (items.isEmpty()) {
      return Future.succeededFuture();
    }
    return tenants.get().compose(ids -> {
      List<Long> unknown = items.stream().map(Exemption::tenantId).filter(id -> !ids.contains(id)).distinct().sorted()
          .limit(10).toList();
      return unknown.isEmpty() ? Future.succeededFuture()
          : Future.failedFuture(Failure.badRequest("no tenant with id " + unknown.get(0)
              + (unknown.size() > 1 ? " (nor " + unknown.subList(1, unknown.size()) + ")" : "") + "; nothing changed"));
    });
  }

  /** The items as given, checked: a clear 400 for the first bad one, nothing changed. */
  static List<Exemption> validated(List<Exemption> items) {
    if (items == null) {
      throw Failure.badRequest("items is required: a list of {tenantId, processName, reason} (empty: no exemptions)");
    }
    if (items.size() > SetExemptions.MAX_ITEMS) {
      throw Failure.badRequest("at most " + SetExemptions.MAX_ITEMS + " exemptions");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < items.size(); i++) {
      Exemption item = items.get(i);
      String at = "items[" + i + "]";
      if (item == null) {
        throw Failure.badRequest(at + " is an object {tenantId, processName, reason}");
      }
      if (item.tenantId() < 1) {
        throw Failure.badRequest(at + ".tenantId is a tenant's id (an integer >= 1)");
      }
      if (item.processName() == null || !PROCESS.matcher(item.processName()).matches()) {
        throw Failure.badRequest(at + ".processName is 1-128 printable characters");
      }
      if (item.reason() == null || item.reason().isBlank() || item.reason().length() > SetExemptions.MAX_REASON
          || item.reason().chars().anyMatch(Character::isISOControl)) {
        throw Failure.badRequest(at + ".reason is required: 1-" + SetExemptions.MAX_REASON
            + " printable characters saying why the process runs through maintenance");
      }
      if (!seen.add(item.tenantId() + "\u0000" + item.processName())) {
        throw Failure.badRequest(at + " repeats tenant " + item.tenantId() + "'s process " + item.processName());
      }
    }
    return List.copyOf(items);
  }

  /** The change as the windows' audit records it: the items, a few of them when many. */
  private static String describe(List<Exemption> items) {
    if (items.isEmpty()) {
      return "none";
    }
    List<String> named = items.stream().limit(5).map(item -> "tenant " + item.tenantId() + " " + item.processName())
        .toList();
    return String.join(", ", named) + (items.size() > 5 ? " and " + (items.size() - 5) + " more" : "");
  }
}
