package org.ucp.executor;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.ucp.model.DataName;
import org.ucp.model.JobSpec;
import org.ucp.model.SandboxPath;
import org.ucp.wasm.RunOutcome;
import org.ucp.wasm.Sha256;
import org.ucp.wasm.disk.DiskQuota;

/**
 * The files of one attempt on an executor: {@code sandbox/} (the program's whole world),
 * captured {@code stdout.txt}/{@code stderr.txt} beside it where the program cannot reach them,
 * and the result zip. Blocking file work: call from a worker thread. No Vert.x here.
 */
public final class JobWorkspace {
  private final Path root;
  private final Path sandbox;

  public JobWorkspace(Path root) {
    this.root = root.toAbsolutePath().normalize();
    this.sandbox = this.root.resolve("sandbox");
  }

  public Path sandbox() {
    return sandbox;
  }

  public Path stdout() {
    return root.resolve("stdout.txt");
  }

  public Path stderr() {
    return root.resolve("stderr.txt");
  }

  public Path stdin() {
    return root.resolve("stdin");
  }

  public Path zip() {
    return root.resolve("result.zip");
  }

  /** The folder holding everything of the attempt. */
  public Path root() {
    return root;
  }

  /**
   * Readies the workspace for an attempt: a clean sandbox (created, or emptied of an earlier
   * attempt's files) with the job's {@code directories}, and empty output files.
   */
  public void create(JobSpec spec) throws IOException {
    clear();
    for (String dir : spec.directories()) {
      Files.createDirectories(SandboxPath.resolve(sandbox, dir));
    }
    for (String result : spec.results()) {
      String path = SandboxPath.isWildcard(result) ? SandboxPath.wildcardBase(result) : parentOf(result);
      if (!path.equals("/")) {
        Files.createDirectories(SandboxPath.resolve(sandbox, path));
      }
    }
  }

  /**
   * Empties the workspace for another attempt without deleting what a next one needs again: the
   * sandbox's contents go (links as links, never followed), as do stdin and a spilled zip; the
   * captured outputs are truncated. An empty sandbox costs one listing.
   */
  public void clear() throws IOException {
    List<Path> left = new ArrayList<>();
    try (java.nio.file.DirectoryStream<Path> children = Files.newDirectoryStream(sandbox)) {
      children.forEach(left::add);
    } catch (java.nio.file.NoSuchFileException fresh) {
      Files.createDirectories(sandbox);
    }
    for (Path child : left) {
      deleteTree(child);
    }
    Files.deleteIfExists(stdin());
    Files.deleteIfExists(zip());
    Files.write(stdout(), new byte[0]);
    Files.write(stderr(), new byte[0]);
  }

  /** Writes an input file at a sandbox path, creating its folders. */
  public void writeInput(String sandboxPath, byte[] bytes) throws IOException {
    Files.write(inputFile(sandboxPath), bytes);
  }

  /** The host file an input at {@code sandboxPath} is written to, its folders created. */
  public Path inputFile(String sandboxPath) throws IOException {
    Path target = SandboxPath.resolve(sandbox, sandboxPath);
    Files.createDirectories(target.getParent());
    return target;
  }

  /** The sandbox path an input name lands on for a wildcard mapping {@code /photos/*} ← {@code camera7/*}. */
  public static String wildcardTarget(String pathPattern, String namePattern, String name) {
    String rel = name.substring(DataName.prefix(namePattern).length());
    String base = SandboxPath.wildcardBase(pathPattern);
    return (base.equals("/") ? "" : base) + "/" + rel;
  }

