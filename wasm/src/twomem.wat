;; twomem: a second memory of 1 GiB (16384 pages) beside the usual small one.
;; The runner must refuse it before instantiating (one memory per module): a
;; runtime that honours only memory 0's limit would allocate the second in full.
;; If it ever runs it prints "twomem ran" and exits 0.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory $m0 (export "memory") 1)
  (memory $m1 16384)
  (data (memory $m0) (i32.const 16) "twomem ran\n")
  (func (export "_start")
    (i32.store (memory $m0) (i32.const 0) (i32.const 16))
    (i32.store (memory $m0) (i32.const 4) (i32.const 11))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
