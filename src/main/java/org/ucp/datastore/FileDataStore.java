package org.ucp.datastore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.ucp.bus.Messages.DataEntry;
import org.ucp.bus.Messages.DataPage;
import org.ucp.model.DataName;
import org.ucp.model.DataVersion;
import org.ucp.wasm.Sha256;

/**
 * Named data as files under one root. Version {@code v} of the object {@code a/b} is the file
 * {@code root/a/b/#<v>#<sha256>}: '#' cannot occur in a name, so a name can also be the prefix of
 * others ({@code a/b} and {@code a/b/c}), and version and checksum travel in the file's name.
 *
 * <p>A write streams into {@code root/.tmp/}, is forced to disk, and is renamed into place in one
 * atomic step, so a crash at any moment leaves the old object or the new one, never a torn one
 * (leftovers in {@code .tmp} are removed at the next start). Of two writes to one name the higher
 * {@link DataVersion} wins, whatever order they commit in. Blocking: call from a worker thread.
 */
public final class FileDataStore {
  private static final String TMP = ".tmp";

  private final Path root;
  private final Path tmp;
  /** Commits and deletes of one name are serialised so "newest version wins" is one decision. */
  private final ConcurrentHashMap<String, Object> nameLocks = new ConcurrentHashMap<>();
  /** What every name holds, read from the disk once here and kept as objects are placed and deleted. */
  private final StoreCatalog catalog = new StoreCatalog();

  public FileDataStore(Path root) {
    this.root = root.toAbsolutePath().normalize();
    this.tmp = this.root.resolve(TMP);
    try {
      Files.createDirectories(tmp);
      try (Stream<Path> leftovers = Files.list(tmp)) {
        for (Path p : leftovers.toList()) {
          Files.deleteIfExists(p);
        }
      }
      walk().forEach(catalog::placed);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open datastore at " + root, e);
    }
  }

  public Path root() {
    return root;
  }

  public long freeBytes() throws IOException {
    return Files.getFileStore(root).getUsableSpace();
  }

  public long totalBytes() throws IOException {
    return Files.getFileStore(root).getTotalSpace();
  }

  private Path folder(String name) {
    DataName.validate("name", name);
    Path folder = root.resolve(name).normalize();
    if (!folder.startsWith(root) || folder.equals(root) || folder.startsWith(tmp)) {
      throw new IllegalArgumentException("name: '" + name + "' escapes the datastore");
    }
    return folder;
  }

  /** One stored version: its file, version and checksum. */
  private record Stored(Path file, String version, String sha256) {
    static Optional<Stored> of(Path file) {
      String f = file.getFileName().toString();
      int hash = f.indexOf('#', 1);
      if (!f.startsWith("#") || hash < 0) {
        return Optional.empty();
      }
      try {
        DataVersion.parse(f.substring(1, hash));
      } catch (IllegalArgumentException notOurs) {
        return Optional.empty();
      }
      return Optional.of(new Stored(file, f.substring(1, hash), f.substring(hash + 1)));
    }
  }

