package org.ucp.wasm.disk;

import static org.ucp.wasm.disk.QuotaPath.unwrap;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.spi.FileSystemProvider;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The host's provider with every change to the job directory counted against its {@link DiskQuota}
 * first: a new file, folder or link takes an entry, a write or a hard link takes bytes (a file's
 * growth, holes included), and deletes, truncation and renames over an existing file give back.
 */
final class QuotaFileSystemProvider extends FileSystemProvider {
  private final QuotaFileSystem fs;
  private final FileSystemProvider host;
  private final DiskQuota quota;

  QuotaFileSystemProvider(QuotaFileSystem fs, FileSystemProvider host, DiskQuota quota) {
    this.fs = fs;
    this.host = host;
    this.quota = quota;
  }

  @Override
  public String getScheme() {
    return "ucp-job-directory";
  }

  @Override
  public FileSystem newFileSystem(URI uri, Map<String, ?> env) {
    throw new UnsupportedOperationException();
  }

  @Override
  public FileSystem getFileSystem(URI uri) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Path getPath(URI uri) {
    throw new UnsupportedOperationException();
  }

  private Optional<BasicFileAttributes> attributes(Path hostPath) {
    try {
      return Optional.of(host.readAttributes(hostPath, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
    } catch (IOException absent) {
      return Optional.empty();
    }
  }

  @Override
  public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
      throws IOException {
    Path p = unwrap(path);
    Optional<BasicFileAttributes> before = attributes(p);
    boolean creates = before.isEmpty()
        && (options.contains(StandardOpenOption.CREATE) || options.contains(StandardOpenOption.CREATE_NEW));
    if (creates) {
      quota.addEntry();
    }
    FileChannel channel;
    try {
      channel = host.newFileChannel(p, options, attrs);
    } catch (IOException | RuntimeException e) {
      if (creates) {
        quota.removeEntry();
      }
      throw e;
    }
    long sizeBefore = before.filter(BasicFileAttributes::isRegularFile).map(BasicFileAttributes::size).orElse(0L);
    if (before.isEmpty() || before.get().isRegularFile()) {
      quota.changed(channel.size() - sizeBefore);
    }
    return new QuotaFileChannel(channel, quota, options.contains(StandardOpenOption.APPEND));
  }

  @Override
  public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
      throws IOException {
    return newFileChannel(path, options, attrs);
  }

  @Override
  public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter)
      throws IOException {
    DirectoryStream<Path> stream = host.newDirectoryStream(unwrap(dir), p -> filter.accept(fs.wrap(p)));
    return new DirectoryStream<>() {
      @Override
      public Iterator<Path> iterator() {
        Iterator<Path> it = stream.iterator();
        return new Iterator<>() {
          @Override
          public boolean hasNext() {
            return it.hasNext();
          }

          @Override
          public Path next() {
            return fs.wrap(it.next());
          }
        };
      }

      @Override
      public void close() throws IOException {
        stream.close();
      }
    };
  }

  @Override
  public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
    quota.addEntry();
    try {
      host.createDirectory(unwrap(dir), attrs);
    } catch (IOException | RuntimeException e) {
      quota.removeEntry();
      throw e;
    }
  }

  @Override
  public void createSymbolicLink(Path link, Path target, FileAttribute<?>... attrs) throws IOException {
    quota.addEntry();
    try {
      host.createSymbolicLink(unwrap(link), target instanceof QuotaPath q ? q.host() : target, attrs);
    } catch (IOException | RuntimeException e) {
      quota.removeEntry();
      throw e;
    }
  }

  /** A hard link is one more name for the file's bytes: it counts an entry and the file's size again. */
  @Override
  public void createLink(Path link, Path existing) throws IOException {
    long size = attributes(unwrap(existing)).filter(BasicFileAttributes::isRegularFile)
        .map(BasicFileAttributes::size).orElse(0L);
    quota.reserveGrowth(size);
    quota.addEntry();
    try {
      host.createLink(unwrap(link), unwrap(existing));
    } catch (IOException | RuntimeException e) {
      quota.removeEntry();
      throw e;
    }
    quota.changed(size);
  }

  @Override
  public void delete(Path path) throws IOException {
    Optional<BasicFileAttributes> before = attributes(unwrap(path));
    host.delete(unwrap(path));
    released(before);
  }

  private void released(Optional<BasicFileAttributes> gone) {
    if (gone.isPresent()) {
      quota.removeEntry();
      if (gone.get().isRegularFile()) {
        quota.changed(-gone.get().size());
      }
    }
  }

  @Override
  public void copy(Path source, Path target, CopyOption... options) throws IOException {
    Optional<BasicFileAttributes> from = attributes(unwrap(source));
    Optional<BasicFileAttributes> replaced = attributes(unwrap(target));
    long size = from.filter(BasicFileAttributes::isRegularFile).map(BasicFileAttributes::size).orElse(0L);
    long freed = replaced.filter(BasicFileAttributes::isRegularFile).map(BasicFileAttributes::size).orElse(0L);
    quota.reserveGrowth(size - freed);
    if (replaced.isEmpty()) {
      quota.addEntry();
    }
    try {
      host.copy(unwrap(source), unwrap(target), options);
    } catch (IOException | RuntimeException e) {
      if (replaced.isEmpty()) {
        quota.removeEntry();
      }
      throw e;
    }
    quota.changed(size - freed);
  }

  @Override
  public void move(Path source, Path target, CopyOption... options) throws IOException {
    Optional<BasicFileAttributes> replaced = unwrap(source).equals(unwrap(target))
        ? Optional.empty() : attributes(unwrap(target));
    host.move(unwrap(source), unwrap(target), options);
    if (List.of(options).contains(StandardCopyOption.REPLACE_EXISTING)) {
      released(replaced);
    }
  }

  @Override
  public boolean isSameFile(Path path, Path path2) throws IOException {
    return host.isSameFile(unwrap(path), unwrap(path2));
  }

  @Override
  public boolean isHidden(Path path) throws IOException {
    return host.isHidden(unwrap(path));
  }

  @Override
  public FileStore getFileStore(Path path) throws IOException {
    return host.getFileStore(unwrap(path));
  }

  @Override
  public void checkAccess(Path path, AccessMode... modes) throws IOException {
    host.checkAccess(unwrap(path), modes);
  }

  @Override
  public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
    return host.getFileAttributeView(unwrap(path), type, options);
  }

  @Override
  public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options)
      throws IOException {
    return host.readAttributes(unwrap(path), type, options);
  }

  @Override
  public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) throws IOException {
    return host.readAttributes(unwrap(path), attributes, options);
  }

  @Override
  public void setAttribute(Path path, String attribute, Object value, LinkOption... options) throws IOException {
    host.setAttribute(unwrap(path), attribute, value, options);
  }

  @Override
  public Path readSymbolicLink(Path link) throws IOException {
    return fs.wrap(host.readSymbolicLink(unwrap(link)));
  }
}