  /** Appends a line of the platform's own to the captured stderr. */
  public void note(String line) throws IOException {
    Files.writeString(stderr(), "ucp: " + line + "\n", StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
  }

  /** Bytes the sandbox takes on disk (regular files only). */
  public long diskUsage() throws IOException {
    return usage().bytes();
  }

  /**
   * What the sandbox holds, counted as the run's quota counts it: the logical size of its regular
   * files (a sparse file at its full length) and its files, folders and links.
   */
  public Usage usage() throws IOException {
    long[] u = DiskQuota.usage(sandbox);
    return new Usage(u[0], u[1]);
  }

  /** Bytes of regular files and number of entries in a sandbox. */
  public record Usage(long bytes, long entries) {}

  /**
   * How large a result zip may grow: its entries' uncompressed bytes and their number. A zip
   * beyond them is never written (it would be a bomb for whoever unpacks it).
   */
  public record ZipBound(long maxBytes, long maxEntries) {
    /** Room for the job's own limits: its disk and file limits, two capped outputs and the platform's notes. */
    public static ZipBound of(JobSpec spec, long maxOutputBytes) {
      long disk = spec.capabilities().diskMb() * 1024L * 1024L;
      return new ZipBound(disk + 2 * maxOutputBytes + (1 << 20), spec.capabilities().maxFiles() + 4L);
    }
  }

  /**
   * Writes the result zip to {@link #zip()}: {@code stdout.txt}, {@code stderr.txt}, {@code
   * exit-code.txt} (the code, or {@code none} when the program did not exit) and, unless the run
   * ended at a limit, every {@code results} path under {@code files/}; missing results are listed
   * in {@code missing-results.txt}. Throws rather than write more than {@code bound} allows.
   * Returns the SHA-256.
   */
  public String writeZip(JobSpec spec, RunOutcome outcome, ZipBound bound) throws IOException {
    return writeZip(spec, outcome, bound, 0).sha256();
  }

  /**
   * The result zip, held in memory while it is at most {@code inMemoryUpTo} bytes (most are: a
   * few hundred bytes of outputs and an exit code), else written to {@link #zip()}.
   */
  public Zip writeZip(JobSpec spec, RunOutcome outcome, ZipBound bound, int inMemoryUpTo) throws IOException {
    List<String> missing = new ArrayList<>();
    Map<String, Path> files = new LinkedHashMap<>();
    boolean publish = !outcome.status().overLimit();
    for (String result : publish ? spec.results() : List.<String>of()) {
      Map<String, Path> found = collect(result);
      if (found.isEmpty() && !SandboxPath.isWildcard(result)) {
        missing.add(result);
      }
      files.putAll(found);
    }
    if (!publish && (!spec.results().isEmpty() || !spec.namedResults().isEmpty())) {
      note("the run ended at a limit: none of its results or named results are published");
    }
    BoundedZip zip = new BoundedZip(bound);
    // Buffered (the zip's headers go a few bytes at a time: unbuffered, each was a write call of
    // its own) and hashed as written, instead of read back from the disk for its SHA-256.
    java.security.MessageDigest sha = Sha256.digest();
    SpillingOutput spill = new SpillingOutput(zip(), inMemoryUpTo);
    try (OutputStream raw = new java.security.DigestOutputStream(spill, sha);
        ZipOutputStream out = new ZipOutputStream(new java.io.BufferedOutputStream(raw, 8 * 1024))) {
      zip.file(out, "stdout.txt", stdout());
      zip.file(out, "stderr.txt", stderr());
      String exit = outcome.exitCode() == null ? "none" : String.valueOf(outcome.exitCode());
      zip.bytes(out, "exit-code.txt", (exit + "\n").getBytes(StandardCharsets.UTF_8));
      for (Map.Entry<String, Path> file : files.entrySet()) {
        zip.file(out, "files" + file.getKey(), file.getValue());
      }
      if (!missing.isEmpty()) {
        zip.bytes(out, "missing-results.txt", (String.join("\n", missing) + "\n").getBytes(StandardCharsets.UTF_8));
      }
    }
    return new Zip(Sha256.hex(sha), spill.inMemory());
  }

  /** A result zip's SHA-256, and its bytes when it was held in memory (else it is {@link #zip()}). */
  public record Zip(String sha256, byte[] bytes) {}

  /**
   * The files to publish for {@code namedResults}: data name → host file. A wildcard publishes
   * every regular file under its folder with the relative path appended to the name prefix.
   */
  public Map<String, Path> namedResults(JobSpec spec) throws IOException {
    Map<String, Path> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : spec.namedResults().entrySet()) {
      String path = e.getKey();
      String name = e.getValue();
      if (!SandboxPath.isWildcard(path)) {
        collect(path).values().forEach(file -> out.put(name, file));
        continue;
      }
      String base = SandboxPath.wildcardBase(path);
      for (Map.Entry<String, Path> file : collect(path).entrySet()) {
        String rel = file.getKey().substring(base.equals("/") ? 1 : base.length() + 1);
        String target = DataName.prefix(name) + rel;
        int room = DataName.MAX_LENGTH - DataName.PROVISIONAL_RESERVE;
        try {
          DataName.validate("namedResults." + path, target);
          if (target.length() > room) {
            throw new IllegalArgumentException("namedResults." + path + ": a published data name is " + target.length()
                + " characters, the limit is " + room);
          }
          out.put(target, file.getValue());
        } catch (IllegalArgumentException invalid) {
          note("not published: " + invalid.getMessage());
        }
      }
    }
    return out;
  }

