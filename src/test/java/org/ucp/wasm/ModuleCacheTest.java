package org.ucp.wasm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.ucp.testing.Wasm;

/**
 * The cache knows its own bytes by identity (an executor runs a held module from them, without
 * hashing them again), any other array by its SHA-256, and forgets both when it evicts a module.
 */
class ModuleCacheTest {
  @Test
  void ownBytesHitWithoutHashingAndEvictionForgetsThem() {
    ModuleCache cache = new ModuleCache(1);
    byte[] cpu = Wasm.bytes("cpu");
    ModuleCache.Lookup first = cache.get(cpu);
    assertFalse(first.hit());
    byte[] held = cache.bytes(first.module().sha256()).orElseThrow();
    assertNotSame(cpu, held, "the cache keeps its own copy");
    assertArrayEquals(cpu, held);

    assertTrue(cache.get(held).hit(), "its own bytes");
    assertTrue(cache.get(cpu.clone()).hit(), "equal bytes, found by their hash");
    assertEquals(first.module(), cache.get(held).module());

    assertFalse(cache.get(Wasm.bytes("smoke")).hit());
    assertTrue(cache.bytes(first.module().sha256()).isEmpty(), "evicted");
    ModuleCache.Lookup again = cache.get(held);
    assertFalse(again.hit(), "evicted bytes are compiled again, not taken for a module still held");
    assertEquals(first.module().sha256(), again.module().sha256());
    assertEquals(3, cache.hits());
    assertEquals(3, cache.misses());
  }
}
