package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.contracts.bus.BusAddress;
import org.orchestrator.http.HttpApiVerticle;
import org.orchestrator.platform.metrics.Meters;
import org.orchestrator.platform.modules.FeatureModule;

/** Every bus address and every meter belongs to exactly one module, as the descriptors declare. */
class ModulesTest {

  @Test
  void everyAddressHasExactlyOneOwningModule() {
    Map<String, String> owner = new HashMap<>();
    for (FeatureModule module : Orchestrator.MODULES) {
      for (BusAddress<?, ?> address : module.addresses()) {
        String before = owner.put(address.name(), module.name());
        assertEquals(null, before, address + " is claimed by " + before + " and " + module.name());
      }
    }
    Set<String> orphans = new TreeSet<>();
    Addresses.all().forEach(address -> {
      if (!owner.containsKey(address.name())) {
        orphans.add(address.name());
      }
    });
    assertEquals(Set.of(), orphans, "addresses no module owns");
  }

  @Test
  void everyMeterHasExactlyOneOwner() throws Exception {
    List<String> claimed = new ArrayList<>(HttpApiVerticle.METERS);
    Orchestrator.MODULES.forEach(module -> claimed.addAll(module.meters()));
    Set<String> unique = new TreeSet<>(claimed);
    assertEquals(claimed.size(), unique.size(), "a meter claimed twice: " + claimed);
    Set<String> declared = new TreeSet<>();
    for (Field field : Meters.class.getFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
        declared.add((String) field.get(null));
      }
    }
    assertEquals(declared, unique, "every meter in Meters has an owner, and nothing else is claimed");
  }

  @Test
  void modulesAreNamedOnceAndThePhaseStartsFirst() {
    List<String> names = Orchestrator.MODULES.stream().map(FeatureModule::name).toList();
    assertEquals(names.size(), new TreeSet<>(names).size());
    assertEquals("phase", names.get(0), "every reader of the phase loads it from the phase module");
    assertTrue(names.indexOf("jobs") < names.indexOf("scheduler"), "the scheduler asks jobs for jobs");
  }
}
