package org.ucp.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.ucp.datastore.StoreLayout;

/** What a datastore keeps on its disk, read the way the store reads it ({@link StoreLayout}). */
public final class StoreFiles {
  private StoreFiles() {}

  /** The versions {@code root} keeps for {@code name}, each as {@code #<version>#<sha256>}, sorted. */
  public static List<String> copies(Path root, String name) {
    return held(root, name).stream().map(s -> "#" + s.version() + "#" + s.sha256()).sorted().toList();
  }

  /** The file of the newest version {@code root} keeps for {@code name}. */
  public static Path file(Path root, String name) {
    List<StoreLayout.Stored> held = held(root, name);
    if (held.isEmpty()) {
      throw new AssertionError("the datastore at " + root + " holds no file of " + name);
    }
    return held.get(0).file();
  }

  /** Every name {@code root} holds a file of. */
  public static Set<String> names(Path root) {
    if (!Files.isDirectory(root)) {
      return Set.of();
    }
    try {
      return StoreLayout.of(root).scan().keySet();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The files of {@code root}'s {@code .tmp} holding writes in progress or torn (not the spares made ahead). */
  public static List<Path> writesInProgress(Path root) {
    try {
      return StoreLayout.of(root).writesInProgress();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<StoreLayout.Stored> held(Path root, String name) {
    try {
      return StoreLayout.of(root).held(name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
