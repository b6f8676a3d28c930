package org.ucp.testing;

import org.ucp.app.Embedded;

/** The project's test programs, from the classpath ({@code wasm/*.wasm}, built by wasm/build.sh). */
public final class Wasm {
  private Wasm() {}

  public static byte[] bytes(String name) {
    return Embedded.module(name);
  }
}
