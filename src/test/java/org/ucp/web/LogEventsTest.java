package org.ucp.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.ucp.client.JobLogs;

/** The parts of the log event stream that need no node: where UTF-8 text may be cut, and which ids resume. */
class LogEventsTest {
  @Test
  void aCharacterCutBetweenTwoReadsIsHeldBackUntilItsLastByte() {
    byte[] text = "aé€😀".getBytes(StandardCharsets.UTF_8); // 1 + 2 + 3 + 4 bytes
    int[] expected = {0, 1, 1, 3, 3, 3, 6, 6, 6, 6, 10};
    for (int n = 0; n <= text.length; n++) {
      assertEquals(expected[n], LogEvents.completeUtf8(Arrays.copyOf(text, n)), "the first " + n + " bytes");
    }
    assertEquals(3, LogEvents.completeUtf8(new byte[] {'a', (byte) 0x80, (byte) 0x80}), "stray continuation bytes are not held");
    assertEquals(2, LogEvents.completeUtf8(new byte[] {'a', (byte) 0xFF}), "nor a byte that begins no character");
  }

  @Test
  void onlyAnIdThisStreamSentResumes() {
    assertEquals(new JobLogs.Position(2, 70, 5), LogEvents.resumeAt("2:70:5"));
    assertNull(LogEvents.resumeAt(null));
    assertNull(LogEvents.resumeAt("0:1:1"), "attempts count from 1");
    assertNull(LogEvents.resumeAt("1:-1:0"));
    assertNull(LogEvents.resumeAt("1:2"));
    assertNull(LogEvents.resumeAt("x:1:1"));
    assertNull(LogEvents.resumeAt("1:" + "9".repeat(19) + ":0"), "no overflow");
  }
}
