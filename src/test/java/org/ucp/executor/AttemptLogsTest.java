package org.ucp.executor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.app.Embedded;
import org.ucp.bus.Messages.LogChunk;
import org.ucp.bus.Messages.LogRead;
import org.ucp.model.AttemptRef;
import org.ucp.model.JobSpec;

/** An executor's answers about an attempt's output: from an offset, at most so many bytes, only for attempts it holds. */
@Timeout(60)
class AttemptLogsTest {
  @TempDir Path jobs;
  private final Vertx vertx = Vertx.vertx();
  private final AttemptRef ref = new AttemptRef("3f2a9c1e-0000-4000-8000-000000000001", 2);

  @AfterEach
  void close() {
    Embedded.await(vertx.close(), 10);
  }

  private LogChunk read(AttemptLogs logs, long out, long err, int max) {
    return Embedded.await(logs.read(new LogRead(ref.jobId(), ref.attempt(), out, err, max)), 10);
  }

  @Test
  void readsEachStreamFromItsOffsetAtMostMaxBytes() throws Exception {
    Workspaces workspaces = new Workspaces(jobs, 2);
    JobWorkspace ws = workspaces.take(ref);
    ws.create(JobSpec.of("m.wasm", java.util.List.of()));
    Files.writeString(ws.stdout(), "tick 1\ntick 2\n");
    Files.writeString(ws.stderr(), "tock 1\n");
    AttemptLogs logs = new AttemptLogs(vertx, workspaces, Set.of(ref)::contains);

    LogChunk all = read(logs, 0, 0, LogRead.MAX_BYTES);
    assertTrue(all.held());
    assertEquals("tick 1\ntick 2\n", new String(all.stdout(), StandardCharsets.UTF_8));
    assertEquals("tock 1\n", new String(all.stderr(), StandardCharsets.UTF_8));

    LogChunk part = read(logs, 7, -1, 4);
    assertEquals("tick", new String(part.stdout(), StandardCharsets.UTF_8));
    assertArrayEquals(new byte[0], part.stderr(), "stderr was not asked for");
    assertArrayEquals(new byte[0], read(logs, 14, 99, 10).stdout(), "nothing new past the end");
  }

  @Test
  void anAttemptNotHeldOrWhoseWorkspaceWasGivenBackHasNoOutput() throws Exception {
    Workspaces workspaces = new Workspaces(jobs, 2);
    assertFalse(read(new AttemptLogs(vertx, workspaces, r -> false), 0, 0, 10).held(), "not held here");
    assertFalse(read(new AttemptLogs(vertx, workspaces, Set.of(ref)::contains), 0, 0, 10).held(), "held, but no workspace yet");

    JobWorkspace ws = workspaces.take(ref);
    ws.create(JobSpec.of("m.wasm", java.util.List.of()));
    Files.writeString(ws.stdout(), "mine\n");
    workspaces.giveBack(ref);
    AttemptRef next = new AttemptRef("3f2a9c1e-0000-4000-8000-000000000002", 1);
    Files.writeString(workspaces.take(next).stdout(), "the next attempt's\n");
    assertFalse(read(new AttemptLogs(vertx, workspaces, Set.of(ref, next)::contains), 0, 0, 100).held(),
        "the workspace now serves another attempt: none of its output is this one's");
  }
}
