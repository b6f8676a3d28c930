package org.ucp.datastore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.ucp.bus.DataProtocol;
import org.ucp.bus.Messages.DataEntry;
import org.ucp.bus.Messages.DataPage;
import org.ucp.model.DataVersion;
import org.ucp.sync.FolderSync;
import org.ucp.wasm.Sha256;

/**
 * Named data as files under one root, one file per object: version and checksum travel in the
 * file's name, and a name can also be the prefix of others ({@code a/b} and {@code a/b/c}). Where
 * each file lies: {@link StoreLayout}.
 *
 * <p>A write streams into {@code root/.tmp/}, is forced to disk, and is renamed into place in one
 * atomic step, so a crash at any moment leaves the old object or the new one, never a torn one
 * (leftovers in {@code .tmp} are removed at the next start, and so is an older version a crash
 * left beside the newer one). Of two writes to one name the higher {@link DataVersion} wins,
 * whatever order they commit in. Blocking: call from a worker thread.
 *
 * <p>Which version a name holds is read from the disk once, when the store opens, and kept in
 * memory ({@link StoreCatalog}) as objects are placed and deleted under the name's lock: a read, a
 * stat or a commit then looks up one entry instead of listing the name's folder. A write's bytes
 * are hashed on another thread while they go to the disk and are forced ({@link #HASHING}): the
 * fsync waits on the disk, not the processor, so the hash costs a large object's put little time.
 */
public final class FileDataStore {
  private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(FileDataStore.class.getName());
  /** Chunks smaller than this are hashed where they are written: a hand-off would cost more. */
  private static final int HASH_ELSEWHERE_FROM = 64 * 1024;
  /**
   * Where larger chunks are hashed, one upload's chunks in order: shared by every store in the
   * process (the work is the processor's), daemon threads that end with it.
   */
  private static final java.util.concurrent.ExecutorService HASHING = java.util.concurrent.Executors.newFixedThreadPool(
      Math.max(2, Runtime.getRuntime().availableProcessors()), r -> {
        Thread t = new Thread(r, "ucp-datastore-hash");
        t.setDaemon(true);
        return t;
      });

  private final Path root;
  private final Path tmp;
  private final StoreLayout layout;
  /** Commits and deletes of one name are serialised so "newest version wins" is one decision. */
  private final ConcurrentHashMap<String, Object> nameLocks = new ConcurrentHashMap<>();
  /** What every name holds, read from the disk once here and kept as objects are placed and deleted. */
  private final StoreCatalog catalog = new StoreCatalog();
  /** Names the temporary files of this opening: a random part, then a count ({@code .tmp} is emptied when the store opens). */
  private final String opening = java.util.UUID.randomUUID().toString().substring(0, 8);
  /** The files writes go into before they are placed, made ahead where the caller fills them. */
  private final SpareFiles spares;
  /** Forces the folders writes were renamed into, in rounds that writes placed together share. */
  private final FolderSync folders;

  public FileDataStore(Path root) {
    this(root, FolderSync::fsync);
  }

