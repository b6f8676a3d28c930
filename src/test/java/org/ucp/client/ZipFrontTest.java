package org.ucp.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;

/** The first entries of zips as java.util.zip writes them, read front to back as their bytes arrive. */
class ZipFrontTest {
  private static final byte[] OUT = "tick 1\ntick 2\n".repeat(5_000).getBytes(StandardCharsets.UTF_8);
  private static final byte[] ERR = "tock 1\n".getBytes(StandardCharsets.UTF_8);

  /** A result zip's shape: stdout.txt, stderr.txt, exit-code.txt, then files (DEFLATED with data descriptors). */
  private static byte[] resultZip(byte[] out, byte[] err, byte[] file) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> e : Map.of("stdout.txt", out, "stderr.txt", err, "exit-code.txt", "0\n".getBytes(StandardCharsets.UTF_8),
          "files/out/big.bin", file).entrySet().stream().sorted(Map.Entry.comparingByKey(ZipFrontTest::order)).toList()) {
        zip.putNextEntry(new ZipEntry(e.getKey()));
        zip.write(e.getValue());
        zip.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  private static int order(String a, String b) {
    java.util.List<String> first = java.util.List.of("stdout.txt", "stderr.txt", "exit-code.txt");
    return Integer.compare(first.contains(a) ? first.indexOf(a) : 9, first.contains(b) ? first.indexOf(b) : 9);
  }

  /** Feeds {@code zip} in pieces of {@code step} bytes until done; every wanted entry's bytes, checked in order. */
  private static Map<String, byte[]> read(byte[] zip, Set<String> wanted, int step, int maxPiece, int[] fed) throws ZipException {
    ZipFront front = new ZipFront(wanted, maxPiece);
    Map<String, ByteArrayOutputStream> got = new LinkedHashMap<>();
    int at = 0;
    while (!front.done() && at < zip.length) {
      int n = Math.min(step, zip.length - at);
      front.feed(Arrays.copyOfRange(zip, at, at + n));
      at += n;
      for (ZipFront.Piece p = front.next(); p != null; p = front.next()) {
        assertTrue(p.bytes().length <= maxPiece, "a piece is at most maxPiece bytes");
        ByteArrayOutputStream sofar = got.computeIfAbsent(p.entry(), k -> new ByteArrayOutputStream());
        assertEquals(sofar.size(), p.offset(), "pieces come in order without gaps");
        sofar.writeBytes(p.bytes());
      }
    }
    fed[0] = at;
    Map<String, byte[]> out = new LinkedHashMap<>();
    got.forEach((k, v) -> out.put(k, v.toByteArray()));
    return out;
  }

  @Test
  void readsTheWantedEntriesAndStopsBeforeTheFilesAfterThem() throws IOException {
    byte[] file = new byte[3 << 20];
    new Random(3).nextBytes(file);
    byte[] zip = resultZip(OUT, ERR, file);
    for (int step : new int[] {1, 7, 4096, 1 << 20}) {
      int[] fed = new int[1];
      Map<String, byte[]> got = read(zip, Set.of("stdout.txt", "stderr.txt"), step, 1000, fed);
      assertArrayEquals(OUT, got.get("stdout.txt"), "step " + step);
      assertArrayEquals(ERR, got.get("stderr.txt"), "step " + step);
      assertTrue(fed[0] < (1 << 20) + 4096, "the 3 MiB file after them was not read (step " + step + "): " + fed[0]);
    }
  }

  @Test
  void entriesNotWantedAreReadPastAndAMissingOneEndsWithTheEntries() throws IOException {
    byte[] zip = resultZip(OUT, ERR, "x".getBytes(StandardCharsets.UTF_8));
    int[] fed = new int[1];
    Map<String, byte[]> got = read(zip, Set.of("stderr.txt"), 100, 64 * 1024, fed);
    assertEquals(Set.of("stderr.txt"), got.keySet());
    assertArrayEquals(ERR, got.get("stderr.txt"));
    Map<String, byte[]> none = read(zip, Set.of("nothing.txt"), 100, 64 * 1024, fed);
    assertTrue(none.isEmpty());
    assertTrue(fed[0] < zip.length, "done at the central directory");
  }

  @Test
  void storedEntriesAndEmptyOnesAreReadToo() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (String name : new String[] {"stdout.txt", "stderr.txt"}) {
        byte[] content = name.equals("stdout.txt") ? OUT : new byte[0];
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(content.length);
        CRC32 crc = new CRC32();
        crc.update(content);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(content);
        zip.closeEntry();
      }
    }
    Map<String, byte[]> got = read(bytes.toByteArray(), Set.of("stdout.txt", "stderr.txt"), 333, 4096, new int[1]);
    assertArrayEquals(OUT, got.get("stdout.txt"));
    assertFalse(got.containsKey("stderr.txt"), "an empty entry has no piece");
  }

  @Test
  void highlyCompressedBytesComeOutInBoundedPieces() throws IOException {
    byte[] zeros = new byte[8 << 20];
    byte[] zip = resultZip(zeros, ERR, new byte[0]);
    assertTrue(zip.length < 100_000, "8 MiB of zeros compress to little: " + zip.length);
    Map<String, byte[]> got = read(zip, Set.of("stdout.txt"), zip.length, 64 * 1024, new int[1]);
    assertEquals(zeros.length, got.get("stdout.txt").length);
  }

  @Test
  void aCorruptEntryIsRefused() throws IOException {
    byte[] zip = resultZip(OUT, ERR, new byte[0]);
    zip[60] ^= 0x55; // inside stdout.txt's compressed bytes: inflating fails, or the CRC-32 does not match
    ZipException e = assertThrows(ZipException.class, () -> read(zip, Set.of("stdout.txt"), 1 << 20, 4096, new int[1]));
    assertTrue(e.getMessage().contains("stdout.txt"), e.getMessage());
  }
}
