package org.ucp.bus;

import java.util.List;
import java.util.Map;
import org.ucp.clock.VectorClock;
import org.ucp.model.EmergencyState;
import org.ucp.model.ExecutorCapabilities;
import org.ucp.model.JobSpec;
import org.ucp.model.JobState;
import org.ucp.model.JobView;

/** The records that travel over the event bus. Each has a {@link JsonCodec}. */
public final class Messages {
  private Messages() {}

  /**
   * A submission.
   *
   * @param clientId who submits, or null; with it the job's stamp ticks the client's entry
   * @param clientClock the client's causal knowledge (stamps of jobs it saw accepted), or empty
   * @param jobId the id the submitter chose, so that a retry of the same submission (its answer
   *     was lost with a node) is the same job; null lets the broker choose
   * @param submittedBy the name of the client token the job came with, or null (see {@link
   *     org.ucp.model.JobView#submittedBy})
   */
  public record SubmitJob(JobSpec spec, String clientId, VectorClock clientClock, String jobId, String submittedBy) {
    /** What a client id looks like; the keys of a client stamp are client ids too. */
    public static final java.util.regex.Pattern CLIENT_ID = java.util.regex.Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

    public SubmitJob {
      java.util.Objects.requireNonNull(spec, "spec");
      clientClock = clientClock == null ? VectorClock.empty() : clientClock;
      if (clientId != null && !CLIENT_ID.matcher(clientId).matches()) {
        throw new org.ucp.model.ValidationException("clientId", "must be 1-64 letters, digits or _ . : -");
      }
      if (jobId != null && !CLIENT_ID.matcher(jobId).matches()) {
        throw new org.ucp.model.ValidationException("jobId", "must be 1-64 letters, digits or _ . : -");
      }
      if (submittedBy != null && !CLIENT_ID.matcher(submittedBy).matches()) {
        throw new org.ucp.model.ValidationException("submittedBy", "must be a token name: 1-64 letters, digits or _ . : -");
      }
    }

    public SubmitJob(JobSpec spec, String clientId, VectorClock clientClock) {
      this(spec, clientId, clientClock, null, null);
    }

    public SubmitJob(JobSpec spec) {
      this(spec, null, VectorClock.empty());
    }
  }

  /**
   * A job taken. {@code owner} is the broker that holds it; {@code replicas} how many brokers
   * held it when this answer was sent (at least two whenever another broker was alive).
   */
  public record JobAccepted(String jobId, JobState state, VectorClock stamp, String owner, int replicas) {}

  public record JobQuery(String jobId) {}

  /** Cancel the job (sent to its owner); {@code reason} says who asked, for the job's history. */
  public record CancelJob(String jobId, String reason) {}

  /**
   * A page of the job list. By page number, oldest first; or, with {@code newestFirst}, the jobs
   * after the cursor {@code after} (a job id; null: from the newest), newest first.
   */
  public record JobListQuery(JobState state, int page, int size, boolean newestFirst, String after) {
    public JobListQuery {
      if (page < 0 || size < 1 || size > 1000) {
        throw new IllegalArgumentException("page must be >= 0 and size 1..1000");
      }
    }

    public JobListQuery(JobState state, int page, int size) {
      this(state, page, size, false, null);
    }
  }

  /** @param next the cursor for the following page (newest first), or null when there is none */
  public record JobPage(List<JobView> jobs, int page, int size, long total, String next) {
    public JobPage(List<JobView> jobs, int page, int size, long total) {
      this(jobs, page, size, total, null);
    }
  }

  /**
   * An executor (re-)registers.
   *
   * @param clusterNodeId its Hazelcast member id, so the broker can react when the member leaves
   * @param slots the slots it offers (stopped attempts winding down take theirs), as a {@link Heartbeat} does
   * @param attempts the attempts it still holds
   * @param occupying those of them that hold one of the offered slots, as a {@link Heartbeat} lists
   *     them: not those already handing in their result (null: all of them)
   */
  public record RegisterExecutor(
      String executorId, String clusterNodeId, int slots, ExecutorCapabilities capabilities,
      List<org.ucp.model.AttemptRef> attempts, List<org.ucp.model.AttemptRef> occupying) {
    public RegisterExecutor {
      attempts = List.copyOf(attempts == null ? List.of() : attempts);
      occupying = occupying == null ? attempts : List.copyOf(occupying);
    }

    public RegisterExecutor(String executorId, String clusterNodeId, int slots, ExecutorCapabilities capabilities,
        List<org.ucp.model.AttemptRef> attempts) {
      this(executorId, clusterNodeId, slots, capabilities, attempts, null);
    }
  }