  FileDataStore(Path root, FolderSync.Force force) {
    this.folders = new FolderSync(force);
    this.layout = StoreLayout.of(root);
    this.root = layout.root();
    this.tmp = layout.tmp();
    this.spares = new SpareFiles(tmp, opening);
    try {
      Files.createDirectories(tmp);
      // every shard made, and on the disk, before any write is renamed into one
      for (Path shard : layout.shards()) {
        Files.createDirectories(shard);
      }
      List<Path> made = new ArrayList<>(List.of(layout.flat(), root));
      if (root.getParent() != null) {
        made.add(root.getParent());
      }
      folders.sync(made);
      try (Stream<Path> leftovers = Files.list(tmp)) {
        for (Path p : leftovers.toList()) {
          Files.deleteIfExists(p);
        }
      }
      open().forEach(catalog::placed);
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

  /** Refuses a name that is not a data name or would escape the root. */
  private void check(String name) {
    layout.folder(name);
  }

  /** The file that holds {@code entry}, the version its name holds. */
  private Path file(DataEntry entry) {
    return layout.file(entry.name(), entry.version(), entry.sha256());
  }

  /** What {@code name} holds now, from memory; its file may be replaced a moment later. */
  private DataEntry current(String name) throws NoSuchFileException {
    DataEntry e = catalog.get(name);
    if (e == null) {
      throw new NoSuchFileException(name);
    }
    return e;
  }

  private Object lock(String name) {
    return nameLocks.computeIfAbsent(name, n -> new Object());
  }

  /** Starts writing version {@code version} of {@code name}; nothing is visible until commit. */
  public Upload begin(String name, String version) throws IOException {
    check(name);
    version = DataVersion.canonical(version);
    SpareFiles.Part part = spares.take();
    return new Upload(name, version, part.path(), part.channel());
  }

  /** Whether {@link #makeSpares} is due: a few of the files made ahead for writes are taken ({@link SpareFiles#FILL_FROM}). */
  public boolean sparesLow() {
    return spares.low();
  }

  /**
   * Makes the files the next writes go into, so that they need not make them ({@link SpareFiles}).
   * Blocking; at most one runs at a time. Answers how many it made.
   */
  public int makeSpares() throws IOException {
    return spares.fill();
  }

  /** Removes the spare files and makes no more; call when no {@link #makeSpares} runs. */
  public void closeSpares() throws IOException {
    spares.close();
  }

  /** A write in progress: appended in order, then committed atomically or aborted. */
  public final class Upload {
    private final String name;
    private final String version;
    private final Path part;
    private final FileChannel channel;
    private final MessageDigest digest = Sha256.digest();
    /** The hashing of the last chunk handed to {@link #HASHING}; the chunks before it are hashed. */
    private CompletableFuture<Void> hashed = CompletableFuture.completedFuture(null);
    /** Set by {@link #abort}: a chunk still waiting to be hashed is dropped unhashed. */
    private volatile boolean aborted;
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

    /**
     * Appends the bytes between {@code bytes}' position and limit (a chunk as it arrived, not
     * copied, and never changed afterwards: a large one is hashed while it is written, and after).
     * The chunk before must be hashed first, so an upload holds at most two chunks however fast
     * its bytes arrive and however slowly they hash.
     */
    public void append(ByteBuffer bytes) throws IOException {
      int n = bytes.remaining();
      ByteBuffer view = bytes.duplicate();
      hashed.join();
      if (n < HASH_ELSEWHERE_FROM) {
        digest.update(view);
      } else {
        hashed = CompletableFuture.runAsync(() -> {
          if (!aborted) {
            digest.update(view);
          }
        }, HASHING);
      }
      DataProtocol.writeSliced(channel, bytes);
      size += n;
    }

    /**
     * Makes the write visible unless a newer version is already stored, and answers what the name
     * holds afterwards. {@code expectedSha} (when given) must match what was written.
     */
    public DataEntry commit(String expectedSha) throws IOException {
      try {
        channel.force(true); // while the last chunks are still being hashed
        hashed.join();
        String sha = Sha256.hex(digest);
        if (expectedSha != null && !expectedSha.equalsIgnoreCase(sha)) {
          throw new IllegalArgumentException(
              "sha256: the " + size + " bytes received hash to " + sha + ", not " + expectedSha);
        }
        channel.close();
        return place(part, name, version, sha, size);
      } finally {
        abort();
      }
    }

    /** Drops the write; safe to call more than once. */
    public void abort() throws IOException {
      aborted = true;
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

  public Optional<DataEntry> stat(String name) {
    check(name);
    return Optional.ofNullable(catalog.get(name));
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
   * {@link #read} and {@link #stat} in one: a reader asks for both with every chunk. {@code
   * version} null reads the current one.
   */
  public Chunk readChunk(String name, String version, long offset, int length) throws IOException {
    check(name);
    Optional<Chunk> read = readHeld(name, version, offset, length);
    if (read.isPresent()) {
      return read.get();
    }
    // Replaced meanwhile, or removed behind the store's back: under the lock, files and catalog agree.
    synchronized (lock(name)) {
      read = readHeld(name, version, offset, length);
      if (read.isPresent()) {
        return read.get();
      }
      catalog.gone(name); // held in memory, not on the disk: no longer held (repair copies it back)
      throw new NoSuchFileException(name);
    }
  }

  /**
   * The chunk of the version {@code name} holds, or nothing when its file is not there; throws
   * {@link NoSuchFileException} when the name holds nothing and {@link StaleVersionException} when
   * it holds another version than {@code version}.
   */
  private Optional<Chunk> readHeld(String name, String version, long offset, int length) throws IOException {
    DataEntry held = current(name);
    if (version != null && DataVersion.compare(held.version(), version) != 0) {
      throw new StaleVersionException(name, version, held.version());
    }
    try (FileChannel ch = FileChannel.open(file(held), StandardOpenOption.READ)) {
      return Optional.of(new Chunk(held, readFrom(ch, offset, length)));
    } catch (NoSuchFileException replaced) {
      return Optional.empty();
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
      check(target);
      Path file;
      synchronized (lock(target)) {
        DataEntry held = catalog.get(target);
        if (held == null || (version != null && DataVersion.compare(held.version(), version) >= 0)) {
          continue; // nothing, or a newer write that stands
        }
        file = file(held);
        Files.deleteIfExists(file); // first: if it fails, the name still holds it
        catalog.gone(target);
        deleted.add(target);
      }
      if (!layout.isFlat(file)) {
        pruneEmpty(file.getParent());
      }
    }
    return deleted;
  }

  /**
   * Stores {@code from}'s current bytes as version {@code toVersion} of {@code to}: a hard link where
   * the file system allows (objects are never modified in place), else a copy.
   */
  public DataEntry copy(String from, String to, String toVersion) throws IOException {
    check(from);
    check(to);
    String version = DataVersion.canonical(toVersion);
    Path part = tmp.resolve("copy-" + java.util.UUID.randomUUID() + ".part");
    try {
      for (int tries = 0; ; tries++) {
        DataEntry source = current(from);
        try {
          link(file(source), part);
          return place(part, to, version, source.sha256(), source.size());
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
      try (FileChannel copied = FileChannel.open(part, StandardOpenOption.WRITE)) {
        copied.force(true); // a link shares forced bytes; a copy has its own to force
      }
    }
  }

  /**
   * Renames a finished file of {@code size} bytes into place as {@code version} of {@code name}
   * unless the name already holds that version or a newer one; the older version is removed.
   * Answers what the name holds.
   */
  private DataEntry place(Path part, String name, String version, String sha, long size) throws IOException {
    DataEntry holds;
    synchronized (lock(name)) { // the name was checked by begin or copy, and file() checks it too
      DataEntry held = catalog.get(name);
      if (held != null && DataVersion.compare(held.version(), version) >= 0) {
        holds = held; // answered too, so forced too: a hedged repeat may find the first write not yet forced
      } else {
        holds = new DataEntry(name, size, sha, version, List.of());
        into(part, file(holds));
        catalog.placed(holds); // first: a reader that still finds the old version then finds the new one
        if (held != null) {
          try {
            Files.deleteIfExists(file(held));
          } catch (IOException e) {
            // the new version stands; the next opening removes the old one beside it
            LOG.warning(() -> "cannot remove the replaced version " + held.version() + " of '" + name + "': " + e);
          }
        }
      }
    }
    durable(file(holds));
    return holds;
  }

  /**
   * Forces the folder {@code file} was renamed into, outside the name's lock so that writes placed
   * together share the round ({@link FolderSync}). A flat shard was made and forced when the store
   * opened; a nested name's folders may have been made by this write or by another one not yet
   * forced, so each is forced in its parent up to the root (in the same round, each once).
   */
  private void durable(Path file) throws IOException {
    if (layout.isFlat(file)) {
      folders.sync(file.getParent());
      return;
    }
    List<Path> chain = new ArrayList<>();
    for (Path folder = file.getParent(); folder.startsWith(root); folder = folder.getParent()) {
      chain.add(folder);
      if (folder.equals(root)) {
        break;
      }
    }
    folders.sync(chain);
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

  /**
   * Every object on the disk, read when the store opens (a walk of the whole store): older
   * versions a crash left beside a newer one are removed, and a file not where {@link StoreLayout}
   * keeps its version now (a store written by an older layout) is moved there.
   */
  private List<DataEntry> open() throws IOException {
    List<DataEntry> out = new ArrayList<>();
    for (Map.Entry<String, List<StoreLayout.Stored>> e : layout.scan().entrySet()) {
      String name = e.getKey();
      try {
        check(name);
      } catch (IllegalArgumentException notAName) {
        LOG.warning(() -> "datastore at " + root + ": '" + name + "' is not a data name; its files are left alone and not served");
        continue;
      }
      List<StoreLayout.Stored> held = e.getValue();
      for (StoreLayout.Stored older : held.subList(1, held.size())) {
        Files.deleteIfExists(older.file()); // a crash between a commit's rename and this delete
        if (!layout.isFlat(older.file())) {
          pruneEmpty(older.file().getParent()); // an older version kept nested by an earlier layout
        }
      }
      StoreLayout.Stored newest = held.get(0);
      Path file = layout.file(name, newest.version(), newest.sha256());
      if (!file.equals(newest.file())) {
        into(newest.file(), file);
        if (!layout.isFlat(newest.file())) {
          pruneEmpty(newest.file().getParent());
        }
      }
      out.add(new DataEntry(name, Files.size(file), newest.sha256(), newest.version(), List.of()));
    }
    return out;
  }

  /**
   * Moves {@code part} to {@code target}, making its folder when it is not there. A delete of
   * another name prunes empty nested folders without this name's lock, so it may remove the folder
   * between its making and the move (the move finds no folder), or while it is being made (the
   * making finds the folder there and then not a folder): either is tried again.
   */
  private static void into(Path part, Path target) throws IOException {
    for (int tries = 1; ; tries++) {
      try {
        move(part, target);
        return;
      } catch (NoSuchFileException noFolder) {
        if (tries >= 10 || !Files.exists(part)) {
          throw noFolder;
        }
      }
      try {
        Files.createDirectories(target.getParent());
      } catch (FileAlreadyExistsException prunedMeanwhile) {
        if (tries >= 10) {
          throw prunedMeanwhile;
        }
      }
    }
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
