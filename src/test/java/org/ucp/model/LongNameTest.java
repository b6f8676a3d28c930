package org.ucp.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Names longer than a datastore's file system allows are refused where they enter, naming the
 * field: a segment of a data name or a sandbox path over 255 bytes (Linux's NAME_MAX), and a
 * published name too long to be uploaded under the attempt's provisional prefix.
 */
@Timeout(10)
class LongNameTest {
  private static final String SEG_255 = "a".repeat(255);
  private static final String SEG_256 = "a".repeat(256);

  @Test
  void aDataNameSegmentOf255BytesIsAcceptedAnd256IsRefusedNamingTheField() {
    assertEquals("x/" + SEG_255, DataName.validate("name", "x/" + SEG_255));
    ValidationException e = assertThrows(ValidationException.class, () -> DataName.validate("name", "x/" + SEG_256 + "/y"));
    assertEquals("name", e.field());
    assertTrue(e.problem().contains("256 bytes"), e.problem());
    assertThrows(ValidationException.class, () -> DataName.validate("inputs./in/*", SEG_256 + "/*", true));
  }

  @Test
  void aJobSpecWithALongSegmentInANamedResultIsRefusedNamingIt() {
    ValidationException e = assertThrows(ValidationException.class, () -> JobSpecParser.parse(
        "{\"module\":\"m.wasm\",\"namedResults\":{\"/out/x\":\"results/" + SEG_256 + "\"}}"));
    assertEquals("namedResults./out/x", e.field());
  }

  @Test
  void longSegmentsInModuleStdinInputsAndSandboxPathsAreRefusedNamingTheField() {
    assertEquals("module", assertThrows(ValidationException.class,
        () -> JobSpecParser.parse("{\"module\":\"" + SEG_256 + "\"}")).field());
    assertEquals("stdin", assertThrows(ValidationException.class,
        () -> JobSpecParser.parse("{\"module\":\"m.wasm\",\"stdin\":\"in/" + SEG_256 + "\"}")).field());
    assertEquals("inputs./in/x", assertThrows(ValidationException.class,
        () -> JobSpecParser.parse("{\"module\":\"m.wasm\",\"inputs\":{\"/in/x\":\"d/" + SEG_256 + "\"}}")).field());
    assertEquals("results[0]", assertThrows(ValidationException.class,
        () -> JobSpecParser.parse("{\"module\":\"m.wasm\",\"results\":[\"/out/" + SEG_256 + "\"]}")).field());
    assertEquals("namedResults./out/" + SEG_256, assertThrows(ValidationException.class,
        () -> JobSpecParser.parse("{\"module\":\"m.wasm\",\"namedResults\":{\"/out/" + SEG_256 + "\":\"r/x\"}}")).field());
  }

  @Test
  void aPublishedNameMustLeaveRoomForTheProvisionalPrefix() {
    String longest = "r/" + "b".repeat(200) + "/" + "c".repeat(DataName.MAX_LENGTH - DataName.PROVISIONAL_RESERVE - 203);
    JobSpecParser.parse("{\"module\":\"m.wasm\",\"namedResults\":{\"/out/x\":\"" + longest + "\"}}");
    ValidationException e = assertThrows(ValidationException.class, () -> JobSpecParser.parse(
        "{\"module\":\"m.wasm\",\"namedResults\":{\"/out/x\":\"" + longest + "c\"}}"));
    assertEquals("namedResults./out/x", e.field());
    String provisional = DataName.provisionalPrefix("j".repeat(64), Integer.MAX_VALUE, "ffffffff") + "named/" + longest;
    DataName.validate("name", provisional);
  }
}
