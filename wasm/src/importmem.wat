;; importmem: imports its memory ("env" "memory", 1 page) instead of defining it.
;; The runner provides only wasi_snapshot_preview1 functions, so it must refuse
;; the module with a failure naming the import (never an error of the platform).
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "env" "memory" (memory 1))
  (export "memory" (memory 0))
  (func (export "_start")))
