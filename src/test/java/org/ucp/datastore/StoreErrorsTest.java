package org.ucp.datastore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.bus.FailureCode;
import org.ucp.bus.UcpException;

/** A datastore's failures name data, never the host path where the datastore keeps its files. */
@Timeout(10)
class StoreErrorsTest {
  @TempDir Path root;

  private void assertNoHostPath(Throwable t) {
    assertFalse(t.getMessage().contains(root.toString()), t.getMessage());
  }

  @Test
  void aFileSystemFailureNamesTheDataNotTheHostPath() {
    StoreErrors errors = new StoreErrors("ds-1", root);
    String file = root.resolve("photos").resolve("x".repeat(256)).toString();
    UcpException u = (UcpException) errors.forClient(new FileSystemException(file, null, "File name too long"));
    assertEquals(FailureCode.UNAVAILABLE, u.code());
    assertNoHostPath(u);
    assertTrue(u.getMessage().contains("File name too long for 'photos/xxx"), u.getMessage());
  }

  @Test
  void aMissingFileIsNotFoundUnderItsDataName() {
    StoreErrors errors = new StoreErrors("ds-1", root);
    String file = root.resolve("a/b/#0000000000000001.00000000.broker#" + "0".repeat(64)).toString();
    UcpException u = (UcpException) errors.forClient(new NoSuchFileException(file));
    assertEquals(FailureCode.NOT_FOUND, u.code());
    assertEquals("no data named 'a/b'", u.getMessage());
    assertEquals("no data named 'c/d'", errors.forClient(new NoSuchFileException("c/d")).getMessage());
    String flat = StoreLayout.of(root).file("e/f", "0000000000000001.00000000.broker", "0".repeat(64)).toString();
    assertEquals("no data named 'e/f'", errors.forClient(new NoSuchFileException(flat)).getMessage());
  }

  @Test
  void otherFailuresAreScrubbedToo() {
    StoreErrors errors = new StoreErrors("ds-1", root);
    assertNoHostPath(errors.forClient(new IOException("cannot write " + root.resolve(".tmp/put-1.part"))));
    assertNoHostPath(errors.forClient(new UncheckedIOException(new java.nio.file.AccessDeniedException(root.resolve("z").toString()))));
    assertNoHostPath(errors.forClient(new IllegalStateException("broken at " + root)));
    assertNoHostPath(errors.forClient(new IllegalArgumentException("name: 'x' at " + root.resolve("x"))));
  }

  @Test
  void aStoreRefusesALongSegmentAsABadName() throws IOException {
    FileDataStore store = new FileDataStore(root);
    Throwable t = errors(store);
    assertEquals(FailureCode.BAD_REQUEST, org.ucp.bus.Failures.unwrap(t).code());
    assertEquals("name", ((org.ucp.model.ValidationException) t).field());
    assertNoHostPath(t);
  }

  private Throwable errors(FileDataStore store) {
    try {
      store.put("p/" + "y".repeat(256), "1.0.b", new byte[] {1});
      throw new AssertionError("a 256-byte segment was stored");
    } catch (RuntimeException | IOException e) {
      return new StoreErrors("ds-1", root).forClient(e);
    }
  }
}
