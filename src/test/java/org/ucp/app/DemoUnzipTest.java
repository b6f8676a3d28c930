package org.ucp.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The demo unpacks result zips into memory: a zip that unpacks past its bound is refused, not read. */
@Timeout(60)
class DemoUnzipTest {
  private static byte[] zipOfZeros(long size) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      zip.putNextEntry(new ZipEntry("stdout.txt"));
      zip.write("hello\n".getBytes());
      zip.closeEntry();
      zip.putNextEntry(new ZipEntry("files/out/zeros"));
      byte[] block = new byte[1 << 20];
      for (long done = 0; done < size; done += block.length) {
        zip.write(block, 0, (int) Math.min(block.length, size - done));
      }
      zip.closeEntry();
    }
    return bytes.toByteArray();
  }

  @Test
  void aZipWithinTheBoundIsUnpacked() throws IOException {
    Map<String, String> files = Demo.unzip(zipOfZeros(1 << 20));
    assertEquals("hello\n", files.get("stdout.txt"));
    assertEquals(1 << 20, files.get("files/out/zeros").length());
  }

  @Test
  void aZipBombIsRefused() throws IOException {
    byte[] bomb = zipOfZeros(Demo.MAX_UNZIPPED + 1);
    assertTrue(bomb.length < Demo.MAX_UNZIPPED / 500, "a bomb: " + bomb.length + " bytes");
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Demo.unzip(bomb));
    assertTrue(e.getMessage().contains("unpacks to more than " + Demo.MAX_UNZIPPED + " bytes"), e.getMessage());
  }
}
