package org.ucp.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.bus.JsonCodec;
import org.ucp.bus.Messages.SyncDigest;
import org.ucp.model.EmergencyLevel;
import org.ucp.model.EmergencyState;
import org.ucp.model.PeerTime;

/** The authority, node certificates as certs init / certs node write them, and what is refused. */
class CertsTest {
  @TempDir Path dir;

  @Test
  void anIssuedNodeLoadsUnderItsNameAndTheKeyStaysOwnerOnly() throws Exception {
    Authority ca = Authority.init(dir.resolve("ca"), "c1");
    Credentials c = ca.issue(dir.resolve("n"), "node-1", List.of("127.0.0.1", "host.example"));
    assertEquals("node-1", c.name());
    assertEquals("node-1", Credentials.commonName(c.cert()));
    assertNull(Credentials.problem(c.cert(), c.ca()));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(c.keyFile())));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca").resolve(Authority.CA_KEY))));
    assertEquals(c.cert(), Credentials.load(dir.resolve("n"), "node-1").cert());
  }

  @Test
  void aCertificateOfAnotherAuthorityAnotherNameOrAMismatchedKeyIsRefused() throws Exception {
    Authority ours = Authority.init(dir.resolve("ours"), "c1");
    Authority theirs = Authority.init(dir.resolve("theirs"), "c1");
    Credentials stranger = theirs.issue(dir.resolve("s"), "node-1", List.of());
    assertEquals("not signed by this cluster's authority", Credentials.problem(stranger.cert(), ours.certificate()));
    ours.issue(dir.resolve("n"), "node-1", List.of());
    IllegalArgumentException wrongName = assertThrows(IllegalArgumentException.class,
        () -> { Files.copy(dir.resolve("n/node-1.crt"), dir.resolve("n/node-2.crt")); Files.copy(dir.resolve("n/node-1.key"),
            dir.resolve("n/node-2.key")); Credentials.load(dir.resolve("n"), "node-2"); });
    assertTrue(wrongName.getMessage().contains("issued to 'node-1', not to 'node-2'"), wrongName.getMessage());
    ours.issue(dir.resolve("m"), "node-3", List.of());
    Files.copy(dir.resolve("s/node-1.key"), dir.resolve("m/node-3.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    IllegalArgumentException wrongKey = assertThrows(IllegalArgumentException.class, () -> Credentials.load(dir.resolve("m"), "node-3"));
    assertTrue(wrongKey.getMessage().contains("not the key of"), wrongKey.getMessage());
    IllegalArgumentException again = assertThrows(IllegalArgumentException.class, () -> Authority.init(dir.resolve("ours"), "c1"));
    assertTrue(again.getMessage().contains("already holds an authority"), again.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ours.issue(dir.resolve("x"), "../evil", List.of()));
  }

  @Test
  void aBodyDigestsAlikeWhateverOrderItsMapsIterateIn() {
    Map<String, Long> a = new LinkedHashMap<>();
    a.put("b1", 3L);
    a.put("b2", 4L);
    Map<String, Long> b = new LinkedHashMap<>();
    b.put("b2", 4L);
    b.put("b1", 3L);
    // Map.copyOf iterates in an order that differs from JVM to JVM: the signed form sorts keys.
    assertEquals(CanonicalJson.of(a), CanonicalJson.of(b));
    assertEquals("{\"b1\":3,\"b2\":4}", CanonicalJson.of(b));
    SyncDigest one = new SyncDigest("b1", "n", 7, a);
    SyncDigest two = new SyncDigest("b1", "n", 7, b);
    assertArrayEquals(MessageAuth.digest(one), MessageAuth.digest(two));
    // And a body read back from the wire digests as the one that was sent.
    SyncDigest back = JsonCodec.MAPPER.convertValue(JsonCodec.MAPPER.valueToTree(one), SyncDigest.class);
    assertArrayEquals(MessageAuth.digest(one), MessageAuth.digest(back));
    assertFalse(java.util.Arrays.equals(MessageAuth.digest(one), MessageAuth.digest(new SyncDigest("b1", "n", 8, a))));
  }

  @Test
  void aPeersTimeIsTakenAtMostAMinuteAhead() {
    long now = 1_000_000;
    EmergencyState forged = new EmergencyState(EmergencyLevel.CRITICAL, "x", Long.MAX_VALUE - 1, "rogue");
    assertEquals(now + PeerTime.MAX_AHEAD_MS, PeerTime.clamp(forged, now).since());
    assertEquals(now - 5, PeerTime.clamp(now - 5, now));
    assertEquals(0, PeerTime.clamp(-7, now));
  }
}