  /**
   * A registration's answer: which of the executor's attempts were redeployed meanwhile and must stop. With {@code redirectTo} set the executor was not taken: the jobs it
   * runs belong to that broker (the successor of its dead one), which it must register with.
   */
  public record Registered(String brokerId, List<org.ucp.model.AttemptRef> superseded, String redirectTo) {
    public Registered(String brokerId, List<org.ucp.model.AttemptRef> superseded) {
      this(brokerId, superseded, null);
    }

    public Registered {
      superseded = List.copyOf(superseded == null ? List.of() : superseded);
    }
  }

  /**
   * A broker's answer to a heartbeat it took. With {@code redirectTo} set, every unfinished attempt
   * the executor runs (of the jobs this broker knows) belongs to that live broker, and this one
   * placed none there: it registered here while their owner was silent, and since then the
   * owner's successor adopted them, or the owner came back. This broker has let it go; it must
   * register with {@code redirectTo}.
   */
  public record HeartbeatReply(String redirectTo) {}

  /**
   * An executor's heartbeat: its live capabilities, every attempt it holds, of those the ones
   * whose program is running at this moment ({@code executing}; the others are fetching inputs or
   * handing in their result), and the ones that hold one of the {@code slots} it offers
   * ({@code occupying}: from the run's start until its result is stored; stopped ones, which it
   * does not offer, are left out).
   */
  public record Heartbeat(
      String executorId, int slots, ExecutorCapabilities capabilities, List<org.ucp.model.AttemptRef> running,
      List<AttemptFailure> failed, List<org.ucp.model.AttemptRef> executing, List<org.ucp.model.AttemptRef> occupying) {
    public Heartbeat {
      running = List.copyOf(running == null ? List.of() : running);
      failed = List.copyOf(failed == null ? List.of() : failed);
      executing = List.copyOf(executing == null ? List.of() : executing);
      occupying = List.copyOf(occupying == null ? List.of() : occupying);
    }

    /** A heartbeat whose attempts hold a slot while their program runs. */
    public Heartbeat(String executorId, int slots, ExecutorCapabilities capabilities, List<org.ucp.model.AttemptRef> running,
        List<AttemptFailure> failed, List<org.ucp.model.AttemptRef> executing) {
      this(executorId, slots, capabilities, running, failed, executing, executing);
    }

    public Heartbeat(String executorId, int slots, ExecutorCapabilities capabilities, List<org.ucp.model.AttemptRef> running,
        List<AttemptFailure> failed) {
      this(executorId, slots, capabilities, running, failed, List.of());
    }

    public Heartbeat(String executorId, int slots, ExecutorCapabilities capabilities, List<org.ucp.model.AttemptRef> running) {
      this(executorId, slots, capabilities, running, List.of());
    }
  }

  /**
   * An attempt that failed on the platform on its executor (a data transfer, the result
   * submission, an error in the executor), reported with the executor's next heartbeats until
   * its broker has heard it.
   */
  public record AttemptFailure(org.ucp.model.AttemptRef attempt, String reason) {}

  /**
   * A broker tells an executor to stop an attempt (superseded or preempted). The executor answers
   * once the attempt has given up its slot.
   */
  public record StopAttempt(String jobId, int attempt, String reason) {}

  /**
   * Asks an executor for the output so far of an attempt it runs: the bytes of stdout from offset
   * {@code stdoutFrom} and of stderr from {@code stderrFrom} (-1: that stream is not wanted), at
   * most {@code maxBytes} of each.
   */
  public record LogRead(String jobId, int attempt, long stdoutFrom, long stderrFrom, int maxBytes) {
    /** The most one answer carries of each stream, so that a message stays small. */
    public static final int MAX_BYTES = 64 * 1024;

