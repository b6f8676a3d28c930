package org.ucp.app;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.ucp.bus.ChunkCodec;
import org.ucp.bus.DataProtocol;
import org.ucp.client.DataClient;

/**
 * The data part of {@code bench}: put and get throughput of named data through a broker (a file
 * streamed in 1 MiB chunks over the event bus, through the broker, to the datastore's disk and
 * back), next to copying the same file on the same disk, and writing its bytes from memory into a
 * new file as the datastore does (in {@link DataProtocol#WRITE_SLICE} calls). A put forces the
 * object to disk before it answers, so the copy and the write it is compared with are forced too.
 */
final class DataBench {
  private static final int MIB = 1024 * 1024;
  private static final int SMALL = 300;
  private static final int SMALL_COUNT = 1_000;
  private static final int CHURN = 10_000;

  private DataBench() {}

  /**
   * Measures 40 objects of 1 MiB and 8 of 64 MiB. {@code warm}: first as many untimed rounds of
   * each (put, get and local copy alike) as are measured, else one, which leaves the measured
   * rounds to a JIT still compiling the data path (the bench's {@code --warm-up 0}).
   */
  static JsonObject run(Node node, Path dir, boolean warm) {
    System.err.println("bench: named data put/get, 1 MiB and 64 MiB objects" + (warm ? ", after as many to warm up" : ""));
    DataClient data = new DataClient(node.vertx());
    JsonObject out = new JsonObject();
    out.put("1MiB", measure(data, dir, 1, 40, warm ? 40 : 1));
    out.put("64MiB", measure(data, dir, 64, 8, warm ? 8 : 1));
    out.put("smallAfterChurn", smallAfterChurn(data, dir));
    out.put("datastores", node.config().replicationFactor() + " wanted, 1 in this embedded cluster");
    return out;
  }