  /** The versions stored in a name's folder, newest first (normally exactly one). */
  private static List<Stored> versions(Path folder) throws IOException {
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    List<Stored> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(folder)) {
      files.filter(Files::isRegularFile).forEach(p -> Stored.of(p).ifPresent(out::add));
    } catch (NoSuchFileException pruned) {
      return List.of();
    }
    out.sort(Comparator.comparing((Stored s) -> DataVersion.parse(s.version())).reversed());
    return out;
  }

  private static Optional<Stored> latest(Path folder) throws IOException {
    List<Stored> all = versions(folder);
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
  }

  /**
   * The current version of a name, looked up under the name's lock: a directory listing that runs
   * while a commit renames the new file in and deletes the old one may see neither.
   */
  private Optional<Stored> current(String name, Path folder) throws IOException {
    synchronized (lock(name)) {
      return latest(folder);
    }
  }

  private Object lock(String name) {
    return nameLocks.computeIfAbsent(name, n -> new Object());
  }

  /** Starts writing version {@code version} of {@code name}; nothing is visible until commit. */
  public Upload begin(String name, String version) throws IOException {
    folder(name);
    version = DataVersion.canonical(version);
    Path part = Files.createTempFile(tmp, "put-", ".part");
    return new Upload(name, version, part, FileChannel.open(part, StandardOpenOption.WRITE));
  }

  /** A write in progress: appended in order, then committed atomically or aborted. */
  public final class Upload {
    private final String name;
    private final String version;
    private final Path part;
    private final FileChannel channel;
    private final MessageDigest digest = Sha256.digest();
    private long size;

    private Upload(String name, String version, Path part, FileChannel channel) {
      this.name = name;
      this.version = version;
      this.part = part;
      this.channel = channel;
    }

    public String name() {
      return name;
    }

    public long size() {
      return size;
    }

    public void append(byte[] bytes) throws IOException {
      append(ByteBuffer.wrap(bytes));
    }

    /** Appends the bytes between {@code bytes}' position and limit (a chunk as it arrived, not copied). */
    public void append(ByteBuffer bytes) throws IOException {
      int n = bytes.remaining();
      digest.update(bytes.duplicate());
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
      size += n;
    }

    /**
     * Makes the write visible unless a newer version is already stored, and answers what the name
     * holds afterwards. {@code expectedSha} (when given) must match what was written.
     */
    public DataEntry commit(String expectedSha) throws IOException {
      String sha = HexFormat.of().formatHex(digest.digest());
      try {
        if (expectedSha != null && !expectedSha.equalsIgnoreCase(sha)) {
          throw new IllegalArgumentException(
              "sha256: the " + size + " bytes received hash to " + sha + ", not " + expectedSha);
        }
        channel.force(true);
        channel.close();
        return place(part, name, version, sha);
      } finally {
        abort();
      }
    }

    /** Drops the write; safe to call more than once. */
    public void abort() throws IOException {
      if (channel.isOpen()) {
        channel.close();
      }
      Files.deleteIfExists(part);
    }
  }

  /** A whole small object in one step. */
  public DataEntry put(String name, String version, byte[] bytes) throws IOException {
    return put(name, version, ByteBuffer.wrap(bytes));
  }

  /** {@link #put(String, String, byte[])} of the bytes between {@code bytes}' position and limit. */
  public DataEntry put(String name, String version, ByteBuffer bytes) throws IOException {
    Upload upload = begin(name, version);
    upload.append(bytes);
    return upload.commit(null);
  }

  public Optional<DataEntry> stat(String name) throws IOException {
    Path folder = folder(name);
    for (int tries = 0; ; tries++) {
      Optional<Stored> s = current(name, folder);
      try {
        return s.isPresent() ? Optional.of(entry(name, s.get())) : Optional.empty();
      } catch (NoSuchFileException replacedMeanwhile) {
        if (tries >= 10) {
          throw replacedMeanwhile;
        }
      }
    }
  }

  private static DataEntry entry(String name, Stored s) throws IOException {
    return new DataEntry(name, Files.size(s.file()), s.sha256(), s.version(), List.of());
  }

  /**
   * Up to {@code length} bytes of version {@code version} from {@code offset}. Throws {@link
   * NoSuchFileException} when the name has no object and {@link StaleVersionException} when it holds
   * another version (replaced while being read).
   */
  public byte[] read(String name, String version, long offset, int length) throws IOException {
    return readChunk(name, version, offset, length).bytes();
  }

  private static byte[] readFrom(FileChannel ch, long offset, int length) throws IOException {
    int n = (int) Math.max(0, Math.min(length, ch.size() - offset));
    ByteBuffer buf = ByteBuffer.allocate(n);
    while (buf.hasRemaining() && ch.read(buf, offset + buf.position()) >= 0) {
      // keep reading until the chunk is full
    }
    return buf.array();
  }

  /** Part of an object with what it belongs to: the version read, its size and checksum. */
  public record Chunk(DataEntry entry, byte[] bytes) {}

  /**
   * {@link #read} and {@link #stat} in one look at the name's folder: a reader asks for both with
   * every chunk, and a listing under the name's lock is the dearest part of a read. {@code version}
   * null reads the current one.
   */
  public Chunk readChunk(String name, String version, long offset, int length) throws IOException {
    Path folder = folder(name);
    for (int tries = 0; ; tries++) {
      Optional<Stored> s = current(name, folder);
      if (s.isEmpty()) {
        throw new NoSuchFileException(name);
      }
      if (version != null && DataVersion.compare(s.get().version(), version) != 0) {
        throw new StaleVersionException(name, version, s.get().version());
      }
      try (FileChannel ch = FileChannel.open(s.get().file(), StandardOpenOption.READ)) {
        DataEntry entry = new DataEntry(name, ch.size(), s.get().sha256(), s.get().version(), List.of());
        return new Chunk(entry, readFrom(ch, offset, length));
      } catch (NoSuchFileException replaced) {
        if (version != null || tries >= 10) {
          throw new StaleVersionException(name, version, "a newer one");
        }
      }
    }
  }

  /** The name is held in another version than the one asked for. */
  public static final class StaleVersionException extends IOException {
    public StaleVersionException(String name, String wanted, String held) {
      super("'" + name + "' was replaced (version " + wanted + " is gone, now " + held + ")");
    }
  }

  /**
   * Deletes {@code name}, or every name under it when {@code prefix}, in versions older than
   * {@code version} (a newer write stands), except the name {@code keep}. Returns the names deleted.
   */
  public List<String> delete(String name, boolean prefix, String version, String keep) throws IOException {
    List<String> targets = prefix ? list(name).stream().map(DataEntry::name).toList() : List.of(name);
    List<String> deleted = new ArrayList<>();
    for (String target : targets) {
      if (target.equals(keep)) {
        continue;
      }
      Path folder = folder(target);
      synchronized (lock(target)) {
        boolean any = false;
        for (Stored s : versions(folder)) {
          if (version == null || DataVersion.compare(s.version(), version) < 0) {
            any |= Files.deleteIfExists(s.file());
          }
        }
        if (any) {
          deleted.add(target);
        }
        Optional<Stored> left = latest(folder);
        if (left.isPresent()) {
          catalog.placed(entry(target, left.get()));
        } else {
          catalog.gone(target);
        }
      }
      pruneEmpty(folder);
    }
    return deleted;
  }

  /**
   * Stores {@code from}'s current bytes as version {@code toVersion} of {@code to}: a hard link where
   * the file system allows (objects are never modified in place), else a copy.
   */
  public DataEntry copy(String from, String to, String toVersion) throws IOException {
    folder(to);
    String version = DataVersion.canonical(toVersion);
    Path part = tmp.resolve("copy-" + java.util.UUID.randomUUID() + ".part");
    try {
      for (int tries = 0; ; tries++) {
        Stored source = current(from, folder(from)).orElseThrow(() -> new NoSuchFileException(from));
        try {
          link(source.file(), part);
          return place(part, to, version, source.sha256());
        } catch (NoSuchFileException replacedMeanwhile) {
          if (tries >= 10) {
            throw replacedMeanwhile;
          }
        }
      }
    } finally {
      Files.deleteIfExists(part);
    }
  }

  /** A hard link where the file system allows (objects never change in place), else a copy. */
  private static void link(Path source, Path part) throws IOException {
    try {
      Files.createLink(part, source);
    } catch (NoSuchFileException gone) {
      throw gone;
    } catch (IOException | UnsupportedOperationException e) {
      Files.copy(source, part);
    }
  }

  /**
   * Renames a finished file into place as {@code version} of {@code name} unless the name already
   * holds that version or a newer one; older versions are removed. Answers what the name holds.
   */
  private DataEntry place(Path part, String name, String version, String sha) throws IOException {
    Path folder = folder(name);
    synchronized (lock(name)) {
      Optional<Stored> current = latest(folder);
      if (current.isPresent() && DataVersion.compare(current.get().version(), version) >= 0) {
        return entry(name, current.get());
      }
      Path target = folder.resolve("#" + version + "#" + sha);
      try {
        Files.createDirectories(folder);
        move(part, target);
      } catch (NoSuchFileException prunedMeanwhile) {
        Files.createDirectories(folder);
        move(part, target);
      }
      for (Stored older : versions(folder)) {
        if (!older.file().equals(target)) {
          Files.deleteIfExists(older.file());
        }
      }
      DataEntry placed = entry(name, Stored.of(target).orElseThrow());
      catalog.placed(placed);
      return placed;
    }
  }

  /** All objects whose name starts with {@code prefix}, sorted by name, from memory. */
  public List<DataEntry> list(String prefix) {
    return catalog.list(prefix);
  }

  /** Page {@code page} of {@code size} objects whose name starts with {@code prefix}, from memory. */
  public DataPage page(String prefix, int page, int size) {
    return catalog.page(prefix, page, size);
  }

  /** How many objects the store holds, and their bytes, from memory. */
  public long objects() {
    return catalog.objects();
  }

  public long storedBytes() {
    return catalog.bytes();
  }

  /** Every object on the disk (a walk of the whole store: only when it opens). */
  private List<DataEntry> walk() throws IOException {
    List<DataEntry> out = new ArrayList<>();
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            return dir.equals(tmp) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE; // deleted or replaced during the walk
            }
            throw e;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
            if (dir.equals(root)) {
              return FileVisitResult.CONTINUE;
            }
            stat(root.relativize(dir).toString().replace('\\', '/')).ifPresent(out::add);
            return FileVisitResult.CONTINUE;
          }
        });
    return out;
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private void pruneEmpty(Path folder) throws IOException {
    for (Path dir = folder; dir != null && !dir.equals(root) && dir.startsWith(root); dir = dir.getParent()) {
      try (Stream<Path> children = Files.list(dir)) {
        if (children.findAny().isPresent()) {
          return;
        }
      } catch (NoSuchFileException e) {
        continue;
      }
      try {
        Files.deleteIfExists(dir);
      } catch (java.nio.file.DirectoryNotEmptyException raced) {
        return;
      }
    }
  }
}
