package org.ucp.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.ucp.bus.Messages.DataEntry;
import org.ucp.bus.Messages.DataLocation;

/**
 * What a datastore's inventory may take out of the index ({@link DataIndex#withoutUnheld}). The
 * chaos run that found it (seed 8128, one kill at a time): a restarted broker listed datastore
 * broker-2 while a provisional result was being committed there; the listing missed it, the
 * reconcile then took broker-2 out of the entry, and the accepted result could not be promoted
 * for 2.5 minutes ("no live datastore holds").
 */
class ReconcileTest {
  private static DataLocation at(String version, String... stores) {
    return new DataLocation("j/attempts/1/result.zip", version, 10, "s", List.of(stores), false);
  }

  private static DataEntry copy(String version) {
    return new DataEntry("j/attempts/1/result.zip", 10, "s", version, List.of("b2"));
  }

  @Test
  void aWriteCommittedWhileTheStoreWasListedKeepsItsHolder() {
    // Not in the index before the inventory was asked for, so the listing cannot refute it.
    assertNull(DataIndex.withoutUnheld(null, at("v2", "b2", "b3"), null, "b2"));
    // A newer version written since: the listing predates it.
    assertNull(DataIndex.withoutUnheld(at("v1", "b2"), at("v2", "b2"), null, "b2"));
    // The same version, the store added as a holder since (a repair copy).
    assertNull(DataIndex.withoutUnheld(at("v1", "b3"), at("v1", "b2", "b3"), null, "b2"));
  }

  @Test
  void anEntryTheInventoryRefutesLosesTheStore() {
    assertEquals(List.of("b3"), DataIndex.withoutUnheld(at("v1", "b2", "b3"), at("v1", "b2", "b3"), null, "b2"));
    assertEquals(List.of("b3"), DataIndex.withoutUnheld(at("v1", "b2", "b3"), at("v1", "b2", "b3"), copy("v0"), "b2"));
    assertNull(DataIndex.withoutUnheld(at("v1", "b2", "b3"), at("v1", "b2", "b3"), copy("v1"), "b2"));
    assertNull(DataIndex.withoutUnheld(at("v1", "b3"), at("v1", "b3"), null, "b2"));
  }
}
