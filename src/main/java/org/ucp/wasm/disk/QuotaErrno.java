package org.ucp.wasm.disk;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.WasmFunctionHandle;
import java.util.Optional;

/**
 * Chicory's WASI answers every failed file operation with EIO. Wrapped with this, a call that
 * failed because the {@link DiskQuota} refused it answers ENOSPC (the disk limit) or EDQUOT (the
 * file limit) instead, as a program on a full disk or over its quota would see.
 */
public final class QuotaErrno {
  /** WASI preview 1 errno values (wasi-libc uses the same numbers). */
  static final long EIO = 29;
  static final long EDQUOT = 19;
  static final long ENOSPC = 51;

  private QuotaErrno() {}

  public static HostFunction[] wrap(HostFunction[] functions, DiskQuota quota) {
    HostFunction[] out = new HostFunction[functions.length];
    for (int i = 0; i < functions.length; i++) {
      HostFunction f = functions[i];
      WasmFunctionHandle handle = f.handle();
      out[i] = new HostFunction(f.module(), f.name(), f.functionType(), (instance, args) -> {
        quota.clearRecent();
        long[] result = handle.apply(instance, args);
        Optional<DiskQuota.Kind> refused = quota.takeRecent();
        if (refused.isPresent() && result != null && result.length == 1 && result[0] == EIO) {
          result[0] = refused.get() == DiskQuota.Kind.BYTES ? ENOSPC : EDQUOT;
        }
        return result;
      });
    }
    return out;
  }
}
