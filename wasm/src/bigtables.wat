;; bigtables: four function tables of 10,000,000 elements each (the most Chicory
;; allows per table). A runtime that builds them allocates about 40 million
;; references: the runner must refuse it before instantiating, tables counting
;; 16 bytes an element against capabilities.memoryMb.
;; If it ever runs it prints "bigtables ran" and exits 0.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (table $t0 10000000 funcref)
  (table $t1 10000000 funcref)
  (table $t2 10000000 funcref)
  (table $t3 10000000 funcref)
  (data (i32.const 16) "bigtables ran\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 14))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
