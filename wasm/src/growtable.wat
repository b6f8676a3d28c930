;; growtable: a table of 1 element with no declared maximum, grown at run time by
;; 10,000 elements at a time until table.grow answers -1 (or 1000 grows, 10 million
;; elements, Chicory's most). Prints "table elements <n>" (n = the final size) and
;; exits 0. Under capabilities.memoryMb 1 the runner must stop the growth near
;; 1 MiB / 16 bytes = 65,536 elements.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (table $t 1 funcref)
  (data (i32.const 64) "table elements ")
  ;; writes the decimal digits of $n ending just before byte 128; returns where they start
  (func $itoa (param $n i32) (result i32)
    (local $p i32)
    (local.set $p (i32.const 128))
    (loop $digits
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p)
        (i32.add (i32.const 48) (i32.rem_u (local.get $n) (i32.const 10))))
      (local.set $n (i32.div_u (local.get $n) (i32.const 10)))
      (br_if $digits (i32.ne (local.get $n) (i32.const 0))))
    (local.get $p))
  (func (export "_start")
    (local $i i32)
    (local $start i32)
    (block $done
      (loop $grow
        (br_if $done (i32.ge_u (local.get $i) (i32.const 1000)))
        (br_if $done (i32.eq
          (table.grow $t (ref.null func) (i32.const 10000)) (i32.const -1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $grow)))
    (local.set $start (call $itoa (table.size $t)))
    (i32.store8 (i32.const 128) (i32.const 10))
    ;; iovecs at 0: "table elements " (15 bytes at 64), then the digits and "\n"
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 15))
    (i32.store (i32.const 8) (local.get $start))
    (i32.store (i32.const 12) (i32.sub (i32.const 129) (local.get $start)))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 2) (i32.const 32)))))
