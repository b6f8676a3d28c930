package org.ucp.datastore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.ucp.model.DataVersion;

class StoreLayoutTest {
  private static final Path ROOT = Path.of("/srv/ucp/datastore");
  private static final StoreLayout LAYOUT = StoreLayout.of(ROOT);
  private static final String SHA = "ab".repeat(32);
  private static final String VERSION = new DataVersion(1, 2, "broker-a").toString();

  @Test
  void aNameIsOneFileInItsShardWithItsSlashesAsTildes() {
    Path file = LAYOUT.file("job-1/attempts/3/r1234567/result", VERSION, SHA);

    assertEquals(ROOT.resolve(".flat").resolve(StoreLayout.shard("job-1/attempts/3/r1234567/result"))
        .resolve("job-1~attempts~3~r1234567~result#" + VERSION + "#" + SHA), file);
    StoreLayout.Stored read = LAYOUT.flatFile(file).orElseThrow();
    assertEquals(new StoreLayout.Stored("job-1/attempts/3/r1234567/result", VERSION, SHA, file), read);
    assertEquals("job-1/attempts/3/r1234567/result", LAYOUT.nameOf(file));
  }

  @Test
  void aNameThatCouldPassTheLimitWithTheLongestVersionIsNestedWhateverItsVersion() {
    String longest = new DataVersion(Long.MAX_VALUE >> 4, 0xffffffffL, "o".repeat(64)).toString();
    String fits = "a/" + "x".repeat(StoreLayout.FLAT_NAME_MAX - 2);
    String over = fits + "y";

    assertEquals(255, LAYOUT.file(fits, longest, SHA).getFileName().toString().length());
    assertTrue(LAYOUT.isFlat(LAYOUT.file(fits, VERSION, SHA)));
    for (String version : new String[] {VERSION, longest}) {
      Path nested = LAYOUT.file(over, version, SHA);
      assertEquals(ROOT.resolve(over).resolve("#" + version + "#" + SHA), nested, "every version of a name in one folder");
      assertEquals(over, LAYOUT.nestedFile(nested).orElseThrow().name());
      assertEquals(over, LAYOUT.nameOf(nested));
    }
  }

  @Test
  void shardsSpreadNamesOverTwoHundredFiftySixFolders() {
    Set<String> shards = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String shard = StoreLayout.shard("job-" + i + "/result");
      assertTrue(shard.matches("[0-9a-f]{2}"), shard);
      shards.add(shard);
    }
    assertEquals(256, shards.size());
    assertEquals(StoreLayout.shard("a/b"), StoreLayout.shard(new String("a/b")));
  }

  @Test
  void filesThatAreNoStoredVersionAreNotRead() {
    assertTrue(LAYOUT.flatFile(ROOT.resolve(".flat/00/notes.txt")).isEmpty());
    assertTrue(LAYOUT.flatFile(ROOT.resolve(".flat/00/#" + VERSION + "#" + SHA)).isEmpty(), "no name");
    assertTrue(LAYOUT.flatFile(ROOT.resolve(".flat/00/a#not-a-version#" + SHA)).isEmpty());
    assertTrue(LAYOUT.nestedFile(ROOT.resolve("a/b/readme")).isEmpty());
  }

  @Test
  void theStoresOwnFoldersAreNoNames() {
    assertThrows(IllegalArgumentException.class, () -> LAYOUT.folder(".flat/00/x"));
    assertThrows(IllegalArgumentException.class, () -> LAYOUT.folder(".tmp/x"));
    assertThrows(IllegalArgumentException.class, () -> LAYOUT.file("a/../../etc", VERSION, SHA));
  }
}
