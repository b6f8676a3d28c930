package org.ucp.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.model.AttemptRef;
import org.ucp.model.JobSpec;

/** Workspaces lent to one attempt at a time, emptied and lent again rather than deleted and made anew. */
@Timeout(30)
class WorkspacesTest {
  @TempDir Path tmp;
  private final JobSpec spec = JobSpec.of("m.wasm", List.of());

  private static AttemptRef attempt(int n) {
    return new AttemptRef("3f2a9c1e-0000-4000-8000-00000000000" + n, 1);
  }

  private static Object inode(Path path) throws IOException {
    return Files.getAttribute(path, "unix:ino");
  }

  @Test
  void aGivenBackWorkspaceIsEmptiedAndLentAgainWithTheSameFolders() throws IOException {
    Workspaces workspaces = new Workspaces(tmp.resolve("jobs"), 4);
    JobWorkspace first = workspaces.take(attempt(1));
    first.create(spec);
    Path outside = Files.writeString(tmp.resolve("outside.txt"), "not the sandbox's");
    Files.createDirectories(first.sandbox().resolve("out/deep"));
    Files.writeString(first.sandbox().resolve("out/deep/result.txt"), "attempt 1's result");
    Files.createSymbolicLink(first.sandbox().resolve("link"), outside);
    Files.writeString(first.stdout(), "attempt 1's output");
    Files.writeString(first.stdin(), "attempt 1's input");
    Files.writeString(first.zip(), "attempt 1's zip");
    Object sandbox = inode(first.sandbox());
    Object stdout = inode(first.stdout());

    workspaces.giveBack(attempt(1));

    try (Stream<Path> left = Files.list(first.sandbox())) {
      assertEquals(List.of(), left.toList(), "nothing of attempt 1 is left in the sandbox");
    }
    assertEquals(0, Files.size(first.stdout()));
    assertEquals(0, Files.size(first.stderr()));
    assertFalse(Files.exists(first.stdin()));
    assertFalse(Files.exists(first.zip()));
    assertEquals("not the sandbox's", Files.readString(outside), "a link is removed, never followed");

    JobWorkspace second = workspaces.take(attempt(2));
    second.create(spec);
    assertEquals(first.root(), second.root(), "the emptied workspace is lent again");
    assertEquals(sandbox, inode(second.sandbox()), "its sandbox folder is the same inode, not made anew");
    assertEquals(stdout, inode(second.stdout()), "so is its captured output");
  }

  @Test
  void aLogReadKeepsTheWorkspaceUntilItEnds() throws IOException {
    Workspaces workspaces = new Workspaces(tmp.resolve("jobs"), 4);
    JobWorkspace first = workspaces.take(attempt(1));
    first.create(spec);
    Files.writeString(first.stdout(), "attempt 1's output");

    Optional<String> read = workspaces.read(attempt(1), ws -> {
      workspaces.giveBack(attempt(1));
      JobWorkspace next = workspaces.take(attempt(2));
      assertNotEquals(ws.root(), next.root(), "a workspace being read is not lent to another attempt");
      return Files.readString(ws.stdout());
    });

    assertEquals(Optional.of("attempt 1's output"), read, "the read saw its own attempt's output, not an emptied file");
    assertEquals(0, Files.size(first.stdout()), "emptied once the read ended");
    assertEquals(1, workspaces.idle());
    assertEquals(Optional.empty(), workspaces.read(attempt(1), ws -> "read"), "given back: nothing to read");
  }

  @Test
  void workspacesBeyondThoseKeptOrGivenBackAfterClosingAreDeleted() throws IOException {
    Workspaces workspaces = new Workspaces(tmp.resolve("jobs"), 1);
    JobWorkspace one = workspaces.take(attempt(1));
    JobWorkspace two = workspaces.take(attempt(2));
    JobWorkspace three = workspaces.take(attempt(3));
    one.create(spec);
    two.create(spec);
    three.create(spec);

    workspaces.giveBack(attempt(1));
    workspaces.giveBack(attempt(2));

    assertTrue(Files.isDirectory(one.sandbox()), "the first one given back is kept");
    assertFalse(Files.exists(two.root()), "one is kept, so the second is deleted");
    workspaces.close();
    assertFalse(Files.exists(one.root()), "closing deletes those kept");
    assertEquals(0, workspaces.idle());
    workspaces.giveBack(attempt(3));
    assertFalse(Files.exists(three.root()), "one given back after closing is deleted, not kept");
  }

  @Test
  void sweepingRemovesWhatAnEarlierRunLeft() throws IOException {
    Path jobs = tmp.resolve("jobs");
    Files.createDirectories(jobs.resolve("5a1b2c3d-7/sandbox/in"));
    Files.writeString(jobs.resolve("5a1b2c3d-7/sandbox/in/secret.txt"), "an earlier job's input");
    Files.writeString(jobs.resolve("stray.txt"), "left");

    new Workspaces(jobs, 4).sweep();

    try (Stream<Path> left = Files.list(jobs)) {
      assertEquals(List.of(), left.toList());
    }
    new Workspaces(tmp.resolve("fresh"), 4).sweep();
    assertTrue(Files.isDirectory(tmp.resolve("fresh")), "a missing folder is created");
  }

  @Test
  void anAttemptHasOneWorkspace() {
    Workspaces workspaces = new Workspaces(tmp.resolve("jobs"), 1);
    workspaces.take(attempt(1));
    assertThrows(IllegalStateException.class, () -> workspaces.take(attempt(1)));
  }
}