    public LogRead {
      java.util.Objects.requireNonNull(jobId, "jobId");
      if (attempt < 1 || stdoutFrom < -1 || stderrFrom < -1 || maxBytes < 1 || maxBytes > MAX_BYTES) {
        throw new IllegalArgumentException("a log read needs an attempt >= 1, offsets >= -1 and 1.." + MAX_BYTES + " bytes");
      }
    }

    /** The offset asked for of {@code stream}, -1 when it is not wanted. */
    public long from(org.ucp.model.LogStream stream) {
      return stream == org.ucp.model.LogStream.STDOUT ? stdoutFrom : stderrFrom;
    }
  }

  /**
   * An executor's answer to a {@link LogRead}: the bytes of each stream from the offset asked for
   * (empty when there are none yet, or the stream was not asked for).
   *
   * @param held whether the executor holds the attempt's output: false when the attempt does not
   *     run there, or its files are gone (its result was decided)
   */
  public record LogChunk(byte[] stdout, byte[] stderr, boolean held) {
    public static final LogChunk NONE = new LogChunk(new byte[0], new byte[0], false);

    public LogChunk {
      stdout = stdout == null ? new byte[0] : stdout;
      stderr = stderr == null ? new byte[0] : stderr;
    }

    public byte[] of(org.ucp.model.LogStream stream) {
      return stream == org.ucp.model.LogStream.STDOUT ? stdout : stderr;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof LogChunk c && held == c.held && java.util.Arrays.equals(stdout, c.stdout)
          && java.util.Arrays.equals(stderr, c.stderr);
    }

    @Override
    public int hashCode() {
      return 31 * (31 * java.util.Arrays.hashCode(stdout) + java.util.Arrays.hashCode(stderr)) + Boolean.hashCode(held);
    }

    @Override
    public String toString() {
      return "LogChunk[stdout=" + stdout.length + " bytes, stderr=" + stderr.length + " bytes, held=" + held + "]";
    }
  }

  /**
   * Every broker announces itself periodically; executors pick the least loaded live one.
   *
   * @param queued queued jobs that could start now (not held back for an earlier job)
   * @param executorIds the executors registered and not LOST, by name (who may be spared to a
   *     broker with none)
   * @param processUpMs how long the broker's process has been up ({@link Warmup})
   */
  public record BrokerAnnounce(
      String brokerId, org.ucp.model.SchedulingStrategy strategy, int executors, int running, int queued,
      EmergencyState emergency,
      String clusterNodeId, List<String> executorIds, long processUpMs) {
    public BrokerAnnounce {
      executorIds = executorIds == null ? List.of() : List.copyOf(executorIds);
    }
  }

  /**
   * What a broker did to named data, sent to the broker that writes the data-name index: objects
   * written (each with the datastores that now hold it) and names deleted as of {@code
   * deletedVersion}.
   */
  public record IndexUpdate(List<DataEntry> written, List<String> deleted, String deletedVersion) {
    public IndexUpdate {
      written = List.copyOf(written == null ? List.of() : written);
      deleted = List.copyOf(deleted == null ? List.of() : deleted);
    }
  }

  /**
   * One name in the brokers' data-name index: its current version, size and checksum and the
   * datastores holding that version; {@code deleted} marks a tombstone (deleted as of {@code version}).
   */
  public record DataLocation(
      String name, String version, long size, String sha256, List<String> datastores, boolean deleted) {
    public DataLocation {
      datastores = List.copyOf(new java.util.TreeSet<>(datastores == null ? List.of() : datastores));
    }

    public DataEntry entry() {
      return new DataEntry(name, size, sha256, version, datastores);
    }
  }

  /** A streamed write opened by a broker: where to send the chunks and which version they make. */
  public record UploadTicket(String session, String broker, String name, String version, List<String> datastores) {}

  /** Up to {@code length} bytes of {@code name} from {@code offset}; {@code version} pins one version. */
  public record ReadAt(String name, String version, long offset, int length) {}

  /** Deletes a name (or every name under it when {@code prefix}) in versions older than {@code version}, except {@code keep}. */
  public record DeleteData(String name, boolean prefix, String version, String keep) {}