  /** Regular files (never links) at a sandbox path or under a wildcard folder, by sandbox path. */
  private Map<String, Path> collect(String path) throws IOException {
    Map<String, Path> out = new LinkedHashMap<>();
    Path realSandbox = sandbox.toRealPath();
    if (!SandboxPath.isWildcard(path)) {
      Path file = SandboxPath.resolve(sandbox, path);
      if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && file.toRealPath().startsWith(realSandbox)) {
        out.put(path, file);
      }
      return out;
    }
    Path folder = SandboxPath.resolve(sandbox, SandboxPath.wildcardBase(path));
    if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS) || !folder.toRealPath().startsWith(realSandbox)) {
      return out;
    }
    List<Path> files = new ArrayList<>();
    walkRegularFiles(folder, (file, attrs) -> files.add(file));
    files.sort(Comparator.naturalOrder());
    for (Path file : files) {
      out.put("/" + sandbox.relativize(file).toString().replace('\\', '/'), file);
    }
    return out;
  }

  private interface FileVisitor {
    void visit(Path file, BasicFileAttributes attrs) throws IOException;
  }

  /** Walks without following links, so a program cannot point the platform outside its sandbox. */
  private static void walkRegularFiles(Path start, FileVisitor visitor) throws IOException {
    if (!Files.exists(start, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(
        start,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
            if (attrs.isRegularFile()) {
              visitor.visit(file, attrs);
            }
            return FileVisitResult.CONTINUE;
          }
        });
  }

  /** Zip entries written within a {@link ZipBound}: past it, an IOException and no more bytes. */
  private static final class BoundedZip {
    private static final int LARGE_READ = 64 * 1024;
    private final ZipBound bound;
    private long bytes;
    private long entries;
    /** Small at first: most results are a few hundred bytes of output, and every job makes a zip. */
    private byte[] buf = new byte[8 * 1024];

    BoundedZip(ZipBound bound) {
      this.bound = bound;
    }

    private void begin(ZipOutputStream zip, String name) throws IOException {
      if (++entries > bound.maxEntries()) {
        throw new IOException("the result zip would hold more than " + bound.maxEntries() + " entries");
      }
      zip.putNextEntry(new ZipEntry(name));
    }

    private void count(long n) throws IOException {
      bytes += n;
      if (bytes > bound.maxBytes()) {
        throw new IOException("the result zip would hold more than " + bound.maxBytes() + " bytes uncompressed");
      }
    }

    void file(ZipOutputStream zip, String name, Path file) throws IOException {
      begin(zip, name);
      try (java.io.InputStream in = Files.newInputStream(file)) {
        for (int n; (n = in.read(buf)) > 0; ) {
          count(n);
          zip.write(buf, 0, n);
          if (n == buf.length && buf.length < LARGE_READ) {
            buf = new byte[LARGE_READ]; // a large file: fewer, larger reads
          }
        }
      }
      zip.closeEntry();
    }

    void bytes(ZipOutputStream zip, String name, byte[] content) throws IOException {
      begin(zip, name);
      count(content.length);
      zip.write(content);
      zip.closeEntry();
    }
  }

  private static String parentOf(String path) {
    int slash = path.lastIndexOf('/');
    return slash <= 0 ? "/" : path.substring(0, slash);
  }

  /** Deletes a file, a link (never followed) or a folder with everything in it. */
  private static void deleteTree(Path top) throws IOException {
    Files.walkFileTree(top, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException failed) throws IOException {
        if (failed != null) {
          throw failed;
        }
        Files.delete(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /** Removes every file of the attempt (links as links, never followed). */
  public void delete() throws IOException {
    if (Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      deleteTree(root);
    }
  }
}
