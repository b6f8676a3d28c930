package org.ucp.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The project's test programs, from the classpath ({@code wasm/*.wasm}, built by wasm/build.sh). */
public final class Wasm {
  private Wasm() {}

  public static byte[] bytes(String name) {
    try (InputStream in = Wasm.class.getClassLoader().getResourceAsStream("wasm/" + name + ".wasm")) {
      if (in == null) {
        throw new IllegalStateException("missing test module wasm/" + name + ".wasm");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
