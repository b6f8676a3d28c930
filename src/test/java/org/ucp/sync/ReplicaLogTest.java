package org.ucp.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.clock.VectorClock;

/**
 * The replica a broker keeps on disk: what it appended is what a restart loads (a torn last line,
 * as a kill mid-write leaves, skipped), and a snapshot replaces the history with the replica as it
 * stands, so the file does not grow with every version ever written.
 */
class ReplicaLogTest {
  @TempDir Path dir;

  private static MetaEntry entry(String key, String origin, long seq, String value) {
    return new MetaEntry(key, origin, seq, VectorClock.of(Map.of(origin, seq)), 0, seq, value);
  }

  @Test
  void whatWasAppendedIsLoadedAndATornLastLineIsSkipped() throws Exception {
    ReplicaLog log = ReplicaLog.in(dir);
    List<MetaEntry> written = List.of(entry("job/a", "b1", 1, "{\"x\":1}"), entry("job/b", "b1", 2, null));
    log.append(written, Map.of());
    log.append(List.of(entry("job/c", "b2", 7, "{\"y\":\"é\"}")), Map.of("b2", 7L));
    log.close();
    Files.writeString(dir.resolve(ReplicaLog.FILE), "{\"e\":{\"key\":\"job/d\",\"ori", StandardCharsets.UTF_8,
        StandardOpenOption.APPEND);

    ReplicaLog.Loaded loaded = ReplicaLog.in(dir).load();
    assertEquals(List.of(written.get(0), written.get(1), entry("job/c", "b2", 7, "{\"y\":\"é\"}")), loaded.entries());
    assertEquals(Map.of("b2", 7L), loaded.watermarks());
    assertEquals(1, loaded.skipped());
  }

  @Test
  void aSnapshotReplacesTheHistory() throws Exception {
    ReplicaLog log = ReplicaLog.in(dir);
    Replica replica = new Replica();
    for (int i = 1; i <= 50; i++) {
      MetaEntry e = entry("job/same", "b1", i, "{\"n\":" + i + "}");
      replica.apply(e);
      log.append(List.of(e), Map.of());
    }
    log.snapshot(replica.all(), replica.watermarks());
    MetaEntry after = entry("job/other", "b1", 51, "{}");
    log.append(List.of(after), Map.of());
    log.close();
    assertEquals(3, Files.readAllLines(dir.resolve(ReplicaLog.FILE)).size(), "watermarks, the one current version, the append");
    ReplicaLog.Loaded loaded = ReplicaLog.in(dir).load();
    assertEquals(List.of(replica.get("job/same").orElseThrow(), after), loaded.entries());
    assertEquals(Map.of("b1", 50L), loaded.watermarks());
  }
}
