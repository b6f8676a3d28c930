package org.ucp.wasm;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Parses and compiles each module once (Chicory's runtime compiler to JVM bytecode), keyed by the
 * SHA-256 of its bytes, keeping the most recently used {@code capacity} modules.
 */
public final class ModuleCache {
  private final int capacity;
  private final Map<String, CompiledModule> modules;
  /** The SHA-256 of each cached module's own bytes, by the array's identity (see {@link #get}). */
  private final Map<byte[], String> own = new java.util.IdentityHashMap<>();
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();

  public ModuleCache(int capacity) {
    this.capacity = capacity;
    this.modules =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, CompiledModule> eldest) {
            boolean evict = size() > ModuleCache.this.capacity;
            if (evict) {
              own.remove(eldest.getValue().bytes());
            }
            return evict;
          }
        };
  }

  /**
   * The compiled module for {@code bytes}; compiles on the first request only. The very array
   * {@link #bytes} handed out is known without hashing it again.
   */
  public Lookup get(byte[] bytes) {
    synchronized (modules) {
      String known = own.get(bytes);
      if (known != null) {
        hits.incrementAndGet();
        return new Lookup(modules.get(known), true);
      }
    }
    String sha = Sha256.of(bytes);
    synchronized (modules) {
      CompiledModule cached = modules.get(sha);
      if (cached != null) {
        hits.incrementAndGet();
        return new Lookup(cached, true);
      }
    }
    misses.incrementAndGet();
    CompiledModule compiled = compile(sha, bytes);
    synchronized (modules) {
      if (modules.putIfAbsent(sha, compiled) == null) {
        own.put(compiled.bytes(), sha);
      }
      return new Lookup(modules.get(sha), false);
    }
  }

  private static CompiledModule compile(String sha, byte[] bytes) {
    long start = System.nanoTime();
    WasmModule module;
    try {
      module = Parser.parse(bytes);
    } catch (ChicoryException | IllegalArgumentException e) {
      throw new WasmRunException(RunStatus.INVALID_MODULE, "not a valid WebAssembly module: " + e.getMessage());
    }
    var factory =
        MachineFactoryCompiler.builder(module)
            .withInterpreterFallback(InterpreterFallback.SILENT)
            .compile();
    return new CompiledModule(sha, bytes.clone(), module, factory, System.nanoTime() - start);
  }

  /** The bytes of the cached module with this SHA-256, if it is cached (no hit or miss counted). */
  public Optional<byte[]> bytes(String sha256) {
    synchronized (modules) {
      CompiledModule cached = modules.get(sha256);
      return cached == null ? Optional.empty() : Optional.of(cached.bytes());
    }
  }

  public long hits() {
    return hits.get();
  }

  public long misses() {
    return misses.get();
  }

  public int size() {
    synchronized (modules) {
      return modules.size();
    }
  }

  /** A cache answer: the module and whether it was already compiled. */
  public record Lookup(CompiledModule module, boolean hit) {}
}