  /** Stores a datastore's current {@code from} as version {@code toVersion} of {@code to}, without moving bytes. */
  public record LocalCopy(String from, String to, String toVersion) {}

  /**
   * A datastore announces itself (published every second): space and contents for placement and monitoring.
   *
   * @param processUpMs how long the datastore's process has been up ({@link Warmup})
   */
  public record DatastoreAnnounce(
      String datastoreId, String clusterNodeId, long freeBytes, long totalBytes, long objects, long storedBytes,
      long processUpMs) {}

  /** One datastore as a broker sees it. */
  public record DatastoreInfo(
      String datastoreId, org.ucp.model.PeerHealth health, long freeBytes, long totalBytes, long objects, long storedBytes, long lastSeen) {}

  /** Metadata versions a broker wrote (published at once) or sends to repair a peer. */
  public record SyncDelta(String from, List<org.ucp.sync.MetaEntry> entries, Map<String, Long> caughtUp) {
    public SyncDelta {
      entries = List.copyOf(entries == null ? List.of() : entries);
      caughtUp = Map.copyOf(caughtUp == null ? Map.of() : caughtUp);
    }
  }

  /**
   * A broker's periodic digest: per origin, the sequence number up to which it holds every write;
   * a peer answers with the versions it is missing. Its size grows with the number of brokers,
   * not with the metadata.
   */
  public record SyncDigest(String from, String clusterNodeId, long seq, Map<String, Long> watermarks) {
    public SyncDigest {
      watermarks = Map.copyOf(watermarks == null ? Map.of() : watermarks);
    }
  }

  /** One broker's view of metadata sync, for {@code GET /api/coordination-status}. */
  public record CoordinationView(
      String brokerId,
      VectorClock clock,
      long seq,
      List<PeerView> peers,
      long conflictsMerged,
      Map<String, Long> entriesByKind,
      long syncBytesSent,
      long deltasSent,
      long repairsSent,
      List<org.ucp.sync.MetaEntry> metadata) {}

  /**
   * A peer as one broker sees it.
   *
   * @param lastSyncMsAgo since the last delta or digest from it
   * @param lagEntries how many of its writes this broker has not applied yet
   */
  public record PeerView(
      String brokerId, org.ucp.model.PeerHealth health, long lastSyncMsAgo, long lagEntries, long watermark) {}

  /** A broker asks an executor to run one attempt of a job. */
  /**
   * An attempt to run.
   *
   * @param moduleSha256 the SHA-256 of the module's current version in the dispatching broker's
   *     index, or null: an executor that has a module of that hash compiled runs it without
   *     fetching it (the hash is checked again on the bytes it holds)
   */
  public record RunJob(String jobId, int attempt, JobSpec spec, String brokerId, VectorClock clock, String moduleSha256) {
    public RunJob {
      if (moduleSha256 != null && !moduleSha256.matches("[0-9a-f]{64}")) {
        throw new IllegalArgumentException("moduleSha256: not a hex SHA-256: " + moduleSha256);
      }
    }

    public RunJob(String jobId, int attempt, JobSpec spec, String brokerId, VectorClock clock) {
      this(jobId, attempt, spec, brokerId, clock, null);
    }

    /** The same attempt, naming the module's hash. */
    public RunJob withModuleSha256(String sha256) {
      return new RunJob(jobId, attempt, spec, brokerId, clock, sha256);
    }
  }

  /** Told to arbiters when a broker dispatches an attempt, so they know who may submit. */
  public record AttemptAssigned(
      String jobId, int attempt, String executorId, String brokerId, VectorClock clock) {}

  /** How a run ended on the executor. */
  public enum RunStatus {
    /** The program ran to an exit (any exit code). */
    EXITED,
    /** It could not run to an exit: bad module, trap, timeout, memory limit, missing input. */
    FAILED
  }

