package org.ucp.wasm.disk;

import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.WatchService;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.List;
import java.util.Set;

/**
 * The host file system as a WASI runtime sees one job directory through it: the same files, but
 * every write, new file, folder or link, delete and rename goes through a {@link DiskQuota}, so a
 * write past the job's disk or file limit fails inside the program instead of filling the disk.
 * Hand {@link #wrap(Path)} of the job directory to the runtime; it derives every other path from it.
 */
public final class QuotaFileSystem extends FileSystem {
  private final FileSystem host;
  private final QuotaFileSystemProvider provider;
  private final DiskQuota quota;

  private QuotaFileSystem(FileSystem host, DiskQuota quota) {
    this.host = host;
    this.quota = quota;
    this.provider = new QuotaFileSystemProvider(this, host.provider(), quota);
  }

  /** {@code dir} (a path of the default file system) seen through a new quota file system. */
  public static Path of(Path dir, DiskQuota quota) {
    return new QuotaFileSystem(dir.getFileSystem(), quota).wrap(dir);
  }

  public DiskQuota quota() {
    return quota;
  }

  Path wrap(Path p) {
    return p == null ? null : new QuotaPath(this, p);
  }

  @Override
  public QuotaFileSystemProvider provider() {
    return provider;
  }

  @Override
  public void close() {
    // the host file system stays open
  }

  @Override
  public boolean isOpen() {
    return true;
  }

  @Override
  public boolean isReadOnly() {
    return false;
  }

  @Override
  public String getSeparator() {
    return host.getSeparator();
  }

  @Override
  public Iterable<Path> getRootDirectories() {
    List<Path> roots = new java.util.ArrayList<>();
    host.getRootDirectories().forEach(r -> roots.add(wrap(r)));
    return roots;
  }

  @Override
  public Iterable<FileStore> getFileStores() {
    return host.getFileStores();
  }

  @Override
  public Set<String> supportedFileAttributeViews() {
    return host.supportedFileAttributeViews();
  }

  @Override
  public Path getPath(String first, String... more) {
    return wrap(host.getPath(first, more));
  }

  @Override
  public PathMatcher getPathMatcher(String syntaxAndPattern) {
    PathMatcher m = host.getPathMatcher(syntaxAndPattern);
    return p -> m.matches(QuotaPath.unwrap(p));
  }

  @Override
  public UserPrincipalLookupService getUserPrincipalLookupService() {
    return host.getUserPrincipalLookupService();
  }

  @Override
  public WatchService newWatchService() {
    throw new UnsupportedOperationException("no watching in a job directory");
  }
}
