package org.ucp.wasm;

import com.dylibso.chicory.runtime.TableFactory;
import com.dylibso.chicory.runtime.TableInstance;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.Table;
import com.dylibso.chicory.wasm.types.TableLimits;

/**
 * What a module may declare, checked before it is instantiated, so nothing it declares can take
 * more heap than {@code capabilities.memoryMb}:
 *
 * <ul>
 *   <li>imports: only {@code wasi_snapshot_preview1} functions (the only ones provided);
 *   <li>at most one memory, defined or imported: Chicory bounds memory 0 by the limit we give it
 *       but allocates any further memory at its declared size;
 *   <li>memory and tables together within memoryMb: every table element counts {@value
 *       #TABLE_ELEMENT_BYTES} bytes (Chicory keeps an int and an object reference per element and
 *       copies both when a table grows). The tables' initial elements are rounded up to whole
 *       64 KiB pages, which memory 0 may not grow into, and tables may grow only within those pages
 *       ({@code table.grow} answers -1 beyond them, as WebAssembly specifies for a table that
 *       cannot grow).
 * </ul>
 *
 * A module over a limit fails with a sentence naming it; it never reaches the runtime.
 */
final class ModuleLimits {
  static final int PAGES_PER_MB = 16;
  static final long PAGE_BYTES = 64 * 1024;
  static final long TABLE_ELEMENT_BYTES = 16;
  static final String WASI = "wasi_snapshot_preview1";

  private ModuleLimits() {}

  /**
   * How one run of a module may use memory.
   *
   * @param memory the limits memory 0 is instantiated with (null when the module has no memory)
   * @param tableElements how many elements all tables together may reach
   */
  record Plan(MemoryLimits memory, long tableElements) {
    /** A table factory for one run: tables start as declared and grow only within the plan. */
    TableFactory tables() {
      long[] left = {tableElements};
      return (table, initValue) -> {
        // A fresh copy: Chicory's TableInstance.grow raises the min of the Table it was built from,
        // which would otherwise be the cached module's own, and the next run would start bigger.
        TableLimits declared = table.limits();
        Table copy = new Table(table.elementType(), new TableLimits(declared.min(), declared.max()), table.initialize());
        left[0] -= declared.min();
        return new BoundedTable(copy, initValue, left);
      };
    }
  }

  /** Checks {@code module} against a memory limit of {@code memoryMb}; throws naming what is over. */
  static Plan plan(WasmModule module, int memoryMb) {
    checkImports(module);
    int defined = module.memorySection().map(s -> s.memoryCount()).orElse(0);
    int imported = module.importSection().count(ExternalType.MEMORY);
    if (defined + imported > 1) {
      throw new WasmRunException(RunStatus.MEMORY_LIMIT, "the module has " + (defined + imported)
          + " memories; one is allowed, and capabilities.memoryMb (" + memoryMb + " MiB) bounds it");
    }
    long limitPages = (long) memoryMb * PAGES_PER_MB;
    MemoryLimits declared = defined == 0 ? null : module.memorySection().get().getMemory(0).limits();
    long initialPages = declared == null ? 0 : declared.initialPages();
    long tableElements = 0;
    for (int i = 0; i < module.tableSection().tableCount(); i++) {
      tableElements += module.tableSection().getTable(i).limits().min();
    }
    long tablePages = ceilDiv(tableElements * TABLE_ELEMENT_BYTES, PAGE_BYTES);
    if (initialPages + tablePages > limitPages) {
      throw new WasmRunException(RunStatus.MEMORY_LIMIT, "the module needs " + mib((initialPages + tablePages) * PAGE_BYTES)
          + " MiB at start (memory of " + initialPages + " pages of 64 KiB, tables of " + tableElements + " elements at "
          + TABLE_ELEMENT_BYTES + " bytes each); the limit, capabilities.memoryMb, is " + memoryMb + " MiB");
    }
    MemoryLimits memory = null;
    if (declared != null) {
      long max = Math.min(declared.maximumPages(), limitPages - tablePages);
      memory = new MemoryLimits((int) initialPages, (int) Math.max(initialPages, max));
    }
    return new Plan(memory, tablePages * PAGE_BYTES / TABLE_ELEMENT_BYTES);
  }

  private static void checkImports(WasmModule module) {
    for (int i = 0; i < module.importSection().importCount(); i++) {
      Import imp = module.importSection().getImport(i);
      if (imp.importType() != ExternalType.FUNCTION || !WASI.equals(imp.module())) {
        throw new WasmRunException(RunStatus.INVALID_MODULE, "the module imports the "
            + imp.importType().name().toLowerCase(java.util.Locale.ROOT) + " '" + imp.module() + "." + imp.name()
            + "'; only " + WASI + " functions are provided");
      }
    }
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }

  private static String mib(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.1f", bytes / (1024.0 * 1024.0));
  }

  /** A table that grows only while the run's table allowance lasts. */
  private static final class BoundedTable extends TableInstance {
    private final long[] left;

    BoundedTable(Table table, int initValue, long[] left) {
      super(table, initValue);
      this.left = left;
    }

    @Override
    public int grow(int size, int value, com.dylibso.chicory.runtime.Instance instance) {
      if (size < 0 || size > left[0]) {
        return -1;
      }
      int old = super.grow(size, value, instance);
      if (old >= 0) {
        left[0] -= size;
      }
      return old;
    }
  }
}
