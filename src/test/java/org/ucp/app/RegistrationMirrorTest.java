package org.ucp.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.spi.cluster.RegistrationInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegistrationMirrorTest {
  private final List<String> reports = new ArrayList<>();
  private final RegistrationMirror mirror = new RegistrationMirror((address, now) -> reports.add(address + "=" + now.size()));

  private static RegistrationInfo at(String node, long seq) {
    return new RegistrationInfo(node, seq, false);
  }

  @Test
  void answersNothingUntilTheSnapshotIsLoadedThenEverything() {
    mirror.added("a", at("n1", 1));
    assertNull(mirror.get("a"), "no answer before the snapshot: the caller asks the map");
    mirror.loaded(Map.of("a", List.of(at("n2", 1)), "b", List.of(at("n1", 2))));
    assertEquals(List.of(at("n1", 1), at("n2", 1)), mirror.get("a").stream().sorted(
        java.util.Comparator.comparing(RegistrationInfo::nodeId)).toList());
    assertEquals(List.of(at("n1", 2)), mirror.get("b"));
    assertNull(mirror.get("c"), "an unknown address is asked of the map");
  }

  @Test
  void aRegistrationRemovedWhileTheSnapshotIsReadIsNotBroughtBackByIt() {
    mirror.removed("a", at("n1", 1));
    mirror.loaded(Map.of("a", List.of(at("n1", 1), at("n2", 1))));
    assertEquals(List.of(at("n2", 1)), mirror.get("a"));
  }

  @Test
  void aRegistrationAddedWhileTheSnapshotIsReadStaysThoughTheSnapshotMissesIt() {
    mirror.added("a", at("n3", 1));
    mirror.loaded(Map.of());
    assertEquals(List.of(at("n3", 1)), mirror.get("a"));
  }

  @Test
  void aNodeThatLeftLosesItsRegistrationsAndALateEventOfItsIsIgnoredUntilItIsAMemberAgain() {
    mirror.loaded(Map.of("a", List.of(at("n1", 1), at("n2", 1)), "b", List.of(at("n1", 2))));
    reports.clear();
    mirror.nodeLeft("n1");
    assertEquals(List.of(at("n2", 1)), mirror.get("a"));
    assertNull(mirror.get("b"));
    assertEquals(List.of("a=1", "b=0"), reports.stream().sorted().toList(), "each changed address is reported");
    mirror.added("b", at("n1", 2));
    assertNull(mirror.get("b"), "a late event of a node that left");
    mirror.members(List.of("n1"));
    mirror.added("b", at("n1", 3));
    assertEquals(List.of(at("n1", 3)), mirror.get("b"));
  }

  @Test
  void aReloadReplacesWhatTheMirrorHeldAndReportsOnlyWhatChanged() {
    mirror.loaded(Map.of("a", List.of(at("n1", 1)), "b", List.of(at("n2", 1))));
    reports.clear();
    mirror.reloading();
    assertEquals(List.of(at("n1", 1)), mirror.get("a"), "while a snapshot is read again, the mirror answers from what it holds");
    mirror.loaded(Map.of("a", List.of(at("n1", 1)), "c", List.of(at("n3", 1))));
    assertEquals(List.of(at("n1", 1)), mirror.get("a"));
    assertNull(mirror.get("b"));
    assertEquals(List.of(at("n3", 1)), mirror.get("c"));
    assertEquals(List.of("b=0", "c=1"), reports.stream().sorted().toList());
  }

  @Test
  void addingAndRemovingReportTheWholeNewListAndRepeatsReportNothing() {
    mirror.loaded(Map.of());
    mirror.added("a", at("n1", 1));
    mirror.added("a", at("n1", 1));
    mirror.added("a", at("n2", 1));
    mirror.removed("a", at("n1", 1));
    mirror.removed("a", at("n1", 1));
    mirror.removed("a", at("n2", 1));
    assertEquals(List.of("a=1", "a=2", "a=1", "a=0"), reports);
    assertNull(mirror.get("a"));
  }

  @Test
  void changesAreReportedOutsideTheMirrorsLockSoTheListenerMayAskItFromAnotherThread() throws Exception {
    List<List<RegistrationInfo>> seenByAnotherThread = new ArrayList<>();
    RegistrationMirror[] box = new RegistrationMirror[1];
    box[0] = new RegistrationMirror((address, now) -> {
      java.util.concurrent.CompletableFuture<List<RegistrationInfo>> asked =
          java.util.concurrent.CompletableFuture.supplyAsync(() -> box[0].get("other"));
      try {
        seenByAnotherThread.add(asked.get(5, java.util.concurrent.TimeUnit.SECONDS));
      } catch (Exception e) {
        throw new AssertionError("another thread could not ask the mirror while a change was reported", e);
      }
    });
    box[0].loaded(Map.of("other", List.of(at("n9", 1))));
    box[0].added("a", at("n1", 1));
    assertEquals(List.of(List.of(at("n9", 1)), List.of(at("n9", 1))), seenByAnotherThread);
  }

  @Test
  void nothingIsReportedBeforeTheFirstSnapshotThenEveryAddressOnce() {
    mirror.added("a", at("n1", 1));
    assertEquals(List.of(), reports, "the selector is kept by Vert.x's own re-reads until the mirror answers");
    mirror.loaded(Map.of("b", List.of(at("n2", 1))));
    assertEquals(List.of("a=1", "b=1"), reports.stream().sorted().toList());
  }

  @Test
  void aLocalOnlyRegistrationWhichTheMapNeverHoldsSurvivesEverySnapshot() {
    mirror.added("a", new RegistrationInfo("self", 1, true));
    mirror.loaded(Map.of("a", List.of(at("n2", 1))));
    assertEquals(2, mirror.get("a").size());
    mirror.reloading();
    mirror.loaded(Map.of("a", List.of(at("n2", 1))));
    assertEquals(2, mirror.get("a").size(), "a reload keeps it");
    mirror.removed("a", new RegistrationInfo("self", 1, true));
    mirror.reloading();
    mirror.loaded(Map.of("a", List.of(at("n2", 1))));
    assertEquals(List.of(at("n2", 1)), mirror.get("a"));
  }

  @Test
  void aReadAfterANodeLeftDoesNotBringItsRegistrationsBackButOneAfterItIsAMemberAgainDoes() {
    mirror.loaded(Map.of("a", List.of(at("n1", 1))));
    mirror.nodeLeft("n1");
    mirror.reloading();
    mirror.loaded(Map.of("a", List.of(at("n1", 1))));
    assertNull(mirror.get("a"), "the map still held it: the leaving node's entries are removed after");
    mirror.members(List.of("n1"));
    mirror.reloading();
    mirror.loaded(Map.of("a", List.of(at("n1", 1))));
    assertEquals(List.of(at("n1", 1)), mirror.get("a"));
  }
}
