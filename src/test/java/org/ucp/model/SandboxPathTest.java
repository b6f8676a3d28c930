package org.ucp.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(10)
class SandboxPathTest {
  @TempDir Path root;

  @ParameterizedTest
  @ValueSource(strings = {"/out/report.txt", "/a-b/c_d.e", "/x", "/a/b/c/d+e=f,g@h"})
  void validPathsAreAccepted(String path) {
    assertEquals(path, SandboxPath.validate("f", path, false));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/photos/*", "/*"})
  void wildcardsAreAcceptedOnlyWhenAllowed(String path) {
    assertEquals(path, SandboxPath.validate("f", path, true));
    ValidationException e =
        assertThrows(ValidationException.class, () -> SandboxPath.validate("f", path, false));
    assertEquals("f", e.field());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/..", "/a/../b", "/.", "/a/./b", "//", "/a//b", "/~", "/~/x", "/$HOME", "/a\\b", "C:\\x",
        "relative", "/", "", "/a/", "/photos/**", "/a*", "/a\tb", "/a b"
      })
  void unsafePathsAreRejectedNamingTheField(String path) {
    ValidationException e =
        assertThrows(ValidationException.class, () -> SandboxPath.validate("inputs.x", path, true));
    assertEquals("inputs.x", e.field());
  }

  @Test
  void nullPathIsRejected() {
    assertThrows(ValidationException.class, () -> SandboxPath.validate("f", null, true));
  }

  @Test
  void overLongPathsAreRejected() {
    String max = "/" + "a".repeat(511);
    assertEquals(max, SandboxPath.validate("f", max, false));
    assertThrows(ValidationException.class, () -> SandboxPath.validate("f", max + "a", false));
  }

  @Test
  void resolveStaysInsideRoot() {
    Path resolved = SandboxPath.resolve(root, "/out/report.txt");

    Path base = root.toAbsolutePath().normalize();
    assertTrue(resolved.startsWith(base));
    assertEquals(base.resolve("out").resolve("report.txt"), resolved);
  }

  @Test
  void resolveThrowsForACraftedEscapingPath() {
    ValidationException e =
        assertThrows(ValidationException.class, () -> SandboxPath.resolve(root, "/../x"));
    assertTrue(e.getMessage().contains("escapes"), e.getMessage());
    assertThrows(ValidationException.class, () -> SandboxPath.resolve(root, "/a/../../x"));
  }

  @Test
  void wildcardBaseIsTheFolder() {
    assertTrue(SandboxPath.isWildcard("/photos/*"));
    assertFalse(SandboxPath.isWildcard("/photos/x"));
    assertEquals("/photos", SandboxPath.wildcardBase("/photos/*"));
    assertEquals("/", SandboxPath.wildcardBase("/*"));
  }

  // DataName

  @ParameterizedTest
  @ValueSource(strings = {"a", "a/b/c", "camera7/2026/img1.jpg", "x.y_z-1+2=3,4@5"})
  void dataNamesAreAccepted(String name) {
    assertEquals(name, DataName.validate("name", name));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/a", "a//b", "a/../b", "..", ".", "a/./b", "a\\b", "a/", "", "a b", "a#b", "~/x"})
  void badDataNamesAreRejectedNamingTheField(String name) {
    ValidationException e = assertThrows(ValidationException.class, () -> DataName.validate("name", name, true));
    assertEquals("name", e.field());
  }

  @Test
  void dataNameLengthLimitIs512() {
    String max = "a".repeat(255) + "/" + "b".repeat(254) + "/c";
    assertEquals(max, DataName.validate("name", max));
    assertThrows(ValidationException.class, () -> DataName.validate("name", max + "a"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"*", "camera7/*", "a/b/*"})
  void wildcardDataNamesOnlyWhenAllowed(String name) {
    assertEquals(name, DataName.validate("name", name, true));
    assertThrows(ValidationException.class, () -> DataName.validate("name", name, false));
  }

  @Test
  void wildcardDataNameCannotHideEscapes() {
    assertThrows(ValidationException.class, () -> DataName.validate("name", "../*", true));
    assertThrows(ValidationException.class, () -> DataName.validate("name", "/*", true));
    assertThrows(ValidationException.class, () -> DataName.validate("name", "a//*", true));
  }

  @Test
  void prefixOfAWildcardName() {
    assertTrue(DataName.isWildcard("camera7/*"));
    assertEquals("camera7/", DataName.prefix("camera7/*"));
    assertEquals("", DataName.prefix("*"));
  }
}