  /**
   * An executor's claim that an attempt produced a result.
   *
   * @param location data name of the provisional result zip; null when the zip travels here
   *     ({@code inline})
   * @param namedResults published names mapped to the provisional data names holding them
   * @param inline the result zip itself, base64, when it is at most {@link DataProtocol#INLINE_RESULT}
   *     bytes and the attempt publishes no named results: nothing is stored before the decision, and
   *     the decision entry holds the bytes until they are stored as {@code <jobId>/result}. Null
   *     otherwise.
   */
  public record ResultSubmission(
      String jobId,
      int attempt,
      String executorId,
      VectorClock clock,
      String sha256,
      String location,
      RunStatus status,
      Integer exitCode,
      String reason,
      Map<String, String> namedResults,
      String inline) {
    public ResultSubmission {
      namedResults = Map.copyOf(namedResults == null ? Map.of() : namedResults);
      if (inline != null && inline.length() > DataProtocol.INLINE_RESULT_BASE64) {
        throw new IllegalArgumentException("inline: " + inline.length() + " characters of base64, at most "
            + DataProtocol.INLINE_RESULT_BASE64 + " (" + DataProtocol.INLINE_RESULT + " bytes)");
      }
    }

    /** A submission whose zip was stored provisionally at {@code location}. */
    public ResultSubmission(String jobId, int attempt, String executorId, VectorClock clock, String sha256, String location,
        RunStatus status, Integer exitCode, String reason, Map<String, String> namedResults) {
      this(jobId, attempt, executorId, clock, sha256, location, status, exitCode, reason, namedResults, null);
    }

    /** The zip carried inline, decoded; null when it was stored at {@code location}. */
    public byte[] inlineBytes() {
      return inline == null ? null : java.util.Base64.getDecoder().decode(inline);
    }
  }

  public enum Verdict {
    ACCEPTED,
    REJECTED
  }

  public enum RejectReason {
    ALREADY_ACCEPTED,
    STALE_ATTEMPT,
    UNKNOWN_JOB,
    NOT_ASSIGNED,
    /** The losing acceptance of a split-brain merge: the other side accepted the causal winner. */
    MERGED_AWAY,
    /** The job was cancelled before any result was accepted. */
    CANCELLED
  }

  /**
   * The arbiter's answer to one submission.
   *
   * @param clock the attempt's clock of record (brokers merge it), empty when unknown
   * @param sha256 the decided submission's result checksum where it tells two executions apart: set
   *     on a {@link RejectReason#MERGED_AWAY}, whose loser may be another execution of the very
   *     attempt number and executor that won; null otherwise
   */
  public record Decision(
      String jobId, int attempt, String executorId, Verdict verdict, RejectReason reason, VectorClock clock,
      String sha256) {
    public Decision {
      clock = clock == null ? VectorClock.empty() : clock;
    }

    public Decision(String jobId, int attempt, String executorId, Verdict verdict, RejectReason reason, VectorClock clock) {
      this(jobId, attempt, executorId, verdict, reason, clock, null);
    }

    public Decision(String jobId, int attempt, String executorId, Verdict verdict, RejectReason reason) {
      this(jobId, attempt, executorId, verdict, reason, VectorClock.empty());
    }
  }

  /**
   * A broker's report to {@link Addresses#ARBITER_REPAIR}: its replica of the data index shows
   * {@code <jobId>/result} with these bytes after a peer's version replaced other bytes there. The
   * arbiter promotes the job's accepted result again unless these are its bytes; the answer is
   * whether the job has an accepted result at all.
   */
  public record ResultRepair(String jobId, String sha256) {}

  /**
   * Published on {@link Addresses#RESULTS_DECIDED} once a job's result is accepted and stored.
   *
   * @param clock the accepted attempt's clock (brokers merge it), empty when unknown
   */
  public record ResultDecided(
      String jobId,
      int attempt,
      String executorId,
      JobState state,
      Integer exitCode,
      String sha256,
      String resultName,
      String reason,
      VectorClock clock) {
    public ResultDecided {
      clock = clock == null ? VectorClock.empty() : clock;
    }

    public ResultDecided(String jobId, int attempt, String executorId, JobState state, Integer exitCode, String sha256,
        String resultName, String reason) {
      this(jobId, attempt, executorId, state, exitCode, sha256, resultName, reason, VectorClock.empty());
    }

    /** The announcement of an accepted submission, once promoted to {@code <jobId>/result}. */
    public static ResultDecided of(ResultSubmission s) {
      JobState state = s.status() == RunStatus.EXITED ? JobState.COMPLETED : JobState.FAILED;
      return new ResultDecided(s.jobId(), s.attempt(), s.executorId(), state, s.exitCode(), s.sha256(),
          s.jobId() + "/result", s.reason(), s.clock());
    }
  }

