package org.ucp.wasm.disk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Every way of changing a job directory through the quota file system is counted, on real files. */
@Timeout(30)
class QuotaFileSystemTest {
  @TempDir Path dir;

  private Path jobDir(long maxBytes, long maxEntries) throws IOException {
    return QuotaFileSystem.of(dir, DiskQuota.of(dir, maxBytes, maxEntries));
  }

  private static DiskQuota quota(Path root) {
    return ((QuotaFileSystem) root.getFileSystem()).quota();
  }

  /** The quota's count must always equal what a walk of the directory finds. */
  private void assertCounted(Path root) throws IOException {
    long[] walked = DiskQuota.usage(dir);
    assertArrayEquals(walked, new long[] {quota(root).bytes(), quota(root).entries()});
  }

  @Test
  void writesAreCutShortAtTheLimitAndThenRefused() throws IOException {
    Path root = jobDir(10, 10);
    try (FileChannel ch = FileChannel.open(root.resolve("a"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      assertEquals(6, ch.write(ByteBuffer.wrap("123456".getBytes())));
      assertEquals(4, ch.write(ByteBuffer.wrap("7890ab".getBytes())), "a short write of what fits");
      assertThrows(QuotaExceededException.class, () -> ch.write(ByteBuffer.wrap("c".getBytes())));
      ch.position(0);
      assertEquals(3, ch.write(ByteBuffer.wrap("xyz".getBytes())), "overwriting takes no room");
    }
    assertEquals("xyz4567890", Files.readString(dir.resolve("a")));
    assertEquals(Optional.of(DiskQuota.Kind.BYTES), quota(root).refused());
    assertCounted(root);
  }

  @Test
  void holesCountAtTheirLength() throws IOException {
    Path root = jobDir(1000, 10);
    try (FileChannel ch = FileChannel.open(root.resolve("s"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      assertThrows(QuotaExceededException.class, () -> ch.write(ByteBuffer.wrap(new byte[1]), 1000));
      assertEquals(1, ch.write(ByteBuffer.wrap(new byte[1]), 999));
    }
    assertEquals(1000, Files.size(dir.resolve("s")));
    assertCounted(root);
  }

  @Test
  void deletesTruncationAndRenamesOverAFileGiveRoomBack() throws IOException {
    Path root = jobDir(100, 10);
    Files.write(root.resolve("a"), new byte[40]);
    Files.write(root.resolve("b"), new byte[50]);
    Files.move(root.resolve("a"), root.resolve("b"), StandardCopyOption.REPLACE_EXISTING);
    assertEquals(40, quota(root).bytes());
    assertCounted(root);
    try (FileChannel ch = FileChannel.open(root.resolve("b"), StandardOpenOption.WRITE)) {
      ch.truncate(10);
    }
    assertCounted(root);
    Files.delete(root.resolve("b"));
    assertEquals(0, quota(root).bytes());
    assertCounted(root);
    Files.write(root.resolve("c"), new byte[100]);
    assertCounted(root);
  }

  @Test
  void filesFoldersAndLinksTakeEntriesAndAHardLinkTakesTheBytesAgain() throws IOException {
    Path root = jobDir(100, 4);
    Files.createDirectory(root.resolve("d"));
    Files.write(root.resolve("d/f"), new byte[30]);
    Files.createLink(root.resolve("d/g"), root.resolve("d/f"));
    assertEquals(60, quota(root).bytes());
    Files.createSymbolicLink(root.resolve("l"), root.resolve("d/f"));
    assertCounted(root);
    assertThrows(QuotaExceededException.class, () -> Files.createDirectory(root.resolve("e")));
    assertThrows(QuotaExceededException.class, () -> Files.write(root.resolve("x"), new byte[1]));
    assertEquals(Optional.of(DiskQuota.Kind.ENTRIES), quota(root).refused());
    assertTrue(Files.notExists(dir.resolve("e")) && Files.notExists(dir.resolve("x")), "nothing was created");
    assertCounted(root);
  }

  @Test
  void aDirectoryAlreadyOverItsLimitTakesNoGrowth() throws IOException {
    Files.write(dir.resolve("input"), new byte[50]);
    Path root = jobDir(20, 10);
    assertThrows(QuotaExceededException.class, () -> Files.write(root.resolve("more"), new byte[1]));
    assertEquals(0, Files.size(dir.resolve("more")), "created, but not one byte written");
  }
}
