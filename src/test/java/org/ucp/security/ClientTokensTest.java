package org.ucp.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientTokensTest {
  @TempDir Path dir;

  @Test
  void aTokenIsShownOnceAndOnlyItsHashIsKeptOwnerOnly() throws IOException {
    Path file = dir.resolve("tokens.json");
    String alice = ClientTokens.create(file, "alice", ClientRole.SUBMIT);
    String bob = ClientTokens.create(file, "bob", ClientRole.READ);
    assertNotEquals(alice, bob);
    String stored = Files.readString(file);
    assertFalse(stored.contains(alice) || stored.contains(bob), stored);
    assertTrue(stored.contains(ClientTokens.sha256(alice)), stored);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));

    ClientTokens tokens = ClientTokens.load(file);
    assertEquals(new ClientTokens.Holder("alice", ClientRole.SUBMIT), tokens.check(alice).orElseThrow());
    assertEquals(new ClientTokens.Holder("bob", ClientRole.READ), tokens.check(bob).orElseThrow());
    assertTrue(tokens.check(alice.substring(0, alice.length() - 1) + (alice.endsWith("A") ? "B" : "A")).isEmpty());
    assertTrue(tokens.check(null).isEmpty());
    assertTrue(tokens.check("").isEmpty());
  }

  @Test
  void namesAreUniqueAndCheckedAndBadFilesAreNamed() throws IOException {
    Path file = dir.resolve("tokens.json");
    ClientTokens.create(file, "alice", ClientRole.ADMIN);
    assertThrows(IllegalArgumentException.class, () -> ClientTokens.create(file, "alice", ClientRole.READ));
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> ClientTokens.create(file, "no spaces", ClientRole.READ));
    assertTrue(bad.getMessage().startsWith("--name"), bad.getMessage());
    Files.writeString(dir.resolve("broken.json"), "{\"tokens\":[{\"name\":\"x\",\"role\":\"root\",\"sha256\":\"" + "0".repeat(64) + "\"}]}");
    IllegalArgumentException role = assertThrows(IllegalArgumentException.class, () -> ClientTokens.load(dir.resolve("broken.json")));
    assertTrue(role.getMessage().contains("'root' is not a role"), role.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ClientTokens.load(dir.resolve("missing.json")));
  }

  @Test
  void eachRoleIncludesTheOnesBeforeIt() {
    assertEquals(EnumSet.of(ClientRole.READ), ClientRole.READ.granted());
    assertEquals(EnumSet.of(ClientRole.READ, ClientRole.SUBMIT), ClientRole.SUBMIT.granted());
    assertEquals(EnumSet.allOf(ClientRole.class), ClientRole.ADMIN.granted());
  }
}
