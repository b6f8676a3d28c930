package org.ucp.datastore;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.ucp.model.DataName;
import org.ucp.model.DataVersion;

/**
 * Where a datastore keeps each stored version on the disk. Pure path work: no file is written here
 * but by {@link #scan}'s caller.
 *
 * <p>Version {@code v} with checksum {@code s} of the name {@code a/b/c} is one file, flat:
 * {@code root/.flat/<shard>/a~b~c#v#s}, where {@code '~'} stands for {@code '/'} (neither {@code '~'}
 * nor {@code '#'} can occur in a name, so the file name is read back unambiguously) and the shard is
 * two hex digits of the name's hash (256 folders made once, so no folder is made per object). A name
 * whose flat file name could pass Linux's 255 bytes with the longest version is kept nested instead,
 * a folder per segment: {@code root/a/b/c/#v#s}. Which of the two depends on the name alone, so all
 * of a name's versions lie in one folder. Segments cannot start with a dot, so neither {@code .flat} nor {@code .tmp}
 * is ever a name's folder.
 *
 * <p>Why flat: a name made of folders cost a trivial job six new folders (its provisional result is
 * four segments deep, its promoted copy two), and making a folder was the costliest system call of
 * the job path; a flat file costs the one inode the bytes need.
 */
public final class StoreLayout {
  static final String TMP = ".tmp";
  static final String FLAT = ".flat";
  /** The prefix of a file in {@code .tmp} made ahead for a write and not yet taken ({@link SpareFiles}). */
  static final String SPARE = "spare-";
  private static final char SLASH = '~';
  /** Linux's NAME_MAX, in bytes; names are ASCII, so in characters too. */
  private static final int NAME_MAX = 255;
  /** {@code #<version>#<sha256>} at its longest: a version of 90 characters, a SHA-256 of 64. */
  private static final int LEAF_MAX = 2 + 90 + 64;
  /** The longest name kept flat. */
  static final int FLAT_NAME_MAX = NAME_MAX - LEAF_MAX;

  private final Path root;
  private final Path tmp;
  private final Path flat;

  private StoreLayout(Path root) {
    this.root = root.toAbsolutePath().normalize();
    this.tmp = this.root.resolve(TMP);
    this.flat = this.root.resolve(FLAT);
  }

  public static StoreLayout of(Path root) {
    return new StoreLayout(root);
  }

  Path root() {
    return root;
  }

  Path tmp() {
    return tmp;
  }

  /**
   * The files of {@code .tmp} that hold writes in progress or torn by a crash: all but the empty
   * spares made ahead for the next writes ({@link SpareFiles}).
   */
  public List<Path> writesInProgress() throws IOException {
    if (!Files.isDirectory(tmp)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(tmp)) {
      return files.filter(f -> !f.getFileName().toString().startsWith(SPARE)).sorted().toList();
    }
  }

  /** One version found on the disk: the name it belongs to, version, checksum and file. */
  public record Stored(String name, String version, String sha256, Path file) {}

  /**
   * The folder a nested name would use, refusing a name that is not a data name or would escape
   * the root: every operation on a name checks it here first.
   */
  Path folder(String name) {
    DataName.validate("name", name);
    Path folder = root.resolve(name).normalize();
    if (!folder.startsWith(root) || folder.equals(root) || folder.startsWith(tmp) || folder.startsWith(flat)) {
      throw new IllegalArgumentException("name: '" + name + "' escapes the datastore");
    }
    return folder;
  }

  /**
   * The file that holds version {@code version} (checksum {@code sha256}) of {@code name}, refusing
   * a name that is none ({@link #folder}; a valid name has no {@code '~'} or {@code '#'}, so its flat
   * file name cannot leave its shard either).
   */
  public Path file(String name, String version, String sha256) {
    Path folder = folder(name);
    String leaf = "#" + version + "#" + sha256;
    return name.length() <= FLAT_NAME_MAX ? flat.resolve(shard(name)).resolve(name.replace('/', SLASH) + leaf) : folder.resolve(leaf);
  }

  /** The 256 folders of the flat part, made when the store opens. */
  List<Path> shards() {
    List<Path> out = new ArrayList<>(256);
    for (int h = 0; h < 256; h++) {
      out.add(flat.resolve(Character.forDigit(h >> 4, 16) + "" + Character.forDigit(h & 0xf, 16)));
    }
    return out;
  }

