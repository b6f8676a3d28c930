;; fourmem: four memories of 2 GiB (32768 pages) each, 8 GiB in all. The runner
;; must refuse it before instantiating (one memory per module).
;; If it ever runs it prints "fourmem ran" and exits 0.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory $m0 (export "memory") 32768)
  (memory $m1 32768)
  (memory $m2 32768)
  (memory $m3 32768)
  (data (memory $m0) (i32.const 16) "fourmem ran\n")
  (func (export "_start")
    (i32.store (memory $m0) (i32.const 0) (i32.const 16))
    (i32.store (memory $m0) (i32.const 4) (i32.const 12))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
