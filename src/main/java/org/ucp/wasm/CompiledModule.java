package org.ucp.wasm;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.WasmModule;
import java.util.function.Function;

/** A parsed module with its compiled machine factory, shared by every run of the same bytes. */
/** @param bytes the module as it was compiled, so an executor holding it need not fetch it again */
public record CompiledModule(
    String sha256, byte[] bytes, WasmModule module, Function<Instance, Machine> machineFactory, long compileNanos) {}