  Path flat() {
    return flat;
  }

  /** Whether {@code file} is in the flat part (its folder is never pruned). */
  boolean isFlat(Path file) {
    return file.startsWith(flat);
  }

  /** The shard of {@code name}: stable across processes ({@link String#hashCode} is specified). */
  static String shard(String name) {
    int h = name.hashCode() & 0xff;
    return Character.forDigit(h >> 4, 16) + "" + Character.forDigit(h & 0xf, 16);
  }

  /**
   * The data name a path of the store belongs to ({@code a/b} for {@code root/a/b/#v#s} and for
   * {@code root/.flat/xx/a~b#v#s}), or the path relative to the root for the store's own files.
   */
  String nameOf(Path p) {
    return stored(p).map(Stored::name).filter(name -> !name.isEmpty())
        .orElseGet(() -> root.relativize(p).toString().replace('\\', '/'));
  }

  /** A file of the store as a stored version, read by the layout its place says, if it is one. */
  Optional<Stored> stored(Path file) {
    Path folder = file.getParent();
    return folder != null && flat.equals(folder.getParent()) ? flatFile(file) : nestedFile(file);
  }

  /** {@code "#<version>#<sha>"} split, when it is one; null otherwise. */
  private static String[] versionAndSha(String leaf) {
    int hash = leaf.indexOf('#', 1);
    if (!leaf.startsWith("#") || hash < 0) {
      return null;
    }
    try {
      DataVersion.parse(leaf.substring(1, hash));
    } catch (IllegalArgumentException notOurs) {
      return null;
    }
    return new String[] {leaf.substring(1, hash), leaf.substring(hash + 1)};
  }

  /** A file of a flat shard as a stored version, if it is one. */
  Optional<Stored> flatFile(Path file) {
    String f = file.getFileName().toString();
    int at = f.indexOf('#');
    String[] vs = at <= 0 ? null : versionAndSha(f.substring(at));
    if (vs == null) {
      return Optional.empty();
    }
    return Optional.of(new Stored(f.substring(0, at).replace(SLASH, '/'), vs[0], vs[1], file));
  }

  /** A file of a nested folder as a stored version, if it is one. */
  Optional<Stored> nestedFile(Path file) {
    String[] vs = versionAndSha(file.getFileName().toString());
    if (vs == null) {
      return Optional.empty();
    }
    return Optional.of(new Stored(root.relativize(file.getParent()).toString().replace('\\', '/'), vs[0], vs[1], file));
  }

  /** Every version {@code name} has on the disk, newest first: one, but after a crash. */
  public List<Stored> held(String name) throws IOException {
    List<Stored> out = new ArrayList<>();
    collect(flat.resolve(shard(name)), this::flatFile, name, out);
    collect(folder(name), this::nestedFile, name, out);
    out.sort(NEWEST_FIRST);
    return out;
  }

  private static void collect(Path dir, java.util.function.Function<Path, Optional<Stored>> parse, String name, List<Stored> out)
      throws IOException {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path p : files) {
        parse.apply(p).filter(s -> s.name().equals(name) && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).ifPresent(out::add);
      }
    } catch (NoSuchFileException | java.nio.file.NotDirectoryException none) {
      // nothing of it there
    }
  }

  private static final Comparator<Stored> NEWEST_FIRST =
      Comparator.comparing((Stored s) -> DataVersion.parse(s.version())).reversed();

  /**
   * Every stored version on the disk by name, newest first, in both layouts (a walk of the whole
   * store: only when it opens). Files that are not stored versions are left out.
   */
  public Map<String, List<Stored>> scan() throws IOException {
    Map<String, List<Stored>> byName = new TreeMap<>();
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            return dir.equals(tmp) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            if (attrs.isRegularFile()) {
              stored(file).ifPresent(s -> byName.computeIfAbsent(s.name(), n -> new ArrayList<>()).add(s));
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE; // deleted or replaced during the walk
            }
            throw e;
          }
        });
    byName.values().forEach(l -> l.sort(NEWEST_FIRST));
    return byName;
  }
}
