package org.ucp.client;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipException;

/**
 * Reads the first entries of a zip front to back as its bytes arrive, without its central
 * directory: enough for the {@code stdout.txt} and {@code stderr.txt} a result zip begins with,
 * without reading the files after them. Entries may be STORED or DEFLATED, with or without a data
 * descriptor (as {@code java.util.zip} writes them); each one's bytes are checked against its
 * CRC-32. Pull-style, so that a caller holds at most one piece at a time however well the bytes
 * compress: {@link #feed} bytes, then take {@link #next} pieces until it answers null. No I/O here.
 */
final class ZipFront {
  private static final int LOCAL = 0x04034b50;
  private static final int DESCRIPTOR = 0x08074b50;
  private static final long ZIP32_MAX = 0xFFFFFFFFL;

  /** Bytes {@code offset..offset+bytes.length} of entry {@code entry}. */
  record Piece(String entry, long offset, byte[] bytes) {}

  private enum State { HEADER, DATA, DESCRIPTOR, ENDED }

  private final Set<String> wanted;
  private final Set<String> passed = new HashSet<>();
  private final int maxPiece;
  private byte[] in = new byte[0];
  private int start;
  private int end;
  private State state = State.HEADER;
  // the entry being read
  private String name;
  private int flags;
  private long expectedCrc;
  private long compressedSize;
  private long size;
  private long read;
  private long consumed;
  private Inflater inflater;
  private final CRC32 crc = new CRC32();

  /** @param wanted the entries whose bytes {@link #next} hands out; others are read past */
  ZipFront(Set<String> wanted, int maxPiece) {
    this.wanted = Set.copyOf(wanted);
    this.maxPiece = maxPiece;
  }

  /** The next bytes of the zip. */
  void feed(byte[] bytes) {
    if (end + bytes.length > in.length) {
      int live = end - start;
      byte[] grown = live + bytes.length > in.length ? new byte[Math.max(2 * in.length, live + bytes.length)] : in;
      System.arraycopy(in, start, grown, 0, live);
      in = grown;
      start = 0;
      end = live;
    }
    System.arraycopy(bytes, 0, in, end, bytes.length);
    end += bytes.length;
  }

  /** Frees the inflater of an entry left part-read. */
  void close() {
    if (inflater != null) {
      inflater.end();
    }
  }

  /** Whether every wanted entry has been read past, or the entries are over: no more bytes are needed. */
  boolean done() {
    return state == State.ENDED || passed.containsAll(wanted);
  }

  /** The next piece of a wanted entry, or null when more bytes are needed (or {@link #done}). */
  Piece next() throws ZipException {
    while (!done()) {
      Piece piece = switch (state) {
        case HEADER -> header() ? null : NEED;
        case DATA -> data();
        case DESCRIPTOR -> descriptor() ? null : NEED;
        case ENDED -> NEED;
      };
      if (piece == NEED) {
        return null;
      }
      if (piece != null) {
        return piece;
      }
    }
    return null;
  }

  /** Marks "more bytes are needed" among the answers of one step. */
  private static final Piece NEED = new Piece("", 0, new byte[0]);

  private int available() {
    return end - start;
  }

  private int u16(int at) {
    return (in[at] & 0xFF) | (in[at + 1] & 0xFF) << 8;
  }

  private long u32(int at) {
    return (u16(at) | (long) u16(at + 2) << 16) & ZIP32_MAX;
  }

  private long u64(int at) {
    return u32(at) | u32(at + 4) << 32;
  }

  /** Reads a local header when it is all there; false when more bytes are needed. */
  private boolean header() throws ZipException {
    if (available() < 4) {
      return false;
    }
    if (u32(start) != LOCAL) {
      state = State.ENDED; // the central directory (or the end): no more entries
      return true;
    }
    if (available() < 30) {
      return false;
    }
    int nameLength = u16(start + 26);
    int extraLength = u16(start + 28);
    if (available() < 30 + nameLength + extraLength) {
      return false;
    }
    flags = u16(start + 6);
    int method = u16(start + 8);
    expectedCrc = u32(start + 14);
    compressedSize = u32(start + 18);
    size = u32(start + 22);
    name = new String(in, start + 30, nameLength, java.nio.charset.StandardCharsets.UTF_8);
    if (compressedSize == ZIP32_MAX || size == ZIP32_MAX) {
      zip64Sizes(start + 30 + nameLength, extraLength);
    }
    if ((flags & 1) != 0) {
      throw new ZipException(name + " is encrypted");
    }
    if (method == 8) {
      inflater = new Inflater(true);
    } else if (method == 0 && (flags & 8) == 0) {
      inflater = null;
    } else {
      throw new ZipException(name + ": compression method " + method + " is not read here");
    }
    start += 30 + nameLength + extraLength;
    crc.reset();
    read = 0;
    consumed = 0;
    state = State.DATA;
    return true;
  }

