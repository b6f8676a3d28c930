package org.ucp.executor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.ucp.model.AttemptRef;

/**
 * The executor's workspaces, each lent to one attempt at a time and emptied for the next instead
 * of deleted. Deleting an attempt's folders and files and creating new ones for the next cost a
 * trivial job four inodes freed and four allocated, and this machine's ext4 (no journal) scans
 * past every inode freed in the last minute or more whenever it allocates one, the datastore's
 * included: a reused workspace frees and allocates none when the program wrote no files.
 *
 * <p>A log read keeps the workspace it reads from being emptied or lent again until it is done,
 * so it never returns another attempt's output. Blocking methods: call from a worker thread,
 * except {@link #take}.
 */
final class Workspaces {
  private static final Logger LOG = Logger.getLogger(Workspaces.class.getName());

  private final Path jobsDir;
  private final int keepIdle;
  /** Unique to this opening of the folder, so its names never meet an earlier run's leftovers. */
  private final String tag = UUID.randomUUID().toString().substring(0, 8);
  private final ArrayDeque<JobWorkspace> idle = new ArrayDeque<>();
  private final Map<AttemptRef, Lease> lent = new HashMap<>();
  private long made;
  /** Set when the executor stops: a workspace given back after it is deleted, not kept. */
  private boolean closed;

  private static final class Lease {
    final JobWorkspace workspace;
    int readers;
    boolean returned;

    Lease(JobWorkspace workspace) {
      this.workspace = workspace;
    }
  }

  /** @param keepIdle how many emptied workspaces are kept for later attempts; more are deleted */
  Workspaces(Path jobsDir, int keepIdle) {
    this.jobsDir = jobsDir;
    this.keepIdle = keepIdle;
  }

  /**
   * Creates the folder, or empties it of what an earlier run of the executor left: a killed
   * executor leaves its attempts' workspaces, their inputs and outputs included. The executor owns
   * the folder; call before the first attempt. Blocking.
   */
  void sweep() throws IOException {
    Files.createDirectories(jobsDir);
    List<Path> left;
    try (Stream<Path> children = Files.list(jobsDir)) {
      left = children.toList();
    }
    for (Path child : left) {
      new JobWorkspace(child).delete();
    }
    if (!left.isEmpty()) {
      LOG.info(() -> "removed " + left.size() + " workspaces an earlier run left in " + jobsDir);
    }
  }

  /** A workspace for {@code ref}, kept from an earlier attempt or a new folder; {@link JobWorkspace#create} readies it. */
  synchronized JobWorkspace take(AttemptRef ref) {
    if (lent.containsKey(ref)) {
      throw new IllegalStateException(ref + " already has a workspace");
    }
    JobWorkspace workspace = idle.isEmpty() ? new JobWorkspace(jobsDir.resolve(tag + "-" + ++made)) : idle.pop();
    lent.put(ref, new Lease(workspace));
    return workspace;
  }

  /**
   * Takes back {@code ref}'s workspace: emptied and kept, or deleted when enough are kept or it
   * cannot be emptied. A log read in progress leaves that to the read's end. Blocking; never throws.
   */
  void giveBack(AttemptRef ref) {
    Lease lease;
    synchronized (this) {
      lease = lent.remove(ref);
      if (lease == null) {
        return;
      }
      lease.returned = true;
      if (lease.readers > 0) {
        return;
      }
    }
    recycle(lease.workspace);
  }

  /**
   * {@code read} applied to {@code ref}'s workspace while it is lent to {@code ref}; empty when it
   * is not (not yet, or given back). Blocking.
   */
  <T> Optional<T> read(AttemptRef ref, WorkspaceRead<T> read) throws IOException {
    Lease lease;
    synchronized (this) {
      lease = lent.get(ref);
      if (lease == null) {
        return Optional.empty();
      }
      lease.readers++;
    }
    try {
      return Optional.ofNullable(read.apply(lease.workspace));
    } finally {
      boolean last;
      synchronized (this) {
        last = --lease.readers == 0 && lease.returned;
      }
      if (last) {
        recycle(lease.workspace);
      }
    }
  }

  /** Reads files of a lent workspace. */
  interface WorkspaceRead<T> {
    T apply(JobWorkspace workspace) throws IOException;
  }

  /** How many emptied workspaces wait for an attempt. */
  synchronized int idle() {
    return idle.size();
  }

  /**
   * Deletes the workspaces kept for later attempts (the executor stops); those still lent are
   * deleted when they are given back. Blocking.
   */
  void close() {
    synchronized (this) {
      closed = true;
    }
    while (true) {
      JobWorkspace workspace;
      synchronized (this) {
        workspace = idle.poll();
      }
      if (workspace == null) {
        return;
      }
      delete(workspace);
    }
  }

  private void recycle(JobWorkspace workspace) {
    try {
      workspace.clear();
    } catch (IOException | RuntimeException e) {
      LOG.warning(() -> "could not empty " + workspace.root() + " for another attempt (" + e + "); deleting it");
      delete(workspace);
      return;
    }
    synchronized (this) {
      if (!closed && idle.size() < keepIdle) {
        idle.push(workspace);
        return;
      }
    }
    delete(workspace);
  }

  private static void delete(JobWorkspace workspace) {
    try {
      workspace.delete();
    } catch (IOException | RuntimeException e) {
      LOG.warning(() -> "could not delete " + workspace.root() + ": " + e);
    }
  }
}
