package org.ucp.wasm.disk;

import java.io.IOException;
import java.net.URI;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;

/** A host path seen through a {@link QuotaFileSystem}: every operation is the host's, on the host path. */
final class QuotaPath implements Path {
  private final QuotaFileSystem fs;
  private final Path host;

  QuotaPath(QuotaFileSystem fs, Path host) {
    this.fs = fs;
    this.host = host;
  }

  Path host() {
    return host;
  }

  private Path wrap(Path p) {
    return fs.wrap(p);
  }

  static Path unwrap(Path p) {
    if (p instanceof QuotaPath q) {
      return q.host;
    }
    throw new ProviderMismatchException("not a path of the job directory: " + p);
  }

  @Override
  public QuotaFileSystem getFileSystem() {
    return fs;
  }

  @Override
  public boolean isAbsolute() {
    return host.isAbsolute();
  }

  @Override
  public Path getRoot() {
    return wrap(host.getRoot());
  }

  @Override
  public Path getFileName() {
    return wrap(host.getFileName());
  }

  @Override
  public Path getParent() {
    return wrap(host.getParent());
  }

  @Override
  public int getNameCount() {
    return host.getNameCount();
  }

  @Override
  public Path getName(int index) {
    return wrap(host.getName(index));
  }

  @Override
  public Path subpath(int beginIndex, int endIndex) {
    return wrap(host.subpath(beginIndex, endIndex));
  }

  @Override
  public boolean startsWith(Path other) {
    return other instanceof QuotaPath q && host.startsWith(q.host);
  }

  @Override
  public boolean endsWith(Path other) {
    return other instanceof QuotaPath q && host.endsWith(q.host);
  }

  @Override
  public Path normalize() {
    return wrap(host.normalize());
  }

  @Override
  public Path resolve(Path other) {
    return wrap(host.resolve(unwrap(other)));
  }

  @Override
  public Path relativize(Path other) {
    return wrap(host.relativize(unwrap(other)));
  }

  @Override
  public URI toUri() {
    throw new UnsupportedOperationException("a job directory path has no URI");
  }

  @Override
  public Path toAbsolutePath() {
    return wrap(host.toAbsolutePath());
  }

  @Override
  public Path toRealPath(LinkOption... options) throws IOException {
    return wrap(host.toRealPath(options));
  }

  @Override
  public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... modifiers) {
    throw new UnsupportedOperationException("no watching in a job directory");
  }

  @Override
  public int compareTo(Path other) {
    return host.compareTo(unwrap(other));
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof QuotaPath q && q.fs == fs && q.host.equals(host);
  }

  @Override
  public int hashCode() {
    return host.hashCode();
  }

  @Override
  public String toString() {
    return host.toString();
  }
}