  /** The sizes of a zip64 extra field (id 1): the uncompressed, then the compressed, each only if its header field is full. */
  private void zip64Sizes(int at, int length) throws ZipException {
    for (int i = at; i + 4 <= at + length; ) {
      int id = u16(i);
      int n = u16(i + 2);
      if (id == 1) {
        int p = i + 4;
        if (size == ZIP32_MAX && p + 8 <= i + 4 + n) {
          size = u64(p);
          p += 8;
        }
        if (compressedSize == ZIP32_MAX && p + 8 <= i + 4 + n) {
          compressedSize = u64(p);
        }
        return;
      }
      i += 4 + n;
    }
    if ((flags & 8) == 0) {
      throw new ZipException(name + ": its sizes are in no zip64 field");
    }
  }

  /** One piece of the entry (null when it was not wanted, or has just ended), or NEED. */
  private Piece data() throws ZipException {
    byte[] out;
    if (inflater == null) {
      int n = (int) Math.min(Math.min(available(), compressedSize - consumed), maxPiece);
      if (n == 0 && consumed < compressedSize) {
        return NEED;
      }
      out = Arrays.copyOfRange(in, start, start + n);
      start += n;
      consumed += n;
      if (consumed == compressedSize) {
        return ended(out);
      }
    } else {
      inflater.setInput(in, start, available());
      out = new byte[maxPiece];
      int n;
      try {
        n = inflater.inflate(out);
      } catch (DataFormatException e) {
        throw new ZipException(name + " is corrupt: " + e.getMessage());
      }
      start = end - inflater.getRemaining();
      out = n == out.length ? out : Arrays.copyOf(out, n);
      if (inflater.finished()) {
        consumed = inflater.getBytesRead();
        inflater.end();
        return ended(out);
      }
      if (n == 0) {
        if (inflater.needsDictionary()) {
          throw new ZipException(name + " needs a preset dictionary");
        }
        return NEED;
      }
    }
    return piece(out);
  }

  /** The entry's last bytes: its CRC is checked now, or after its data descriptor. */
  private Piece ended(byte[] last) throws ZipException {
    Piece piece = piece(last);
    if ((flags & 8) != 0) {
      state = State.DESCRIPTOR;
    } else {
      check(expectedCrc, compressedSize, size);
    }
    return piece;
  }

  private Piece piece(byte[] bytes) {
    crc.update(bytes);
    long at = read;
    read += bytes.length;
    return bytes.length == 0 || !wanted.contains(name) ? null : new Piece(name, at, bytes);
  }

  /** Reads the data descriptor after a streamed entry; false when more bytes are needed. */
  private boolean descriptor() throws ZipException {
    if (available() < 4) {
      return false;
    }
    int signature = u32(start) == DESCRIPTOR ? 4 : 0;
    boolean zip64 = consumed >= ZIP32_MAX || read >= ZIP32_MAX;
    int length = signature + 4 + (zip64 ? 16 : 8);
    if (available() < length) {
      return false;
    }
    long descCrc = u32(start + signature);
    long descCompressed = zip64 ? u64(start + signature + 4) : u32(start + signature + 4);
    long descSize = zip64 ? u64(start + signature + 12) : u32(start + signature + 8);
    start += length;
    check(descCrc, descCompressed, descSize);
    return true;
  }

  private void check(long expectCrc, long expectCompressed, long expectSize) throws ZipException {
    if (crc.getValue() != expectCrc || consumed != expectCompressed || read != expectSize) {
      throw new ZipException(name + " is corrupt: it does not match its CRC-32 or sizes");
    }
    passed.add(name);
    state = State.HEADER;
  }
}