  /** How many decisions of one kind an arbiter made. */
  public record DecisionCount(org.ucp.model.ResultPolicy policy, Verdict verdict, RejectReason reason, long count) {
    /** {@code POLICY VERDICT [REASON]}: how {@code GET /api/conflicts} keys it. */
    public String key() {
      return policy + " " + verdict + (reason == null ? "" : " " + reason);
    }
  }

  /** One arbiter's decision statistics. */
  public record ArbiterStatsView(
      String arbiterId, org.ucp.model.ResultPolicy policy, List<DecisionCount> counts, long decisions,
      double latencyMsP50, double latencyMsP99) {
    public ArbiterStatsView {
      counts = List.copyOf(counts);
    }
  }

  /** One stored object; {@code datastores} lists its holders where the brokers' index is the source. */
  public record DataEntry(String name, long size, String sha256, String version, List<String> datastores) {
    public DataEntry {
      datastores = datastores == null ? List.of() : List.copyOf(datastores);
    }

    public DataEntry withDatastores(List<String> holders) {
      return new DataEntry(name, size, sha256, version, holders);
    }
  }

  public record DataListQuery(String prefix, int page, int size) {
    public DataListQuery {
      prefix = prefix == null ? "" : prefix;
      if (page < 0 || size < 1 || size > 10_000) {
        throw new IllegalArgumentException("page must be >= 0 and size 1..10000");
      }
    }
  }

  public record DataPage(List<DataEntry> entries, int page, int size, long total) {}

  public record CopyEntry(String from, String to) {}

  public record CopyData(List<CopyEntry> entries) {}

  /**
   * One executor as its broker sees it.
   *
   * @param running the attempts holding its slots: those this broker placed on it, and those its
   *     last heartbeat listed as taking a slot that this broker did not place (another broker's, or
   *     superseded ones still winding down)
   * @param executing the attempts whose program its last heartbeat said was running (known only to
   *     the broker it heartbeats to: empty in the replicated row)
   */
  public record ExecutorInfo(
      String executorId,
      String broker,
      int slots,
      int running,
      ExecutorCapabilities capabilities,
      org.ucp.model.ExecutorHealth health,
      long lastHeartbeat,
      List<org.ucp.model.AttemptRef> executing) {
    public ExecutorInfo {
      executing = List.copyOf(executing == null ? List.of() : executing);
    }

    public ExecutorInfo(String executorId, String broker, int slots, int running, ExecutorCapabilities capabilities,
        org.ucp.model.ExecutorHealth health, long lastHeartbeat) {
      this(executorId, broker, slots, running, capabilities, health, lastHeartbeat, List.of());
    }
  }

  /**
   * One broker as monitoring shows it.
   *
   * @param emergency the emergency level this broker holds
   * @param emergencyReceivedAt when this broker learned of that state (epoch ms), 0 if never
   * @param attempts every attempt of the jobs this broker owns (adopted jobs bring theirs)
   * @param redeploys those attempts that ended LOST or ORPHANED (their executor was lost, or no
   *     longer held them; the job was redeployed); REFUSED and PREEMPTED ones are not redeploys
   * @param heartbeatsMissed how often one of its executors' heartbeats was overdue, since it started
   */
  public record BrokerInfo(
      String brokerId, org.ucp.model.SchedulingStrategy strategy, int executors, int running, int queued,
      org.ucp.model.EmergencyLevel emergency, long emergencyReceivedAt,
      long attempts, long redeploys, long heartbeatsMissed) {}

  /** One broker's view, or the web role's merge of every broker's. */
  public record ClusterView(
      List<BrokerInfo> brokers, List<ExecutorInfo> executors, List<DatastoreInfo> datastores, EmergencyState emergency) {}

  public record DataRequest(String name) {}
}