  /**
   * Each round puts the file, gets it back into a file of its own and copies it locally into
   * another, one after the other, so the three are timed under the same JIT and the same state of
   * the disk. Every round writes fresh files and keeps them until the end, as the puts keep their
   * objects: this machine's disk writes a file into blocks just freed at a steady speed, but
   * slows to a third after some hundreds of MiB written to new ones, and a floor rewriting one file
   * while the puts filled new ones measured the disk at two speeds.
   */
  private static JsonObject measure(DataClient data, Path dir, int mib, int count, int warmRounds) {
    try {
      Path source = dir.resolve("bench-" + mib + "MiB.bin");
      write(source, mib);
      ByteBuffer content = ByteBuffer.wrap(Files.readAllBytes(source)).asReadOnlyBuffer();
      Path files = Files.createDirectories(dir.resolve("bench-data-" + mib));
      // untimed rounds of each warm the JIT and the page cache alike
      for (int i = 0; i < warmRounds; i++) {
        round(data, source, content, files, "warm/" + i);
      }
      double[] putMs = new double[count];
      double[] getMs = new double[count];
      double[] copyMs = new double[count];
      double[] writeMs = new double[count];
      for (int i = 0; i < count; i++) {
        double[] ms = round(data, source, content, files, mib + "/" + i);
        putMs[i] = ms[0];
        getMs[i] = ms[1];
        copyMs[i] = ms[2];
        writeMs[i] = ms[3];
      }
      Embedded.await(data.delete("bench/data/*"), 60);
      Files.deleteIfExists(source);
      Demo.deleteTree(files);
      double bytes = (double) mib * MIB * count;
      double put = mbps(bytes, putMs);
      double get = mbps(bytes, getMs);
      double local = mbps(bytes, copyMs);
      double written = mbps(bytes, writeMs);
      return new JsonObject()
          .put("objects", count)
          .put("putMBps", put)
          .put("getMBps", get)
          .put("localCopyMBps", local)
          .put("putVsLocalCopy", Math.round(put / local * 100) / 100.0)
          .put("getVsLocalCopy", Math.round(get / local * 100) / 100.0)
          .put("localWriteMBps", written)
          .put("putVsLocalWrite", Math.round(put / written * 100) / 100.0)
          .put("putMs", Floors.spread(putMs))
          .put("getMs", Floors.spread(getMs))
          .put("localCopyMs", Floors.spread(copyMs))
          .put("localWriteMs", Floors.spread(writeMs));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Objects of {@value #SMALL} bytes (a trivial job's result zip) put one at a time, each next to
   * the same bytes written into a new local file and forced, after {@value #CHURN} objects and as
   * many local files were made and deleted: a store that deletes (retention, replaced versions)
   * frees inodes, and a file system that skips recently freed ones when it makes a file (ext4
   * without a journal) makes files slowly for a while after.
   */
  private static JsonObject smallAfterChurn(DataClient data, Path dir) {
    System.err.println("bench: " + SMALL + "-byte objects after " + CHURN + " made and deleted");
    try {
      Path files = Files.createDirectories(dir.resolve("bench-small"));
      byte[] bytes = new byte[SMALL];
      new Random(SMALL).nextBytes(bytes);
      for (int i = 0; i < CHURN; i += 16) {
        List<Future<?>> batch = new ArrayList<>();
        for (int j = i; j < Math.min(CHURN, i + 16); j++) {
          batch.add(data.put("bench/churn/" + j, ChunkCodec.wrap(bytes)));
          Files.write(files.resolve("churn-" + j), bytes);
        }
        Embedded.await(Future.all(batch), 60);
      }
      Embedded.await(data.delete("bench/churn/*"), 60);
      for (int i = 0; i < CHURN; i++) {
        Files.delete(files.resolve("churn-" + i));
      }
      double[] putMs = new double[SMALL_COUNT];
      double[] writeMs = new double[SMALL_COUNT];
      // Which goes first alternates, so that neither is always the one right after the other (a
      // datastore makes files ahead after some puts, and the next step shares the machine with it).
      for (int i = 0; i < SMALL_COUNT; i++) {
        if (i % 2 == 0) {
          putMs[i] = smallPut(data, "bench/small/" + i, bytes);
          writeMs[i] = smallWrite(bytes, files.resolve("small-" + i));
        } else {
          writeMs[i] = smallWrite(bytes, files.resolve("small-" + i));
          putMs[i] = smallPut(data, "bench/small/" + i, bytes);
        }
      }
      Embedded.await(data.delete("bench/small/*"), 60);
      Demo.deleteTree(files);
      return new JsonObject().put("objects", SMALL_COUNT).put("bytes", SMALL).put("churn", CHURN)
          .put("putMs", Floors.spread(putMs)).put("localWriteMs", Floors.spread(writeMs));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static double smallPut(DataClient data, String name, byte[] bytes) {
    long t0 = System.nanoTime();
    Embedded.await(data.put(name, ChunkCodec.wrap(bytes)), 60);
    return (System.nanoTime() - t0) / 1e6;
  }

  private static double smallWrite(byte[] bytes, Path file) throws IOException {
    long t0 = System.nanoTime();
    localWrite(ByteBuffer.wrap(bytes), file);
    return (System.nanoTime() - t0) / 1e6;
  }

  /** One put, get, local copy and local write of {@code source}, in milliseconds. */
  private static double[] round(DataClient data, Path source, ByteBuffer bytes, Path files, String key) throws IOException {
    String name = "bench/data/" + key;
    String file = key.replace('/', '-');
    long t0 = System.nanoTime();
    Embedded.await(data.putFile(name, source), 300);
    long t1 = System.nanoTime();
    Embedded.await(data.getFile(name, files.resolve("back-" + file)), 300);
    long t2 = System.nanoTime();
    localCopy(source, files.resolve("copy-" + file));
    long t3 = System.nanoTime();
    localWrite(bytes.duplicate(), files.resolve("write-" + file));
    long t4 = System.nanoTime();
    return new double[] {(t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6, (t4 - t3) / 1e6};
  }

  private static double mbps(double bytes, double[] ms) {
    double total = 0;
    for (double m : ms) {
      total += m;
    }
    return Math.round(bytes / MIB / (total / 1e3) * 10) / 10.0;
  }

  private static void write(Path file, int mib) throws IOException {
    Random random = new Random(mib);
    byte[] block = new byte[MIB];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (int i = 0; i < mib; i++) {
        random.nextBytes(block);
        out.write(block);
      }
    }
  }

  /**
   * Bytes already in memory written into a new file in calls of {@link DataProtocol#WRITE_SLICE}
   * and forced, as a datastore writes the chunks it receives: a floor on the same footing as a
   * put, which a copy inside the kernel ({@code sendfile}) need not be.
   */
  private static void localWrite(ByteBuffer bytes, Path to) throws IOException {
    try (FileChannel ch = FileChannel.open(to, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      DataProtocol.writeSliced(ch, bytes);
      ch.force(true);
    }
  }

  /** The same file copied on the same disk and forced, as a datastore does before it answers. */
  private static void localCopy(Path from, Path to) throws IOException {
    Files.copy(from, to);
    try (FileChannel ch = FileChannel.open(to, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }
}
