package org.ucp.datastore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.ucp.bus.Messages.DataEntry;
import org.ucp.bus.Messages.DataPage;
import org.ucp.model.DataName;
import org.ucp.wasm.Sha256;

/**
 * Named data as files under one root. The object {@code a/b} lives at {@code root/a/b/#data}
 * with its SHA-256 in {@code root/a/b/#sha256}: '#' cannot occur in a name, so a name can also be
 * the prefix of others ({@code a/b} and {@code a/b/c}). Writes go to a temporary file that is
 * moved into place atomically, so a crash never leaves a torn object. Blocking: call it from a
 * worker thread.
 */
public final class FileDataStore {
  static final String DATA = "#data";
  static final String SHA = "#sha256";

  private final Path root;

  public FileDataStore(Path root) {
    this.root = root.toAbsolutePath().normalize();
    try {
      Files.createDirectories(this.root.resolve(".tmp"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create datastore at " + root, e);
    }
  }

  public Path root() {
    return root;
  }

  private Path folder(String name) {
    DataName.validate("name", name);
    Path folder = root.resolve(name).normalize();
    if (!folder.startsWith(root) || folder.equals(root)) {
      throw new IllegalArgumentException("name: '" + name + "' escapes the datastore");
    }
    return folder;
  }

  /** Puts of one name are serialised so an object's data and its SHA-256 always belong together. */
  private final java.util.concurrent.ConcurrentHashMap<String, Object> nameLocks = new java.util.concurrent.ConcurrentHashMap<>();

  public DataEntry put(String name, byte[] bytes) throws IOException {
    Path folder = folder(name);
    Object lock = nameLocks.computeIfAbsent(name, n -> new Object());
    synchronized (lock) {
      return putLocked(name, folder, bytes);
    }
  }

  private DataEntry putLocked(String name, Path folder, byte[] bytes) throws IOException {
    String sha = Sha256.of(bytes);
    Path tmp = Files.createTempFile(root.resolve(".tmp"), "put-", ".tmp");
    try {
      Files.write(tmp, bytes);
      Files.createDirectories(folder);
      writeString(folder.resolve(SHA), sha);
      move(tmp, folder.resolve(DATA));
    } finally {
      Files.deleteIfExists(tmp);
    }
    return new DataEntry(name, bytes.length, sha);
  }

  /** The object's bytes, or empty when there is no object of that name. */
  public Optional<byte[]> get(String name) throws IOException {
    Path data = folder(name).resolve(DATA);
    try {
      return Optional.of(Files.readAllBytes(data));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  public Optional<DataEntry> stat(String name) throws IOException {
    Path folder = folder(name);
    Path data = folder.resolve(DATA);
    if (!Files.isRegularFile(data)) {
      return Optional.empty();
    }
    return Optional.of(new DataEntry(name, Files.size(data), sha(folder)));
  }

  public boolean delete(String name) throws IOException {
    Path folder = folder(name);
    boolean existed = Files.deleteIfExists(folder.resolve(DATA));
    Files.deleteIfExists(folder.resolve(SHA));
    pruneEmpty(folder);
    return existed;
  }

  /** Deletes every object whose name starts with {@code prefix}; returns how many. */
  public int deletePrefix(String prefix) throws IOException {
    int count = 0;
    for (DataEntry entry : list(prefix)) {
      if (delete(entry.name())) {
        count++;
      }
    }
    return count;
  }

  public DataEntry copy(String from, String to) throws IOException {
    byte[] bytes = get(from).orElseThrow(() -> new NoSuchFileException(from));
    return put(to, bytes);
  }

  /** All objects whose name starts with {@code prefix}, sorted by name. */
  public List<DataEntry> list(String prefix) throws IOException {
    List<DataEntry> out = new ArrayList<>();
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            return dir.getFileName() != null && dir.getFileName().toString().equals(".tmp")
                ? FileVisitResult.SKIP_SUBTREE
                : FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
            if (file.getFileName().toString().equals(DATA)) {
              String name = root.relativize(file.getParent()).toString().replace('\\', '/');
              if (name.startsWith(prefix)) {
                out.add(new DataEntry(name, attrs.size(), sha(file.getParent())));
              }
            }
            return FileVisitResult.CONTINUE;
          }
        });
    out.sort(java.util.Comparator.comparing(DataEntry::name));
    return out;
  }

  public DataPage page(String prefix, int page, int size) throws IOException {
    List<DataEntry> all = list(prefix);
    int from = (int) Math.min((long) page * size, all.size());
    int to = Math.min(from + size, all.size());
    return new DataPage(List.copyOf(all.subList(from, to)), page, size, all.size());
  }

  private static String sha(Path folder) throws IOException {
    Path file = folder.resolve(SHA);
    return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.US_ASCII).trim() : null;
  }

  private void writeString(Path target, String text) throws IOException {
    Path tmp = Files.createTempFile(root.resolve(".tmp"), "meta-", ".tmp");
    Files.writeString(tmp, text, StandardCharsets.US_ASCII);
    move(tmp, target);
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
      Files.deleteIfExists(dir);
    }
  }
}
