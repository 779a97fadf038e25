;; The tenet prelude: the runtime support and stdlib functions every compiled module embeds.
;;
;; The compiler copies the functions a module needs (and those they call) into the module; it
;; declares the memory and the globals itself, in the order below. Conventions:
;; - a value is an i32 address of an encoded value (see stdlib/src/value.rs); 0 means absent;
;; - a boolean result is three-valued: 0 false, 1 true, 2 unknown (a value was missing);
;; - addresses 8, 9, 10 hold the constants false, true and null (the compiler's data segment);
;; - a function handed a value of the wrong type calls $fault and returns absent / unknown.
;; Each stdlib function here mirrors the Rust reference implementation named in functions.rs.
(module
  (memory 1)
  (global $heap (mut i32) (i32.const 0))     ;; 0: bump pointer
  (global $err (mut i32) (i32.const 0))      ;; 1: first fault of the current recommendation
  (global $now (mut f64) (f64.const 0))      ;; 2: evaluation time
  (global $reason (mut i32) (i32.const 0))   ;; 3: record of the clause that decided the last value
  (global $base (mut i32) (i32.const 0))     ;; 4: start of the per-evaluation region
  (global $index (mut i32) (i32.const 0))    ;; 5: address of the inventory index (0: none)
  (global $err_rec (mut i32) (i32.const 0))  ;; 6: record of the clause where the fault happened
  (global $prov (mut i32) (i32.const 0))     ;; 7: provider string (length-prefixed) of the input
  (global $type (mut i32) (i32.const 0))     ;; 8: type string (length-prefixed) of the input
  (global $data_end (mut i32) (i32.const 0)) ;; 9: end of static data

  ;; ---------------------------------------------------------------- memory
  (func $alloc (param $n i32) (result i32)
    (local $p i32) (local $end i32) (local $pages i32)
    (local.set $p (global.get $heap))
    (local.set $end (i32.add (local.get $p) (local.get $n)))
    (if (i32.lt_u (local.get $end) (local.get $p)) (then unreachable))
    (local.set $pages (i32.shr_u (i32.add (local.get $end) (i32.const 65535)) (i32.const 16)))
    (if (i32.gt_u (local.get $pages) (memory.size))
      (then
        (if (i32.lt_s (memory.grow (i32.sub (local.get $pages) (memory.size))) (i32.const 0))
          (then unreachable))))
    (global.set $heap (local.get $end))
    (local.get $p))

  (func $memcpy (param $dst i32) (param $src i32) (param $n i32)
    (memory.copy (local.get $dst) (local.get $src) (local.get $n)))

  (func $memeq (param $a i32) (param $b i32) (param $n i32) (result i32)
    (block $no
      (loop $words
        (br_if 1 (i32.lt_u (local.get $n) (i32.const 8)))
        (br_if $no (i64.ne (i64.load (local.get $a)) (i64.load (local.get $b))))
        (local.set $a (i32.add (local.get $a) (i32.const 8)))
        (local.set $b (i32.add (local.get $b) (i32.const 8)))
        (local.set $n (i32.sub (local.get $n) (i32.const 8)))
        (br $words)))
    (block $no2
      (loop $bytes
        (if (i32.eqz (local.get $n)) (then (return (i32.const 1))))
        (br_if $no2 (i32.ne (i32.load8_u (local.get $a)) (i32.load8_u (local.get $b))))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $bytes)))
    (i32.const 0))

  ;; ---------------------------------------------------------------- values
  (func $tag (param $v i32) (result i32) (i32.load8_u (local.get $v)))

  ;; A value that is present and known.
  (func $known (param $v i32) (result i32)
    (if (result i32) (local.get $v)
      (then (i32.ne (i32.load8_u (local.get $v)) (i32.const 7)))
      (else (i32.const 0))))

  ;; Both values present and known.
  (func $known2 (param $a i32) (param $b i32) (result i32)
    (i32.and (call $known (local.get $a)) (call $known (local.get $b))))

  (func $fault (param $code i32)
    (if (i32.eqz (global.get $err)) (then (global.set $err (local.get $code)))))

  (func $size (param $v i32) (result i32)
    (local $t i32)
    (local.set $t (i32.load8_u (local.get $v)))
    (if (i32.eq (local.get $t) (i32.const 3)) (then (return (i32.const 9))))
    (if (i32.eq (local.get $t) (i32.const 4))
      (then (return (i32.add (i32.const 5) (i32.load offset=1 (local.get $v))))))
    (if (i32.ge_u (local.get $t) (i32.const 5))
      (then (if (i32.le_u (local.get $t) (i32.const 6))
        (then (return (i32.add (i32.const 9) (i32.load offset=5 (local.get $v))))))))
    (i32.const 1))

  ;; Field of an object by key bytes; unknown stays unknown; anything else gives absent.
  (func $get (param $obj i32) (param $k i32) (param $klen i32) (result i32)
    (local $n i32) (local $p i32) (local $kl i32) (local $v i32)
    (if (i32.eqz (local.get $obj)) (then (return (i32.const 0))))
    (if (i32.eq (i32.load8_u (local.get $obj)) (i32.const 7)) (then (return (local.get $obj))))
    (if (i32.ne (i32.load8_u (local.get $obj)) (i32.const 6)) (then (return (i32.const 0))))
    (local.set $n (i32.load offset=1 (local.get $obj)))
    (local.set $p (i32.add (local.get $obj) (i32.const 9)))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $kl (i32.load (local.get $p)))
        (local.set $v (i32.add (i32.add (local.get $p) (i32.const 4)) (local.get $kl)))
        (if (i32.eq (local.get $kl) (local.get $klen))
          (then (if (call $memeq (i32.add (local.get $p) (i32.const 4)) (local.get $k) (local.get $klen))
            (then (return (local.get $v))))))
        (local.set $p (i32.add (local.get $v) (call $size (local.get $v))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (i32.const 0))

  ;; Element i of an array (negative i counts from the end); unknown stays unknown.
  (func $index (param $arr i32) (param $i i32) (result i32)
    (local $n i32) (local $p i32)
    (if (i32.eqz (local.get $arr)) (then (return (i32.const 0))))
    (if (i32.eq (i32.load8_u (local.get $arr)) (i32.const 7)) (then (return (local.get $arr))))
    (if (i32.ne (i32.load8_u (local.get $arr)) (i32.const 5)) (then (return (i32.const 0))))
    (local.set $n (i32.load offset=1 (local.get $arr)))
    (if (i32.lt_s (local.get $i) (i32.const 0)) (then (local.set $i (i32.add (local.get $i) (local.get $n)))))
    (if (i32.or (i32.lt_s (local.get $i) (i32.const 0)) (i32.ge_s (local.get $i) (local.get $n)))
      (then (return (i32.const 0))))
    (local.set $p (i32.add (local.get $arr) (i32.const 9)))
    (block $done
      (loop $skip
        (br_if $done (i32.eqz (local.get $i)))
        (local.set $p (i32.add (local.get $p) (call $size (local.get $p))))
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (br $skip)))
    (local.get $p))

  ;; Field access with a runtime key value (string for objects, number for arrays).
  (func $get_dyn (param $v i32) (param $key i32) (result i32)
    (local $f f64)
    (if (i32.eqz (call $known (local.get $key))) (then (return (i32.const 0))))
    (if (i32.eq (i32.load8_u (local.get $key)) (i32.const 4))
      (then (return (call $get (local.get $v) (i32.add (local.get $key) (i32.const 5)) (i32.load offset=1 (local.get $key))))))
    (if (i32.eq (i32.load8_u (local.get $key)) (i32.const 3))
      (then
        (local.set $f (f64.load offset=1 (local.get $key)))
        (if (f64.eq (local.get $f) (f64.trunc (local.get $f)))
          (then (if (f64.lt (f64.abs (local.get $f)) (f64.const 1e9))
            (then (return (call $index (local.get $v) (i32.trunc_f64_s (local.get $f))))))))))
    (i32.const 0))

  (func $eq (param $a i32) (param $b i32) (result i32)
    (local $t i32) (local $n i32) (local $pa i32) (local $pb i32) (local $kl i32) (local $w i32)
    (local.set $t (i32.load8_u (local.get $a)))
    (if (i32.ne (local.get $t) (i32.load8_u (local.get $b))) (then (return (i32.const 0))))
    (if (i32.eq (local.get $t) (i32.const 3))
      (then (return (f64.eq (f64.load offset=1 (local.get $a)) (f64.load offset=1 (local.get $b))))))
    (if (i32.eq (local.get $t) (i32.const 4))
      (then
        (if (i32.ne (i32.load offset=1 (local.get $a)) (i32.load offset=1 (local.get $b))) (then (return (i32.const 0))))
        (return (call $memeq (i32.add (local.get $a) (i32.const 5)) (i32.add (local.get $b) (i32.const 5)) (i32.load offset=1 (local.get $a))))))
    (if (i32.eq (local.get $t) (i32.const 5))
      (then
        (local.set $n (i32.load offset=1 (local.get $a)))
        (if (i32.ne (local.get $n) (i32.load offset=1 (local.get $b))) (then (return (i32.const 0))))
        (local.set $pa (i32.add (local.get $a) (i32.const 9)))
        (local.set $pb (i32.add (local.get $b) (i32.const 9)))
        (block $done
          (loop $next
            (br_if $done (i32.eqz (local.get $n)))
            (if (i32.eqz (call $eq (local.get $pa) (local.get $pb))) (then (return (i32.const 0))))
            (local.set $pa (i32.add (local.get $pa) (call $size (local.get $pa))))
            (local.set $pb (i32.add (local.get $pb) (call $size (local.get $pb))))
            (local.set $n (i32.sub (local.get $n) (i32.const 1)))
            (br $next)))
        (return (i32.const 1))))
    (if (i32.eq (local.get $t) (i32.const 6))
      (then
        (local.set $n (i32.load offset=1 (local.get $a)))
        (if (i32.ne (local.get $n) (i32.load offset=1 (local.get $b))) (then (return (i32.const 0))))
        (local.set $pa (i32.add (local.get $a) (i32.const 9)))
        (block $done
          (loop $next
            (br_if $done (i32.eqz (local.get $n)))
            (local.set $kl (i32.load (local.get $pa)))
            (local.set $w (call $get (local.get $b) (i32.add (local.get $pa) (i32.const 4)) (local.get $kl)))
            (local.set $pa (i32.add (i32.add (local.get $pa) (i32.const 4)) (local.get $kl)))
            (if (i32.eqz (local.get $w)) (then (return (i32.const 0))))
            (if (i32.eqz (call $eq (local.get $pa) (local.get $w))) (then (return (i32.const 0))))
            (local.set $pa (i32.add (local.get $pa) (call $size (local.get $pa))))
            (local.set $n (i32.sub (local.get $n) (i32.const 1)))
            (br $next)))
        (return (i32.const 1))))
    (i32.const 1))

  ;; a == b, three-valued.
  (func $op_eq (param $a i32) (param $b i32) (result i32)
    (if (i32.eqz (i32.and (call $known (local.get $a)) (call $known (local.get $b)))) (then (return (i32.const 2))))
    (call $eq (local.get $a) (local.get $b)))

  (func $op_ne (param $a i32) (param $b i32) (result i32)
    (if (i32.eqz (i32.and (call $known (local.get $a)) (call $known (local.get $b)))) (then (return (i32.const 2))))
    (i32.eqz (call $eq (local.get $a) (local.get $b))))

  ;; Ordering: -1, 0, 1 for two numbers or two strings; 2 (and a fault) otherwise.
  (func $cmp (param $a i32) (param $b i32) (result i32)
    (local $t i32) (local $x f64) (local $y f64) (local $na i32) (local $nb i32) (local $i i32) (local $ca i32) (local $cb i32)
    (local.set $t (i32.load8_u (local.get $a)))
    (if (i32.ne (local.get $t) (i32.load8_u (local.get $b)))
      (then (call $fault (i32.const 2)) (return (i32.const 2))))
    (if (i32.eq (local.get $t) (i32.const 3))
      (then
        (local.set $x (f64.load offset=1 (local.get $a)))
        (local.set $y (f64.load offset=1 (local.get $b)))
        (return (i32.sub (f64.gt (local.get $x) (local.get $y)) (f64.lt (local.get $x) (local.get $y))))))
    (if (i32.eq (local.get $t) (i32.const 4))
      (then
        (local.set $na (i32.load offset=1 (local.get $a)))
        (local.set $nb (i32.load offset=1 (local.get $b)))
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $i) (local.get $na)))
            (br_if $done (i32.ge_u (local.get $i) (local.get $nb)))
            (local.set $ca (i32.load8_u offset=5 (i32.add (local.get $a) (local.get $i))))
            (local.set $cb (i32.load8_u offset=5 (i32.add (local.get $b) (local.get $i))))
            (if (i32.ne (local.get $ca) (local.get $cb))
              (then (return (select (i32.const -1) (i32.const 1) (i32.lt_u (local.get $ca) (local.get $cb))))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $next)))
        (return (i32.sub (i32.gt_u (local.get $na) (local.get $nb)) (i32.lt_u (local.get $na) (local.get $nb))))))
    (call $fault (i32.const 2))
    (i32.const 2))

  ;; op: 0 <, 1 <=, 2 >, 3 >=
  (func $op_ord (param $a i32) (param $b i32) (param $op i32) (result i32)
    (local $c i32)
    (if (i32.eqz (i32.and (call $known (local.get $a)) (call $known (local.get $b)))) (then (return (i32.const 2))))
    (local.set $c (call $cmp (local.get $a) (local.get $b)))
    (if (i32.eq (local.get $c) (i32.const 2)) (then (return (i32.const 2))))
    (if (i32.eqz (local.get $op)) (then (return (i32.eq (local.get $c) (i32.const -1)))))
    (if (i32.eq (local.get $op) (i32.const 1)) (then (return (i32.ne (local.get $c) (i32.const 1)))))
    (if (i32.eq (local.get $op) (i32.const 2)) (then (return (i32.eq (local.get $c) (i32.const 1)))))
    (i32.ne (local.get $c) (i32.const -1)))

  ;; A value used as a condition: true only for boolean true; missing or unknown is unknown.
  (func $truthy (param $v i32) (result i32)
    (if (i32.eqz (call $known (local.get $v))) (then (return (i32.const 2))))
    (i32.eq (i32.load8_u (local.get $v)) (i32.const 2)))

  (func $tri_val (param $t i32) (result i32)
    (if (i32.eq (local.get $t) (i32.const 2)) (then (return (i32.const 0))))
    (i32.add (i32.const 8) (local.get $t)))

  ;; Substring search: is the n-byte needle at q inside the m-byte text at p?
  (func $find (param $p i32) (param $m i32) (param $q i32) (param $n i32) (result i32)
    (local $i i32)
    (if (i32.gt_u (local.get $n) (local.get $m)) (then (return (i32.const -1))))
    (block $done
      (loop $next
        (br_if $done (i32.gt_u (i32.add (local.get $i) (local.get $n)) (local.get $m)))
        (if (call $memeq (i32.add (local.get $p) (local.get $i)) (local.get $q) (local.get $n))
          (then (return (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.const -1))

  ;; needle in hay, three-valued.
  (func $op_in (param $needle i32) (param $hay i32) (result i32)
    (local $t i32) (local $n i32) (local $p i32)
    (if (i32.eqz (i32.and (call $known (local.get $hay)) (call $known (local.get $needle)))) (then (return (i32.const 2))))
    (local.set $t (i32.load8_u (local.get $hay)))
    (if (i32.eq (local.get $t) (i32.const 5))
      (then
        (local.set $n (i32.load offset=1 (local.get $hay)))
        (local.set $p (i32.add (local.get $hay) (i32.const 9)))
        (block $done
          (loop $next
            (br_if $done (i32.eqz (local.get $n)))
            (if (call $eq (local.get $p) (local.get $needle)) (then (return (i32.const 1))))
            (local.set $p (i32.add (local.get $p) (call $size (local.get $p))))
            (local.set $n (i32.sub (local.get $n) (i32.const 1)))
            (br $next)))
        (return (i32.const 0))))
    (if (i32.eq (local.get $t) (i32.const 6))
      (then
        (if (i32.ne (i32.load8_u (local.get $needle)) (i32.const 4)) (then (return (i32.const 0))))
        (return (i32.ne (call $get (local.get $hay) (i32.add (local.get $needle) (i32.const 5)) (i32.load offset=1 (local.get $needle))) (i32.const 0)))))
    (if (i32.eq (local.get $t) (i32.const 4))
      (then
        (if (i32.eq (i32.load8_u (local.get $needle)) (i32.const 4))
          (then (return (i32.ge_s
            (call $find (i32.add (local.get $hay) (i32.const 5)) (i32.load offset=1 (local.get $hay))
                        (i32.add (local.get $needle) (i32.const 5)) (i32.load offset=1 (local.get $needle)))
            (i32.const 0)))))))
    (call $fault (i32.const 1))
    (i32.const 2))

  ;; ---------------------------------------------------------------- building values
  (func $num_new (param $f f64) (result i32)
    (local $p i32)
    (local.set $p (call $alloc (i32.const 9)))
    (i32.store8 (local.get $p) (i32.const 3))
    (f64.store offset=1 (local.get $p) (local.get $f))
    (local.get $p))

  (func $str_new (param $src i32) (param $n i32) (result i32)
    (local $p i32)
    (local.set $p (call $alloc (i32.add (local.get $n) (i32.const 5))))
    (i32.store8 (local.get $p) (i32.const 4))
    (i32.store offset=1 (local.get $p) (local.get $n))
    (call $memcpy (i32.add (local.get $p) (i32.const 5)) (local.get $src) (local.get $n))
    (local.get $p))

  ;; A growable vector of value addresses: [cap, len, data].
  (func $vec_new (result i32)
    (local $v i32)
    (local.set $v (call $alloc (i32.const 12)))
    (i32.store (local.get $v) (i32.const 8))
    (i32.store offset=4 (local.get $v) (i32.const 0))
    (i32.store offset=8 (local.get $v) (call $alloc (i32.const 32)))
    (local.get $v))

  (func $vec_push (param $v i32) (param $x i32)
    (local $cap i32) (local $len i32) (local $data i32)
    (local.set $cap (i32.load (local.get $v)))
    (local.set $len (i32.load offset=4 (local.get $v)))
    (if (i32.eq (local.get $len) (local.get $cap))
      (then
        (local.set $data (call $alloc (i32.shl (local.get $cap) (i32.const 3))))
        (call $memcpy (local.get $data) (i32.load offset=8 (local.get $v)) (i32.shl (local.get $len) (i32.const 2)))
        (i32.store offset=8 (local.get $v) (local.get $data))
        (i32.store (local.get $v) (i32.shl (local.get $cap) (i32.const 1)))))
    (i32.store (i32.add (i32.load offset=8 (local.get $v)) (i32.shl (local.get $len) (i32.const 2))) (local.get $x))
    (i32.store offset=4 (local.get $v) (i32.add (local.get $len) (i32.const 1))))

  ;; The vector as an encoded array (elements copied; absent elements become null).
  (func $vec_array (param $v i32) (result i32)
    (local $len i32) (local $i i32) (local $body i32) (local $x i32) (local $p i32) (local $out i32)
    (local.set $len (i32.load offset=4 (local.get $v)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $x (i32.load (i32.add (i32.load offset=8 (local.get $v)) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $body (i32.add (local.get $body) (if (result i32) (local.get $x) (then (call $size (local.get $x))) (else (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.set $out (call $alloc (i32.add (local.get $body) (i32.const 9))))
    (i32.store8 (local.get $out) (i32.const 5))
    (i32.store offset=1 (local.get $out) (local.get $len))
    (i32.store offset=5 (local.get $out) (local.get $body))
    (local.set $p (i32.add (local.get $out) (i32.const 9)))
    (local.set $i (i32.const 0))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $x (i32.load (i32.add (i32.load offset=8 (local.get $v)) (i32.shl (local.get $i) (i32.const 2)))))
        (if (local.get $x)
          (then
            (call $memcpy (local.get $p) (local.get $x) (call $size (local.get $x)))
            (local.set $p (i32.add (local.get $p) (call $size (local.get $x)))))
          (else
            (i32.store8 (local.get $p) (i32.const 0))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $out))

  ;; ---------------------------------------------------------------- argument checks
  ;; Returns the string's address when v is a known string; 0 when absent or unknown; faults otherwise.
  (func $str_arg (param $v i32) (result i32)
    (if (i32.eqz (call $known (local.get $v))) (then (return (i32.const 0))))
    (if (i32.ne (i32.load8_u (local.get $v)) (i32.const 4)) (then (call $fault (i32.const 1)) (return (i32.const 0))))
    (local.get $v))

  (func $num_arg (param $v i32) (result i32)
    (if (i32.eqz (call $known (local.get $v))) (then (return (i32.const 0))))
    (if (i32.ne (i32.load8_u (local.get $v)) (i32.const 3)) (then (call $fault (i32.const 1)) (return (i32.const 0))))
    (local.get $v))

  (func $slen (param $s i32) (result i32) (i32.load offset=1 (local.get $s)))
  (func $sptr (param $s i32) (result i32) (i32.add (local.get $s) (i32.const 5)))

  ;; ---------------------------------------------------------------- strings
  (func $case (param $v i32) (param $lo i32) (param $hi i32) (result i32)
    (local $s i32) (local $n i32) (local $out i32) (local $i i32) (local $c i32)
    (local.set $s (call $str_arg (local.get $v)))
    (if (i32.eqz (local.get $s)) (then (return (i32.const 0))))
    (local.set $n (call $slen (local.get $s)))
    (local.set $out (call $str_new (call $sptr (local.get $s)) (local.get $n)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $c (i32.load8_u offset=5 (i32.add (local.get $out) (local.get $i))))
        (if (i32.and (i32.ge_u (local.get $c) (local.get $lo)) (i32.le_u (local.get $c) (local.get $hi)))
          (then (i32.store8 offset=5 (i32.add (local.get $out) (local.get $i)) (i32.xor (local.get $c) (i32.const 32)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $out))

  (func $lower (param $v i32) (result i32) (call $case (local.get $v) (i32.const 65) (i32.const 90)))
  (func $upper (param $v i32) (result i32) (call $case (local.get $v) (i32.const 97) (i32.const 122)))

  (func $is_space (param $c i32) (result i32)
    (i32.or (i32.eq (local.get $c) (i32.const 32))
      (i32.or (i32.eq (local.get $c) (i32.const 9))
        (i32.or (i32.eq (local.get $c) (i32.const 10))
          (i32.or (i32.eq (local.get $c) (i32.const 12)) (i32.eq (local.get $c) (i32.const 13)))))))

  (func $trim (param $v i32) (result i32)
    (local $s i32) (local $a i32) (local $b i32)
    (local.set $s (call $str_arg (local.get $v)))
    (if (i32.eqz (local.get $s)) (then (return (i32.const 0))))
    (local.set $a (call $sptr (local.get $s)))
    (local.set $b (i32.add (local.get $a) (call $slen (local.get $s))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $a) (local.get $b)))
      (br_if $done (i32.eqz (call $is_space (i32.load8_u (local.get $a)))))
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (br $next)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $a) (local.get $b)))
      (br_if $done (i32.eqz (call $is_space (i32.load8_u (i32.sub (local.get $b) (i32.const 1))))))
      (local.set $b (i32.sub (local.get $b) (i32.const 1)))
      (br $next)))
    (call $str_new (local.get $a) (i32.sub (local.get $b) (local.get $a))))

  ;; mode 0: starts_with, 1: ends_with
  (func $affix (param $v i32) (param $w i32) (param $end i32) (result i32)
    (local $s i32) (local $t i32) (local $n i32) (local $m i32)
    (if (i32.eqz (call $known2 (local.get $v) (local.get $w))) (then (return (i32.const 2))))
    (local.set $s (call $str_arg (local.get $v)))
    (local.set $t (call $str_arg (local.get $w)))
    (if (i32.eqz (i32.and (i32.ne (local.get $s) (i32.const 0)) (i32.ne (local.get $t) (i32.const 0)))) (then (return (i32.const 2))))
    (local.set $n (call $slen (local.get $s)))
    (local.set $m (call $slen (local.get $t)))
    (if (i32.gt_u (local.get $m) (local.get $n)) (then (return (i32.const 0))))
    (call $memeq
      (i32.add (call $sptr (local.get $s)) (select (i32.sub (local.get $n) (local.get $m)) (i32.const 0) (local.get $end)))
      (call $sptr (local.get $t)) (local.get $m)))

  (func $starts_with (param $v i32) (param $w i32) (result i32) (call $affix (local.get $v) (local.get $w) (i32.const 0)))
  (func $ends_with (param $v i32) (param $w i32) (result i32) (call $affix (local.get $v) (local.get $w) (i32.const 1)))
  (func $contains (param $hay i32) (param $needle i32) (result i32) (call $op_in (local.get $needle) (local.get $hay)))

  (func $split (param $v i32) (param $w i32) (result i32)
    (local $s i32) (local $t i32) (local $p i32) (local $n i32) (local $q i32) (local $m i32)
    (local $i i32) (local $start i32) (local $vec i32)
    (if (i32.eqz (call $known2 (local.get $v) (local.get $w))) (then (return (i32.const 0))))
    (local.set $s (call $str_arg (local.get $v)))
    (local.set $t (call $str_arg (local.get $w)))
    (if (i32.eqz (i32.and (i32.ne (local.get $s) (i32.const 0)) (i32.ne (local.get $t) (i32.const 0)))) (then (return (i32.const 0))))
    (local.set $p (call $sptr (local.get $s)))
    (local.set $n (call $slen (local.get $s)))
    (local.set $q (call $sptr (local.get $t)))
    (local.set $m (call $slen (local.get $t)))
    (local.set $vec (call $vec_new))
    (if (local.get $m)
      (then
        (block $done (loop $next
          (br_if $done (i32.gt_u (i32.add (local.get $i) (local.get $m)) (local.get $n)))
          (if (call $memeq (i32.add (local.get $p) (local.get $i)) (local.get $q) (local.get $m))
            (then
              (call $vec_push (local.get $vec)
                (call $str_new (i32.add (local.get $p) (local.get $start)) (i32.sub (local.get $i) (local.get $start))))
              (local.set $i (i32.add (local.get $i) (local.get $m)))
              (local.set $start (local.get $i)))
            (else (local.set $i (i32.add (local.get $i) (i32.const 1)))))
          (br $next)))))
    (call $vec_push (local.get $vec)
      (call $str_new (i32.add (local.get $p) (local.get $start)) (i32.sub (local.get $n) (local.get $start))))
    (call $vec_array (local.get $vec)))

  (func $length (param $v i32) (result i32)
    (local $t i32) (local $n i32) (local $i i32) (local $c i32) (local $count i32)
    (if (i32.eqz (call $known (local.get $v))) (then (return (i32.const 0))))
    (local.set $t (i32.load8_u (local.get $v)))
    (if (i32.eq (local.get $t) (i32.const 4))
      (then
        (local.set $n (call $slen (local.get $v)))
        (block $done (loop $next
          (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
          (local.set $c (i32.load8_u offset=5 (i32.add (local.get $v) (local.get $i))))
          (if (i32.ne (i32.and (local.get $c) (i32.const 192)) (i32.const 128))
            (then (local.set $count (i32.add (local.get $count) (i32.const 1)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $next)))
        (return (call $num_new (f64.convert_i32_u (local.get $count))))))
    (if (i32.or (i32.eq (local.get $t) (i32.const 5)) (i32.eq (local.get $t) (i32.const 6)))
      (then (return (call $num_new (f64.convert_i32_u (i32.load offset=1 (local.get $v)))))))
    (call $fault (i32.const 1))
    (i32.const 0))

  ;; A number as is; a string of an optionally signed integer of 1 to 15 digits as a number;
  ;; any other string is absent.
  (func $number (param $v i32) (result i32)
    (local $t i32) (local $n i32) (local $p i32) (local $neg i32) (local $r i64)
    (if (i32.eqz (call $known (local.get $v))) (then (return (i32.const 0))))
    (local.set $t (i32.load8_u (local.get $v)))
    (if (i32.eq (local.get $t) (i32.const 3)) (then (return (local.get $v))))
    (if (i32.ne (local.get $t) (i32.const 4)) (then (call $fault (i32.const 1)) (return (i32.const 0))))
    (local.set $n (call $slen (local.get $v)))
    (local.set $p (call $sptr (local.get $v)))
    (if (i32.gt_u (local.get $n) (i32.const 0))
      (then (if (i32.eq (i32.load8_u (local.get $p)) (i32.const 45))
        (then
          (local.set $neg (i32.const 1))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))))))
    (if (i32.or (i32.eqz (local.get $n)) (i32.gt_u (local.get $n) (i32.const 15))) (then (return (i32.const 0))))
    (local.set $r (call $digits (local.get $p) (local.get $n)))
    (if (i64.lt_s (local.get $r) (i64.const 0)) (then (return (i32.const 0))))
    (call $num_new (if (result f64) (local.get $neg)
      (then (f64.neg (f64.convert_i64_s (local.get $r))))
      (else (f64.convert_i64_s (local.get $r))))))

  ;; DFA table walk (layout in stdlib/src/automata.rs) over n bytes at p.
  (func $dfa_match (param $tab i32) (param $p i32) (param $n i32) (result i32)
    (local $nc i32) (local $ns i32) (local $s i32) (local $flags i32) (local $trans i32) (local $f i32) (local $end i32)
    (local.set $nc (i32.load offset=256 (local.get $tab)))
    (local.set $ns (i32.load offset=260 (local.get $tab)))
    (local.set $s (i32.load offset=264 (local.get $tab)))
    (local.set $flags (i32.add (local.get $tab) (i32.const 268)))
    (local.set $trans (i32.add (local.get $flags) (local.get $ns)))
    (local.set $end (i32.add (local.get $p) (local.get $n)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $s (i32.load16_u (i32.add (local.get $trans)
        (i32.shl (i32.add (i32.mul (local.get $s) (local.get $nc))
                          (i32.load8_u (i32.add (local.get $tab) (i32.load8_u (local.get $p)))))
                 (i32.const 1)))))
      (local.set $f (i32.load8_u (i32.add (local.get $flags) (local.get $s))))
      (if (i32.and (local.get $f) (i32.const 1)) (then (return (i32.const 1))))
      (if (i32.and (local.get $f) (i32.const 2)) (then (return (i32.const 0))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $next)))
    (i32.ne (i32.and (i32.load8_u (i32.add (local.get $flags) (local.get $s))) (i32.const 4)) (i32.const 0)))

  (func $matches (param $v i32) (param $tab i32) (result i32)
    (local $s i32)
    (local.set $s (call $str_arg (local.get $v)))
    (if (i32.eqz (local.get $s)) (then (return (i32.const 2))))
    (call $dfa_match (local.get $tab) (call $sptr (local.get $s)) (call $slen (local.get $s))))

  (func $glob (param $v i32) (param $tab i32) (result i32) (call $matches (local.get $v) (local.get $tab)))

  ;; Case-insensitive equality of an input string (length-prefixed at p) with a string value.
  (func $ieq_lp (param $p i32) (param $s i32) (result i32)
    (local $n i32) (local $i i32) (local $a i32) (local $b i32)
    (local.set $n (i32.load (local.get $p)))
    (if (i32.ne (local.get $n) (call $slen (local.get $s))) (then (return (i32.const 0))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $a (i32.load8_u offset=4 (i32.add (local.get $p) (local.get $i))))
      (local.set $b (i32.load8_u offset=5 (i32.add (local.get $s) (local.get $i))))
      (if (i32.and (i32.ge_u (local.get $a) (i32.const 65)) (i32.le_u (local.get $a) (i32.const 90)))
        (then (local.set $a (i32.or (local.get $a) (i32.const 32)))))
      (if (i32.and (i32.ge_u (local.get $b) (i32.const 65)) (i32.le_u (local.get $b) (i32.const 90)))
        (then (local.set $b (i32.or (local.get $b) (i32.const 32)))))
      (if (i32.ne (local.get $a) (local.get $b)) (then (return (i32.const 0))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (i32.const 1))

  ;; ---------------------------------------------------------------- networks
  ;; Parse results: family and inclusive range as two 128-bit numbers (hi:lo words).
  (global $b6 (mut i32) (i32.const 0))
  (global $blh (mut i64) (i64.const 0))
  (global $bll (mut i64) (i64.const 0))
  (global $bhh (mut i64) (i64.const 0))
  (global $bhl (mut i64) (i64.const 0))

  (func $digit (param $c i32) (result i32)
    (i32.lt_u (i32.sub (local.get $c) (i32.const 48)) (i32.const 10)))

  (func $hexval (param $c i32) (result i32)
    (if (call $digit (local.get $c)) (then (return (i32.sub (local.get $c) (i32.const 48)))))
    (local.set $c (i32.or (local.get $c) (i32.const 32)))
    (if (i32.lt_u (i32.sub (local.get $c) (i32.const 97)) (i32.const 6)) (then (return (i32.sub (local.get $c) (i32.const 87)))))
    (i32.const -1))

  ;; IPv4 dotted quad in [p, end) -> value, or -1 as i64.
  (func $parse4 (param $p i32) (param $end i32) (result i64)
    (local $octet i32) (local $digits i32) (local $parts i32) (local $acc i64) (local $c i32) (local $first i32)
    (block $fail
      (loop $part
        (local.set $octet (i32.const 0))
        (local.set $digits (i32.const 0))
        (block $end_part (loop $d
          (br_if $end_part (i32.ge_u (local.get $p) (local.get $end)))
          (local.set $c (i32.load8_u (local.get $p)))
          (br_if $end_part (i32.eqz (call $digit (local.get $c))))
          (if (i32.eqz (local.get $digits)) (then (local.set $first (local.get $c))))
          (local.set $octet (i32.add (i32.mul (local.get $octet) (i32.const 10)) (i32.sub (local.get $c) (i32.const 48))))
          (local.set $digits (i32.add (local.get $digits) (i32.const 1)))
          (br_if $fail (i32.gt_u (local.get $digits) (i32.const 3)))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br $d)))
        (br_if $fail (i32.eqz (local.get $digits)))
        (br_if $fail (i32.and (i32.gt_u (local.get $digits) (i32.const 1)) (i32.eq (local.get $first) (i32.const 48))))
        (br_if $fail (i32.gt_u (local.get $octet) (i32.const 255)))
        (local.set $acc (i64.or (i64.shl (local.get $acc) (i64.const 8)) (i64.extend_i32_u (local.get $octet))))
        (local.set $parts (i32.add (local.get $parts) (i32.const 1)))
        (if (i32.eq (local.get $parts) (i32.const 4))
          (then
            (br_if $fail (i32.ne (local.get $p) (local.get $end)))
            (return (local.get $acc))))
        (br_if $fail (i32.ge_u (local.get $p) (local.get $end)))
        (br_if $fail (i32.ne (i32.load8_u (local.get $p)) (i32.const 46)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $part)))
    (i64.const -1))

  ;; IPv6 in [p, end): sets $bll/$blh to the address; returns 1 on success. Uses 16 scratch bytes at $g.
  (func $parse6 (param $p i32) (param $end i32) (param $g i32) (result i32)
    (local $n i32) (local $dc i32) (local $val i32) (local $digits i32) (local $h i32) (local $i i32) (local $src i32) (local $k i32)
    (local.set $dc (i32.const -1))
    (i64.store (local.get $g) (i64.const 0))
    (i64.store offset=8 (local.get $g) (i64.const 0))
    (block $fail
      (if (i32.lt_u (i32.add (local.get $p) (i32.const 1)) (local.get $end))
        (then (if (i32.and (i32.eq (i32.load8_u (local.get $p)) (i32.const 58)) (i32.eq (i32.load8_u offset=1 (local.get $p)) (i32.const 58)))
          (then
            (local.set $dc (i32.const 0))
            (local.set $p (i32.add (local.get $p) (i32.const 2)))))))
      (block $parsed
        (br_if $parsed (i32.and (i32.eqz (local.get $dc)) (i32.eq (local.get $p) (local.get $end))))
        (loop $group
          (local.set $val (i32.const 0))
          (local.set $digits (i32.const 0))
          (block $gd (loop $d
            (br_if $gd (i32.ge_u (local.get $p) (local.get $end)))
            (local.set $h (call $hexval (i32.load8_u (local.get $p))))
            (br_if $gd (i32.lt_s (local.get $h) (i32.const 0)))
            (local.set $val (i32.or (i32.shl (local.get $val) (i32.const 4)) (local.get $h)))
            (local.set $digits (i32.add (local.get $digits) (i32.const 1)))
            (br_if $fail (i32.gt_u (local.get $digits) (i32.const 4)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $d)))
          (br_if $fail (i32.eqz (local.get $digits)))
          (br_if $fail (i32.ge_u (local.get $n) (i32.const 8)))
          (i32.store16 (i32.add (local.get $g) (i32.shl (local.get $n) (i32.const 1))) (local.get $val))
          (local.set $n (i32.add (local.get $n) (i32.const 1)))
          (br_if $parsed (i32.eq (local.get $p) (local.get $end)))
          (br_if $fail (i32.ne (i32.load8_u (local.get $p)) (i32.const 58)))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (if (i32.lt_u (local.get $p) (local.get $end))
            (then (if (i32.eq (i32.load8_u (local.get $p)) (i32.const 58))
              (then
                (br_if $fail (i32.ge_s (local.get $dc) (i32.const 0)))
                (local.set $dc (local.get $n))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br_if $parsed (i32.eq (local.get $p) (local.get $end))))))
            (else (br $fail)))
          (br $group)))
      ;; expand: groups [dc, n) move to the end
      (if (i32.lt_s (local.get $dc) (i32.const 0))
        (then (br_if $fail (i32.ne (local.get $n) (i32.const 8))))
        (else
          (br_if $fail (i32.gt_u (local.get $n) (i32.const 7)))
          (local.set $k (i32.sub (local.get $n) (local.get $dc)))
          (local.set $i (i32.const 0))
          (block $mv (loop $m
            (br_if $mv (i32.ge_s (local.get $i) (local.get $k)))
            (local.set $src (i32.sub (i32.sub (local.get $n) (i32.const 1)) (local.get $i)))
            (local.set $h (i32.load16_u (i32.add (local.get $g) (i32.shl (local.get $src) (i32.const 1)))))
            (i32.store16 (i32.add (local.get $g) (i32.shl (local.get $src) (i32.const 1))) (i32.const 0))
            (i32.store16 (i32.add (local.get $g) (i32.shl (i32.sub (i32.const 7) (local.get $i)) (i32.const 1))) (local.get $h))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $m)))))
      ;; groups are big-endian words in order; assemble hi and lo
      (global.set $blh (i64.const 0))
      (global.set $bll (i64.const 0))
      (local.set $i (i32.const 0))
      (block $as (loop $a
        (br_if $as (i32.ge_u (local.get $i) (i32.const 4)))
        (global.set $blh (i64.or (i64.shl (global.get $blh) (i64.const 16))
          (i64.extend_i32_u (i32.load16_u (i32.add (local.get $g) (i32.shl (local.get $i) (i32.const 1)))))))
        (global.set $bll (i64.or (i64.shl (global.get $bll) (i64.const 16))
          (i64.extend_i32_u (i32.load16_u offset=8 (i32.add (local.get $g) (i32.shl (local.get $i) (i32.const 1)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $a)))
      (return (i32.const 1)))
    (i32.const 0))

  ;; Parses a string value as an address or block into $b6, $blh:$bll (first) and $bhh:$bhl (last).
  (func $parse_block (param $s i32) (result i32)
    (local $p i32) (local $end i32) (local $slash i32) (local $q i32) (local $prefix i32) (local $digits i32)
    (local $bits i32) (local $host i32) (local $mh i64) (local $ml i64) (local $v4 i64) (local $colon i32) (local $dot i32) (local $c i32)
    (local.set $p (call $sptr (local.get $s)))
    (local.set $end (i32.add (local.get $p) (call $slen (local.get $s))))
    (local.set $slash (local.get $end))
    (local.set $q (local.get $p))
    (block $scan (loop $l
      (br_if $scan (i32.ge_u (local.get $q) (local.get $end)))
      (local.set $c (i32.load8_u (local.get $q)))
      (if (i32.eq (local.get $c) (i32.const 47)) (then (if (i32.eq (local.get $slash) (local.get $end)) (then (local.set $slash (local.get $q))))))
      (if (i32.lt_u (local.get $q) (local.get $slash)) (then
        (if (i32.eq (local.get $c) (i32.const 58)) (then (local.set $colon (i32.const 1))))
        (if (i32.eq (local.get $c) (i32.const 46)) (then (local.set $dot (i32.const 1))))))
      (local.set $q (i32.add (local.get $q) (i32.const 1)))
      (br $l)))
    (if (local.get $colon)
      (then
        (if (local.get $dot) (then (return (i32.const 0))))
        (if (i32.eqz (call $parse6 (local.get $p) (local.get $slash) (call $alloc (i32.const 16)))) (then (return (i32.const 0))))
        (global.set $b6 (i32.const 1))
        (local.set $bits (i32.const 128)))
      (else
        (local.set $v4 (call $parse4 (local.get $p) (local.get $slash)))
        (if (i64.lt_s (local.get $v4) (i64.const 0)) (then (return (i32.const 0))))
        (global.set $b6 (i32.const 0))
        (global.set $blh (i64.const 0))
        (global.set $bll (local.get $v4))
        (local.set $bits (i32.const 32))))
    (local.set $prefix (local.get $bits))
    (if (i32.lt_u (local.get $slash) (local.get $end))
      (then
        (local.set $prefix (i32.const 0))
        (local.set $q (i32.add (local.get $slash) (i32.const 1)))
        (if (i32.eq (local.get $q) (local.get $end)) (then (return (i32.const 0))))
        (block $pd (loop $d
          (br_if $pd (i32.ge_u (local.get $q) (local.get $end)))
          (local.set $c (i32.load8_u (local.get $q)))
          (if (i32.eqz (call $digit (local.get $c))) (then (return (i32.const 0))))
          (local.set $prefix (i32.add (i32.mul (local.get $prefix) (i32.const 10)) (i32.sub (local.get $c) (i32.const 48))))
          (local.set $digits (i32.add (local.get $digits) (i32.const 1)))
          (if (i32.gt_u (local.get $digits) (i32.const 3)) (then (return (i32.const 0))))
          (local.set $q (i32.add (local.get $q) (i32.const 1)))
          (br $d)))
        (if (i32.gt_u (local.get $prefix) (local.get $bits)) (then (return (i32.const 0))))))
    (local.set $host (i32.sub (local.get $bits) (local.get $prefix)))
    (if (i32.ge_u (local.get $host) (i32.const 64))
      (then
        (local.set $ml (i64.const -1))
        (local.set $mh (if (result i64) (i32.eq (local.get $host) (i32.const 128))
          (then (i64.const -1))
          (else (i64.sub (i64.shl (i64.const 1) (i64.extend_i32_u (i32.sub (local.get $host) (i32.const 64)))) (i64.const 1))))))
      (else
        (local.set $mh (i64.const 0))
        (local.set $ml (i64.sub (i64.shl (i64.const 1) (i64.extend_i32_u (local.get $host))) (i64.const 1)))))
    (global.set $bhh (i64.or (global.get $blh) (local.get $mh)))
    (global.set $bhl (i64.or (global.get $bll) (local.get $ml)))
    (global.set $blh (i64.and (global.get $blh) (i64.xor (local.get $mh) (i64.const -1))))
    (global.set $bll (i64.and (global.get $bll) (i64.xor (local.get $ml) (i64.const -1))))
    (i32.const 1))

  ;; 128-bit unsigned a <= b
  (func $le128 (param $ah i64) (param $al i64) (param $bh i64) (param $bl i64) (result i32)
    (if (result i32) (i64.eq (local.get $ah) (local.get $bh))
      (then (i64.le_u (local.get $al) (local.get $bl)))
      (else (i64.lt_u (local.get $ah) (local.get $bh)))))

  ;; mode 0: a contains b; 1: a overlaps b
  (func $cidr_rel (param $a i32) (param $b i32) (param $mode i32) (result i32)
    (local $s i32) (local $t i32) (local $f i32) (local $lh i64) (local $ll i64) (local $hh i64) (local $hl i64)
    (if (i32.eqz (call $known2 (local.get $a) (local.get $b))) (then (return (i32.const 2))))
    (local.set $s (call $str_arg (local.get $a)))
    (local.set $t (call $str_arg (local.get $b)))
    (if (i32.eqz (i32.and (i32.ne (local.get $s) (i32.const 0)) (i32.ne (local.get $t) (i32.const 0)))) (then (return (i32.const 2))))
    (if (i32.eqz (call $parse_block (local.get $s))) (then (return (i32.const 0))))
    (local.set $f (global.get $b6))
    (local.set $lh (global.get $blh)) (local.set $ll (global.get $bll))
    (local.set $hh (global.get $bhh)) (local.set $hl (global.get $bhl))
    (if (i32.eqz (call $parse_block (local.get $t))) (then (return (i32.const 0))))
    (if (i32.ne (local.get $f) (global.get $b6)) (then (return (i32.const 0))))
    (if (local.get $mode)
      (then (return (i32.and
        (call $le128 (local.get $lh) (local.get $ll) (global.get $bhh) (global.get $bhl))
        (call $le128 (global.get $blh) (global.get $bll) (local.get $hh) (local.get $hl))))))
    (i32.and
      (call $le128 (local.get $lh) (local.get $ll) (global.get $blh) (global.get $bll))
      (call $le128 (global.get $bhh) (global.get $bhl) (local.get $hh) (local.get $hl))))

  (func $cidr_contains (param $a i32) (param $b i32) (result i32) (call $cidr_rel (local.get $a) (local.get $b) (i32.const 0)))
  (func $cidr_overlaps (param $a i32) (param $b i32) (result i32) (call $cidr_rel (local.get $a) (local.get $b) (i32.const 1)))

  ;; Whether the parsed block lies inside [lo, hi] of its family.
  (func $inside (param $v6 i32) (param $lh i64) (param $ll i64) (param $hh i64) (param $hl i64) (result i32)
    (if (i32.ne (local.get $v6) (global.get $b6)) (then (return (i32.const 0))))
    (i32.and
      (call $le128 (local.get $lh) (local.get $ll) (global.get $blh) (global.get $bll))
      (call $le128 (global.get $bhh) (global.get $bhl) (local.get $hh) (local.get $hl))))

  ;; Keep in step with net::PRIVATE.
  (func $private_parsed (result i32)
    (i32.or (i32.or (i32.or
      (call $inside (i32.const 0) (i64.const 0) (i64.const 0x0A000000) (i64.const 0) (i64.const 0x0AFFFFFF))
      (call $inside (i32.const 0) (i64.const 0) (i64.const 0xAC100000) (i64.const 0) (i64.const 0xAC1FFFFF)))
      (i32.or
        (call $inside (i32.const 0) (i64.const 0) (i64.const 0xC0A80000) (i64.const 0) (i64.const 0xC0A8FFFF))
        (call $inside (i32.const 0) (i64.const 0) (i64.const 0x7F000000) (i64.const 0) (i64.const 0x7FFFFFFF))))
    (i32.or (i32.or
      (call $inside (i32.const 0) (i64.const 0) (i64.const 0xA9FE0000) (i64.const 0) (i64.const 0xA9FEFFFF))
      (call $inside (i32.const 0) (i64.const 0) (i64.const 0x64400000) (i64.const 0) (i64.const 0x647FFFFF)))
    (i32.or (i32.or
      (call $inside (i32.const 1) (i64.const 0xFC00000000000000) (i64.const 0) (i64.const 0xFDFFFFFFFFFFFFFF) (i64.const -1))
      (call $inside (i32.const 1) (i64.const 0xFE80000000000000) (i64.const 0) (i64.const 0xFEBFFFFFFFFFFFFF) (i64.const -1)))
      (call $inside (i32.const 1) (i64.const 0) (i64.const 1) (i64.const 0) (i64.const 1))))))

  (func $is_private (param $a i32) (result i32)
    (local $s i32)
    (local.set $s (call $str_arg (local.get $a)))
    (if (i32.eqz (local.get $s)) (then (return (i32.const 2))))
    (if (i32.eqz (call $parse_block (local.get $s))) (then (return (i32.const 0))))
    (call $private_parsed))

  (func $is_public (param $a i32) (result i32)
    (local $s i32)
    (local.set $s (call $str_arg (local.get $a)))
    (if (i32.eqz (local.get $s)) (then (return (i32.const 2))))
    (if (i32.eqz (call $parse_block (local.get $s))) (then (return (i32.const 0))))
    (i32.eqz (call $private_parsed)))

  (func $is_any_source (param $a i32) (result i32)
    (local $s i32) (local $n i32) (local $p i32)
    (local.set $s (call $str_arg (local.get $a)))
    (if (i32.eqz (local.get $s)) (then (return (i32.const 2))))
    (local.set $n (call $slen (local.get $s)))
    (local.set $p (call $sptr (local.get $s)))
    (if (i32.eq (local.get $n) (i32.const 1))
      (then (if (i32.eq (i32.load8_u (local.get $p)) (i32.const 42)) (then (return (i32.const 1))))))
    (if (i32.eq (local.get $n) (i32.const 3))
      (then (if (i32.eq (call $lower3 (local.get $p)) (i32.const 0x796e61)) (then (return (i32.const 1))))))
    (if (i32.eq (local.get $n) (i32.const 8))
      (then (if (i64.eq (call $lower8 (local.get $p)) (i64.const 0x74656e7265746e69)) (then (return (i32.const 1))))))
    (if (i32.eqz (call $parse_block (local.get $s))) (then (return (i32.const 0))))
    (i32.and
      (i32.and (i64.eqz (global.get $blh)) (i64.eqz (global.get $bll)))
      (if (result i32) (global.get $b6)
        (then (i32.and (i64.eq (global.get $bhh) (i64.const -1)) (i64.eq (global.get $bhl) (i64.const -1))))
        (else (i64.eq (global.get $bhl) (i64.const 0xFFFFFFFF))))))

  (func $lower_byte (param $c i32) (result i32)
    (if (result i32) (i32.lt_u (i32.sub (local.get $c) (i32.const 65)) (i32.const 26))
      (then (i32.or (local.get $c) (i32.const 32))) (else (local.get $c))))

  (func $lower3 (param $p i32) (result i32)
    (i32.or (i32.or (call $lower_byte (i32.load8_u (local.get $p)))
      (i32.shl (call $lower_byte (i32.load8_u offset=1 (local.get $p))) (i32.const 8)))
      (i32.shl (call $lower_byte (i32.load8_u offset=2 (local.get $p))) (i32.const 16))))

  (func $lower8 (param $p i32) (result i64)
    (i64.or (i64.extend_i32_u (i32.or (call $lower3 (local.get $p))
              (i32.shl (call $lower_byte (i32.load8_u offset=3 (local.get $p))) (i32.const 24))))
            (i64.shl (i64.extend_i32_u (i32.or (call $lower3 (i32.add (local.get $p) (i32.const 4)))
              (i32.shl (call $lower_byte (i32.load8_u offset=7 (local.get $p))) (i32.const 24)))) (i64.const 32))))

  ;; Port specs: parses into a heap list of (lo, hi) i32 pairs: returns [count, pairs...] or 0.
  (func $port_num (param $p i32) (param $end i32) (result i32)
    (local $v i32) (local $n i32) (local $c i32)
    (if (i32.eq (local.get $p) (local.get $end)) (then (return (i32.const -1))))
    (if (i32.gt_u (i32.sub (local.get $end) (local.get $p)) (i32.const 5)) (then (return (i32.const -1))))
    (block $done (loop $d
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $c (i32.load8_u (local.get $p)))
      (if (i32.eqz (call $digit (local.get $c))) (then (return (i32.const -1))))
      (local.set $v (i32.add (i32.mul (local.get $v) (i32.const 10)) (i32.sub (local.get $c) (i32.const 48))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $d)))
    (if (i32.gt_u (local.get $v) (i32.const 65535)) (then (return (i32.const -1))))
    (local.get $v))

  (func $ports (param $v i32) (result i32)
    (local $t i32) (local $f f64) (local $out i32) (local $p i32) (local $end i32) (local $a i32) (local $b i32)
    (local $dash i32) (local $lo i32) (local $hi i32) (local $n i32) (local $q i32)
    (local.set $t (i32.load8_u (local.get $v)))
    (local.set $out (call $alloc (i32.const 4)))
    (if (i32.eq (local.get $t) (i32.const 3))
      (then
        (local.set $f (f64.load offset=1 (local.get $v)))
        (if (i32.eqz (f64.eq (local.get $f) (f64.trunc (local.get $f)))) (then (return (i32.const 0))))
        (if (i32.or (f64.lt (local.get $f) (f64.const 0)) (f64.gt (local.get $f) (f64.const 65535))) (then (return (i32.const 0))))
        (local.set $lo (i32.trunc_f64_u (local.get $f)))
        (i32.store (local.get $out) (i32.const 1))
        (i32.store (call $alloc (i32.const 4)) (local.get $lo))
        (i32.store (call $alloc (i32.const 4)) (local.get $lo))
        (return (local.get $out))))
    (if (i32.ne (local.get $t) (i32.const 4)) (then (return (i32.const 0))))
    (local.set $p (call $sptr (local.get $v)))
    (local.set $end (i32.add (local.get $p) (call $slen (local.get $v))))
    (loop $item
      ;; item is [p, q) up to the next comma
      (local.set $q (local.get $p))
      (block $f (loop $l
        (br_if $f (i32.ge_u (local.get $q) (local.get $end)))
        (br_if $f (i32.eq (i32.load8_u (local.get $q)) (i32.const 44)))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $l)))
      (local.set $a (local.get $p))
      (local.set $b (local.get $q))
      (block $f (loop $l
        (br_if $f (i32.ge_u (local.get $a) (local.get $b)))
        (br_if $f (i32.ne (i32.load8_u (local.get $a)) (i32.const 32)))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (br $l)))
      (block $f (loop $l
        (br_if $f (i32.ge_u (local.get $a) (local.get $b)))
        (br_if $f (i32.ne (i32.load8_u (i32.sub (local.get $b) (i32.const 1))) (i32.const 32)))
        (local.set $b (i32.sub (local.get $b) (i32.const 1)))
        (br $l)))
      (if (i32.and (i32.eq (i32.sub (local.get $b) (local.get $a)) (i32.const 1)) (i32.eq (i32.load8_u (local.get $a)) (i32.const 42)))
        (then (local.set $lo (i32.const 0)) (local.set $hi (i32.const 65535)))
        (else
          (local.set $dash (local.get $a))
          (block $f (loop $l
            (br_if $f (i32.ge_u (local.get $dash) (local.get $b)))
            (br_if $f (i32.eq (i32.load8_u (local.get $dash)) (i32.const 45)))
            (local.set $dash (i32.add (local.get $dash) (i32.const 1)))
            (br $l)))
          (if (i32.lt_u (local.get $dash) (local.get $b))
            (then
              (local.set $lo (call $port_num (local.get $a) (local.get $dash)))
              (local.set $hi (call $port_num (i32.add (local.get $dash) (i32.const 1)) (local.get $b))))
            (else
              (local.set $lo (call $port_num (local.get $a) (local.get $b)))
              (local.set $hi (local.get $lo))))
          (if (i32.or (i32.lt_s (local.get $lo) (i32.const 0)) (i32.lt_s (local.get $hi) (i32.const 0))) (then (return (i32.const 0))))
          (if (i32.gt_u (local.get $lo) (local.get $hi)) (then (return (i32.const 0))))))
      (i32.store (call $alloc (i32.const 4)) (local.get $lo))
      (i32.store (call $alloc (i32.const 4)) (local.get $hi))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (if (i32.lt_u (local.get $q) (local.get $end))
        (then (local.set $p (i32.add (local.get $q) (i32.const 1))) (br $item))))
    (i32.store (local.get $out) (local.get $n))
    (local.get $out))

  (func $ports_overlap (param $a i32) (param $b i32) (result i32)
    (local $x i32) (local $y i32) (local $i i32) (local $j i32) (local $pi i32) (local $pj i32)
    (if (i32.eqz (i32.and (call $known (local.get $a)) (call $known (local.get $b)))) (then (return (i32.const 2))))
    (local.set $x (call $ports (local.get $a)))
    (if (i32.eqz (local.get $x)) (then (return (i32.const 0))))
    (local.set $y (call $ports (local.get $b)))
    (if (i32.eqz (local.get $y)) (then (return (i32.const 0))))
    (block $done (loop $li
      (br_if $done (i32.ge_u (local.get $i) (i32.load (local.get $x))))
      (local.set $pi (i32.add (local.get $x) (i32.add (i32.const 4) (i32.shl (local.get $i) (i32.const 3)))))
      (local.set $j (i32.const 0))
      (block $dj (loop $lj
        (br_if $dj (i32.ge_u (local.get $j) (i32.load (local.get $y))))
        (local.set $pj (i32.add (local.get $y) (i32.add (i32.const 4) (i32.shl (local.get $j) (i32.const 3)))))
        (if (i32.and (i32.le_u (i32.load (local.get $pi)) (i32.load offset=4 (local.get $pj)))
                     (i32.le_u (i32.load (local.get $pj)) (i32.load offset=4 (local.get $pi))))
          (then (return (i32.const 1))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $lj)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $li)))
    (i32.const 0))

  ;; ---------------------------------------------------------------- numbers
  (func $min (param $a i32) (param $b i32) (result i32)
    (local $x i32) (local $y i32)
    (if (i32.eqz (call $known2 (local.get $a) (local.get $b))) (then (return (i32.const 0))))
    (local.set $x (call $num_arg (local.get $a)))
    (local.set $y (call $num_arg (local.get $b)))
    (if (i32.eqz (i32.and (i32.ne (local.get $x) (i32.const 0)) (i32.ne (local.get $y) (i32.const 0)))) (then (return (i32.const 0))))
    (select (local.get $y) (local.get $x) (f64.lt (f64.load offset=1 (local.get $y)) (f64.load offset=1 (local.get $x)))))

  (func $max (param $a i32) (param $b i32) (result i32)
    (local $x i32) (local $y i32)
    (if (i32.eqz (call $known2 (local.get $a) (local.get $b))) (then (return (i32.const 0))))
    (local.set $x (call $num_arg (local.get $a)))
    (local.set $y (call $num_arg (local.get $b)))
    (if (i32.eqz (i32.and (i32.ne (local.get $x) (i32.const 0)) (i32.ne (local.get $y) (i32.const 0)))) (then (return (i32.const 0))))
    (select (local.get $y) (local.get $x) (f64.gt (f64.load offset=1 (local.get $y)) (f64.load offset=1 (local.get $x)))))

  (func $abs (param $a i32) (result i32)
    (local $x i32)
    (local.set $x (call $num_arg (local.get $a)))
    (if (i32.eqz (local.get $x)) (then (return (i32.const 0))))
    (call $num_new (f64.abs (f64.load offset=1 (local.get $x)))))

  (func $sum (param $a i32) (result i32)
    (local $n i32) (local $p i32) (local $t f64)
    (if (i32.eqz (call $known (local.get $a))) (then (return (i32.const 0))))
    (if (i32.ne (i32.load8_u (local.get $a)) (i32.const 5)) (then (call $fault (i32.const 1)) (return (i32.const 0))))
    (local.set $n (i32.load offset=1 (local.get $a)))
    (local.set $p (i32.add (local.get $a) (i32.const 9)))
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $n)))
      (if (i32.ne (i32.load8_u (local.get $p)) (i32.const 3)) (then (call $fault (i32.const 1)) (return (i32.const 0))))
      (local.set $t (f64.add (local.get $t) (f64.load offset=1 (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 9)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next)))
    (call $num_new (local.get $t)))

  ;; ---------------------------------------------------------------- versions
  ;; The next digit run in [p, end) starting at $run_pos; sets $run_pos past it; -1 when none.
  (global $run_pos (mut i32) (i32.const 0))
  (func $next_run (param $end i32) (result i64)
    (local $p i32) (local $v i64) (local $seen i32) (local $c i32)
    (local.set $p (global.get $run_pos))
    (block $skip (loop $s
      (br_if $skip (i32.ge_u (local.get $p) (local.get $end)))
      (br_if $skip (call $digit (i32.load8_u (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $s)))
    (block $done (loop $d
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $c (i32.load8_u (local.get $p)))
      (br_if $done (i32.eqz (call $digit (local.get $c))))
      (local.set $seen (i32.const 1))
      (local.set $v (i64.add (i64.mul (local.get $v) (i64.const 10)) (i64.extend_i32_u (i32.sub (local.get $c) (i32.const 48)))))
      (if (i64.gt_u (local.get $v) (i64.const 1000000000000000)) (then (local.set $v (i64.const 1000000000000000))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $d)))
    (global.set $run_pos (local.get $p))
    (if (result i64) (local.get $seen) (then (local.get $v)) (else (i64.const -1))))

  ;; Compares digit runs of [a, ae) and [b, be): -1, 0, 1, or 2 when either has none.
  (func $runs_cmp (param $a i32) (param $ae i32) (param $b i32) (param $be i32) (result i32)
    (local $x i64) (local $y i64) (local $first i32)
    (local.set $first (i32.const 1))
    (loop $next
      (global.set $run_pos (local.get $a))
      (local.set $x (call $next_run (local.get $ae)))
      (local.set $a (global.get $run_pos))
      (global.set $run_pos (local.get $b))
      (local.set $y (call $next_run (local.get $be)))
      (local.set $b (global.get $run_pos))
      (if (local.get $first)
        (then (if (i32.or (i64.lt_s (local.get $x) (i64.const 0)) (i64.lt_s (local.get $y) (i64.const 0))) (then (return (i32.const 2))))))
      (local.set $first (i32.const 0))
      (if (i32.and (i64.lt_s (local.get $x) (i64.const 0)) (i64.lt_s (local.get $y) (i64.const 0))) (then (return (i32.const 0))))
      (if (i64.lt_s (local.get $x) (i64.const 0)) (then (local.set $x (i64.const 0))))
      (if (i64.lt_s (local.get $y) (i64.const 0)) (then (local.set $y (i64.const 0))))
      (if (i64.lt_u (local.get $x) (local.get $y)) (then (return (i32.const -1))))
      (if (i64.gt_u (local.get $x) (local.get $y)) (then (return (i32.const 1))))
      (br $next))
    (i32.const 0))

  (func $cmp_result (param $c i32) (result i32)
    (if (i32.eq (local.get $c) (i32.const 2)) (then (return (i32.const 0))))
    (call $num_new (f64.convert_i32_s (local.get $c))))

  (func $version_compare (param $a i32) (param $b i32) (result i32)
    (local $s i32) (local $t i32)
    (if (i32.eqz (call $known2 (local.get $a) (local.get $b))) (then (return (i32.const 0))))
    (local.set $s (call $str_arg (local.get $a)))
    (local.set $t (call $str_arg (local.get $b)))
    (if (i32.eqz (i32.and (i32.ne (local.get $s) (i32.const 0)) (i32.ne (local.get $t) (i32.const 0)))) (then (return (i32.const 0))))
    (call $cmp_result (call $runs_cmp
      (call $sptr (local.get $s)) (i32.add (call $sptr (local.get $s)) (call $slen (local.get $s)))
      (call $sptr (local.get $t)) (i32.add (call $sptr (local.get $t)) (call $slen (local.get $t))))))

  ;; First position of byte c in [p, end), or end.
  (func $scan (param $p i32) (param $end i32) (param $c i32) (result i32)
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (br_if $done (i32.eq (i32.load8_u (local.get $p)) (local.get $c)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $l)))
    (local.get $p))

  (func $all_digits (param $p i32) (param $end i32) (result i32)
    (if (i32.eq (local.get $p) (local.get $end)) (then (return (i32.const 0))))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (if (i32.eqz (call $digit (i32.load8_u (local.get $p)))) (then (return (i32.const 0))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $l)))
    (i32.const 1))

  ;; Byte-wise comparison of [a, ae) and [b, be).
  (func $bytes_cmp (param $a i32) (param $ae i32) (param $b i32) (param $be i32) (result i32)
    (local $x i32) (local $y i32)
    (loop $l
      (if (i32.ge_u (local.get $a) (local.get $ae))
        (then (return (i32.sub (i32.const 0) (i32.lt_u (local.get $b) (local.get $be))))))
      (if (i32.ge_u (local.get $b) (local.get $be)) (then (return (i32.const 1))))
      (local.set $x (i32.load8_u (local.get $a)))
      (local.set $y (i32.load8_u (local.get $b)))
      (if (i32.lt_u (local.get $x) (local.get $y)) (then (return (i32.const -1))))
      (if (i32.gt_u (local.get $x) (local.get $y)) (then (return (i32.const 1))))
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $l))
    (i32.const 0))

  ;; Semantic-versioning pre-release precedence of [a, ae) and [b, be).
  (func $pre_cmp (param $a i32) (param $ae i32) (param $b i32) (param $be i32) (result i32)
    (local $x i32) (local $y i32) (local $xn i32) (local $yn i32) (local $c i32)
    (loop $l
      (local.set $x (call $scan (local.get $a) (local.get $ae) (i32.const 46)))
      (local.set $y (call $scan (local.get $b) (local.get $be) (i32.const 46)))
      (local.set $xn (call $all_digits (local.get $a) (local.get $x)))
      (local.set $yn (call $all_digits (local.get $b) (local.get $y)))
      (local.set $c
        (if (result i32) (i32.and (local.get $xn) (local.get $yn))
          (then (call $runs_cmp (local.get $a) (local.get $x) (local.get $b) (local.get $y)))
          (else (if (result i32) (local.get $xn) (then (i32.const -1))
            (else (if (result i32) (local.get $yn) (then (i32.const 1))
              (else (call $bytes_cmp (local.get $a) (local.get $x) (local.get $b) (local.get $y)))))))))
      (if (local.get $c) (then (return (local.get $c))))
      ;; identifiers equal: advance; the list that ends first is smaller
      (if (i32.ge_u (local.get $x) (local.get $ae))
        (then (return (i32.sub (i32.const 0) (i32.lt_u (local.get $y) (local.get $be))))))
      (if (i32.ge_u (local.get $y) (local.get $be)) (then (return (i32.const 1))))
      (local.set $a (i32.add (local.get $x) (i32.const 1)))
      (local.set $b (i32.add (local.get $y) (i32.const 1)))
      (br $l))
    (i32.const 0))

  (func $semver_compare (param $a i32) (param $b i32) (result i32)
    (local $s i32) (local $t i32) (local $ap i32) (local $ae i32) (local $bp i32) (local $be i32)
    (local $ac i32) (local $bc i32) (local $c i32)
    (if (i32.eqz (call $known2 (local.get $a) (local.get $b))) (then (return (i32.const 0))))
    (local.set $s (call $str_arg (local.get $a)))
    (local.set $t (call $str_arg (local.get $b)))
    (if (i32.eqz (i32.and (i32.ne (local.get $s) (i32.const 0)) (i32.ne (local.get $t) (i32.const 0)))) (then (return (i32.const 0))))
    (local.set $ap (call $sptr (local.get $s)))
    (local.set $ae (i32.add (local.get $ap) (call $slen (local.get $s))))
    (local.set $bp (call $sptr (local.get $t)))
    (local.set $be (i32.add (local.get $bp) (call $slen (local.get $t))))
    (if (i32.lt_u (local.get $ap) (local.get $ae)) (then (if (i32.eq (i32.or (i32.load8_u (local.get $ap)) (i32.const 32)) (i32.const 118))
      (then (local.set $ap (i32.add (local.get $ap) (i32.const 1)))))))
    (if (i32.lt_u (local.get $bp) (local.get $be)) (then (if (i32.eq (i32.or (i32.load8_u (local.get $bp)) (i32.const 32)) (i32.const 118))
      (then (local.set $bp (i32.add (local.get $bp) (i32.const 1)))))))
    (local.set $ae (call $scan (local.get $ap) (local.get $ae) (i32.const 43)))
    (local.set $be (call $scan (local.get $bp) (local.get $be) (i32.const 43)))
    (local.set $ac (call $scan (local.get $ap) (local.get $ae) (i32.const 45)))
    (local.set $bc (call $scan (local.get $bp) (local.get $be) (i32.const 45)))
    (local.set $c (call $runs_cmp (local.get $ap) (local.get $ac) (local.get $bp) (local.get $bc)))
    (if (i32.eq (local.get $c) (i32.const 2)) (then (return (i32.const 0))))
    (if (i32.eqz (local.get $c))
      (then
        (if (i32.lt_u (local.get $ac) (local.get $ae))
          (then (local.set $c (if (result i32) (i32.lt_u (local.get $bc) (local.get $be))
            (then (call $pre_cmp (i32.add (local.get $ac) (i32.const 1)) (local.get $ae) (i32.add (local.get $bc) (i32.const 1)) (local.get $be)))
            (else (i32.const -1)))))
          (else (if (i32.lt_u (local.get $bc) (local.get $be)) (then (local.set $c (i32.const 1))))))))
    (call $num_new (f64.convert_i32_s (local.get $c))))

  ;; ---------------------------------------------------------------- dates
  (func $days_from_civil (param $y i64) (param $m i64) (param $d i64) (result i64)
    (local $era i64) (local $yoe i64) (local $mp i64) (local $doy i64) (local $doe i64)
    (if (i64.le_s (local.get $m) (i64.const 2)) (then (local.set $y (i64.sub (local.get $y) (i64.const 1)))))
    (local.set $era (i64.div_s (if (result i64) (i64.ge_s (local.get $y) (i64.const 0)) (then (local.get $y)) (else (i64.sub (local.get $y) (i64.const 399)))) (i64.const 400)))
    (local.set $yoe (i64.sub (local.get $y) (i64.mul (local.get $era) (i64.const 400))))
    (local.set $mp (i64.rem_s (i64.add (local.get $m) (i64.const 9)) (i64.const 12)))
    (local.set $doy (i64.add (i64.div_s (i64.add (i64.mul (i64.const 153) (local.get $mp)) (i64.const 2)) (i64.const 5)) (i64.sub (local.get $d) (i64.const 1))))
    (local.set $doe (i64.add (i64.sub (i64.add (i64.mul (local.get $yoe) (i64.const 365)) (i64.div_s (local.get $yoe) (i64.const 4))) (i64.div_s (local.get $yoe) (i64.const 100))) (local.get $doy)))
    (i64.sub (i64.add (i64.mul (local.get $era) (i64.const 146097)) (local.get $doe)) (i64.const 719468)))

  ;; n decimal digits at p, or -1.
  (func $digits (param $p i32) (param $n i32) (result i64)
    (local $v i64) (local $c i32)
    (block $done (loop $l
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $c (i32.load8_u (local.get $p)))
      (if (i32.eqz (call $digit (local.get $c))) (then (return (i64.const -1))))
      (local.set $v (i64.add (i64.mul (local.get $v) (i64.const 10)) (i64.extend_i32_u (i32.sub (local.get $c) (i32.const 48)))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $l)))
    (local.get $v))

  (func $days_in_month (param $y i64) (param $m i64) (result i64)
    (if (i64.eq (local.get $m) (i64.const 2))
      (then (return (if (result i64)
        (i32.or (i32.and (i64.eqz (i64.rem_s (local.get $y) (i64.const 4))) (i64.ne (i64.rem_s (local.get $y) (i64.const 100)) (i64.const 0)))
                (i64.eqz (i64.rem_s (local.get $y) (i64.const 400))))
        (then (i64.const 29)) (else (i64.const 28))))))
    (if (i32.or (i32.or (i64.eq (local.get $m) (i64.const 4)) (i64.eq (local.get $m) (i64.const 6)))
                (i32.or (i64.eq (local.get $m) (i64.const 9)) (i64.eq (local.get $m) (i64.const 11))))
      (then (return (i64.const 30))))
    (i64.const 31))

  ;; RFC 3339 text (n bytes at p) -> seconds; sets $time_ok.
  (global $time_ok (mut i32) (i32.const 0))
  (func $parse_time (param $p i32) (param $n i32) (result f64)
    (local $y i64) (local $m i64) (local $d i64) (local $days f64) (local $hh i64) (local $mm i64) (local $ss i64)
    (local $at i32) (local $fn i64) (local $fk i32) (local $pow i64) (local $frac f64) (local $off i64) (local $oh i64) (local $om i64) (local $c i32)
    (global.set $time_ok (i32.const 0))
    (block $fail
      (br_if $fail (i32.lt_u (local.get $n) (i32.const 10)))
      (local.set $y (call $digits (local.get $p) (i32.const 4)))
      (local.set $m (call $digits (i32.add (local.get $p) (i32.const 5)) (i32.const 2)))
      (local.set $d (call $digits (i32.add (local.get $p) (i32.const 8)) (i32.const 2)))
      (br_if $fail (i64.lt_s (local.get $y) (i64.const 0)))
      (br_if $fail (i64.lt_s (local.get $m) (i64.const 0)))
      (br_if $fail (i64.lt_s (local.get $d) (i64.const 0)))
      (br_if $fail (i32.ne (i32.load8_u offset=4 (local.get $p)) (i32.const 45)))
      (br_if $fail (i32.ne (i32.load8_u offset=7 (local.get $p)) (i32.const 45)))
      (br_if $fail (i64.lt_s (local.get $m) (i64.const 1)))
      (br_if $fail (i64.gt_s (local.get $m) (i64.const 12)))
      (br_if $fail (i64.lt_s (local.get $d) (i64.const 1)))
      (br_if $fail (i64.gt_s (local.get $d) (call $days_in_month (local.get $y) (local.get $m))))
      (local.set $days (f64.convert_i64_s (call $days_from_civil (local.get $y) (local.get $m) (local.get $d))))
      (if (i32.eq (local.get $n) (i32.const 10))
        (then (global.set $time_ok (i32.const 1)) (return (f64.mul (local.get $days) (f64.const 86400)))))
      (br_if $fail (i32.lt_u (local.get $n) (i32.const 20)))
      (local.set $c (i32.load8_u offset=10 (local.get $p)))
      (br_if $fail (i32.eqz (i32.or (i32.or (i32.eq (local.get $c) (i32.const 84)) (i32.eq (local.get $c) (i32.const 116))) (i32.eq (local.get $c) (i32.const 32)))))
      (br_if $fail (i32.ne (i32.load8_u offset=13 (local.get $p)) (i32.const 58)))
      (br_if $fail (i32.ne (i32.load8_u offset=16 (local.get $p)) (i32.const 58)))
      (local.set $hh (call $digits (i32.add (local.get $p) (i32.const 11)) (i32.const 2)))
      (local.set $mm (call $digits (i32.add (local.get $p) (i32.const 14)) (i32.const 2)))
      (local.set $ss (call $digits (i32.add (local.get $p) (i32.const 17)) (i32.const 2)))
      (br_if $fail (i32.or (i64.lt_s (local.get $hh) (i64.const 0)) (i64.gt_s (local.get $hh) (i64.const 23))))
      (br_if $fail (i32.or (i64.lt_s (local.get $mm) (i64.const 0)) (i64.gt_s (local.get $mm) (i64.const 59))))
      (br_if $fail (i32.or (i64.lt_s (local.get $ss) (i64.const 0)) (i64.gt_s (local.get $ss) (i64.const 59))))
      (local.set $at (i32.const 19))
      (if (i32.eq (i32.load8_u offset=19 (local.get $p)) (i32.const 46))
        (then
          (local.set $at (i32.const 20))
          (local.set $pow (i64.const 1))
          (block $fd (loop $l
            (br_if $fd (i32.ge_u (local.get $at) (local.get $n)))
            (local.set $c (i32.load8_u (i32.add (local.get $p) (local.get $at))))
            (br_if $fd (i32.eqz (call $digit (local.get $c))))
            (if (i32.lt_s (local.get $fk) (i32.const 9))
              (then
                (local.set $fn (i64.add (i64.mul (local.get $fn) (i64.const 10)) (i64.extend_i32_u (i32.sub (local.get $c) (i32.const 48)))))
                (local.set $pow (i64.mul (local.get $pow) (i64.const 10)))
                (local.set $fk (i32.add (local.get $fk) (i32.const 1)))))
            (local.set $at (i32.add (local.get $at) (i32.const 1)))
            (br $l)))
          (br_if $fail (i32.eq (local.get $at) (i32.const 20)))
          (local.set $frac (f64.div (f64.convert_i64_s (local.get $fn)) (f64.convert_i64_s (local.get $pow))))))
      (br_if $fail (i32.ge_u (local.get $at) (local.get $n)))
      (local.set $c (i32.load8_u (i32.add (local.get $p) (local.get $at))))
      (if (i32.or (i32.eq (local.get $c) (i32.const 90)) (i32.eq (local.get $c) (i32.const 122)))
        (then (br_if $fail (i32.ne (local.get $n) (i32.add (local.get $at) (i32.const 1)))))
        (else
          (br_if $fail (i32.eqz (i32.or (i32.eq (local.get $c) (i32.const 43)) (i32.eq (local.get $c) (i32.const 45)))))
          (br_if $fail (i32.ne (local.get $n) (i32.add (local.get $at) (i32.const 6))))
          (br_if $fail (i32.ne (i32.load8_u offset=3 (i32.add (local.get $p) (local.get $at))) (i32.const 58)))
          (local.set $oh (call $digits (i32.add (i32.add (local.get $p) (local.get $at)) (i32.const 1)) (i32.const 2)))
          (local.set $om (call $digits (i32.add (i32.add (local.get $p) (local.get $at)) (i32.const 4)) (i32.const 2)))
          (br_if $fail (i32.or (i64.lt_s (local.get $oh) (i64.const 0)) (i64.gt_s (local.get $oh) (i64.const 23))))
          (br_if $fail (i32.or (i64.lt_s (local.get $om) (i64.const 0)) (i64.gt_s (local.get $om) (i64.const 59))))
          (local.set $off (i64.add (i64.mul (local.get $oh) (i64.const 3600)) (i64.mul (local.get $om) (i64.const 60))))
          (if (i32.eq (local.get $c) (i32.const 45)) (then (local.set $off (i64.sub (i64.const 0) (local.get $off)))))))
      (global.set $time_ok (i32.const 1))
      (return (f64.add
        (f64.add (f64.mul (local.get $days) (f64.const 86400))
          (f64.convert_i64_s (i64.sub (i64.add (i64.add (i64.mul (local.get $hh) (i64.const 3600)) (i64.mul (local.get $mm) (i64.const 60))) (local.get $ss)) (local.get $off))))
        (local.get $frac))))
    (f64.const 0))

  ;; A time argument (number or RFC 3339 string) -> seconds; $time_ok says whether it parsed.
  (func $seconds (param $v i32) (result f64)
    (global.set $time_ok (i32.const 0))
    (if (i32.eq (i32.load8_u (local.get $v)) (i32.const 3))
      (then (global.set $time_ok (i32.const 1)) (return (f64.load offset=1 (local.get $v)))))
    (if (i32.eq (i32.load8_u (local.get $v)) (i32.const 4))
      (then (return (call $parse_time (call $sptr (local.get $v)) (call $slen (local.get $v))))))
    (call $fault (i32.const 1))
    (f64.const 0))

  (func $time (param $a i32) (result i32)
    (local $t f64)
    (if (i32.eqz (call $known (local.get $a))) (then (return (i32.const 0))))
    (local.set $t (call $seconds (local.get $a)))
    (if (i32.eqz (global.get $time_ok)) (then (return (i32.const 0))))
    (call $num_new (local.get $t)))

  (func $now (result i32) (call $num_new (global.get $now)))

  (func $days_between (param $a i32) (param $b i32) (result i32)
    (local $x f64) (local $y f64) (local $ok i32)
    (if (i32.eqz (i32.and (call $known (local.get $a)) (call $known (local.get $b)))) (then (return (i32.const 0))))
    (local.set $x (call $seconds (local.get $a)))
    (local.set $ok (global.get $time_ok))
    (local.set $y (call $seconds (local.get $b)))
    (if (i32.eqz (i32.and (local.get $ok) (global.get $time_ok))) (then (return (i32.const 0))))
    (call $num_new (f64.floor (f64.div (f64.sub (local.get $y) (local.get $x)) (f64.const 86400)))))

  (func $days_since (param $a i32) (result i32)
    (local $x f64)
    (if (i32.eqz (call $known (local.get $a))) (then (return (i32.const 0))))
    (local.set $x (call $seconds (local.get $a)))
    (if (i32.eqz (global.get $time_ok)) (then (return (i32.const 0))))
    (call $num_new (f64.floor (f64.div (f64.sub (global.get $now) (local.get $x)) (f64.const 86400)))))

  ;; ---------------------------------------------------------------- collections
  ;; mode 0: keys, 1: values
  (func $entries (param $a i32) (param $mode i32) (result i32)
    (local $n i32) (local $p i32) (local $kl i32) (local $vec i32)
    (if (i32.eqz (call $known (local.get $a))) (then (return (i32.const 0))))
    (if (i32.ne (i32.load8_u (local.get $a)) (i32.const 6)) (then (call $fault (i32.const 1)) (return (i32.const 0))))
    (local.set $vec (call $vec_new))
    (local.set $n (i32.load offset=1 (local.get $a)))
    (local.set $p (i32.add (local.get $a) (i32.const 9)))
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $kl (i32.load (local.get $p)))
      (if (local.get $mode)
        (then (call $vec_push (local.get $vec) (i32.add (i32.add (local.get $p) (i32.const 4)) (local.get $kl))))
        (else (call $vec_push (local.get $vec) (call $str_new (i32.add (local.get $p) (i32.const 4)) (local.get $kl)))))
      (local.set $p (i32.add (i32.add (local.get $p) (i32.const 4)) (local.get $kl)))
      (local.set $p (i32.add (local.get $p) (call $size (local.get $p))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next)))
    (call $vec_array (local.get $vec)))

  (func $keys (param $a i32) (result i32) (call $entries (local.get $a) (i32.const 0)))
  (func $values (param $a i32) (result i32) (call $entries (local.get $a) (i32.const 1)))

  (func $unique (param $a i32) (result i32)
    (local $n i32) (local $p i32) (local $vec i32) (local $i i32) (local $dup i32)
    (if (i32.eqz (call $known (local.get $a))) (then (return (i32.const 0))))
    (if (i32.ne (i32.load8_u (local.get $a)) (i32.const 5)) (then (call $fault (i32.const 1)) (return (i32.const 0))))
    (local.set $vec (call $vec_new))
    (local.set $n (i32.load offset=1 (local.get $a)))
    (local.set $p (i32.add (local.get $a) (i32.const 9)))
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $dup (i32.const 0))
      (local.set $i (i32.const 0))
      (block $seen (loop $l
        (br_if $seen (i32.ge_u (local.get $i) (i32.load offset=4 (local.get $vec))))
        (if (call $eq (i32.load (i32.add (i32.load offset=8 (local.get $vec)) (i32.shl (local.get $i) (i32.const 2)))) (local.get $p))
          (then (local.set $dup (i32.const 1)) (br $seen)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
      (if (i32.eqz (local.get $dup)) (then (call $vec_push (local.get $vec) (local.get $p))))
      (local.set $p (i32.add (local.get $p) (call $size (local.get $p))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next)))
    (call $vec_array (local.get $vec)))

  (func $as_list (param $a i32) (result i32)
    (local $vec i32)
    (if (i32.eqz (call $known (local.get $a))) (then (return (i32.const 0))))
    (if (i32.eq (i32.load8_u (local.get $a)) (i32.const 5)) (then (return (local.get $a))))
    (local.set $vec (call $vec_new))
    (call $vec_push (local.get $vec) (local.get $a))
    (call $vec_array (local.get $vec)))

  (func $concat (param $a i32) (param $b i32) (result i32)
    (local $vec i32) (local $n i32) (local $p i32) (local $l i32) (local $k i32)
    (if (i32.eqz (call $known (local.get $a))) (then (return (i32.const 0))))
    (if (i32.eqz (call $known (local.get $b))) (then (return (i32.const 0))))
    (if (i32.ne (i32.load8_u (local.get $a)) (i32.const 5)) (then (call $fault (i32.const 1)) (return (i32.const 0))))
    (if (i32.ne (i32.load8_u (local.get $b)) (i32.const 5)) (then (call $fault (i32.const 1)) (return (i32.const 0))))
    (local.set $vec (call $vec_new))
    (local.set $l (local.get $a))
    (local.set $k (i32.const 2))
    (block $lists (loop $list
      (local.set $n (i32.load offset=1 (local.get $l)))
      (local.set $p (i32.add (local.get $l) (i32.const 9)))
      (block $done (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (call $vec_push (local.get $vec) (local.get $p))
        (local.set $p (i32.add (local.get $p) (call $size (local.get $p))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
      (local.set $k (i32.sub (local.get $k) (i32.const 1)))
      (br_if $lists (i32.eqz (local.get $k)))
      (local.set $l (local.get $b))
      (br $list)))
    (call $vec_array (local.get $vec)))

  ;; `required(x)`: true for a present, known value; undecided (2) otherwise.
  (func $required (param $v i32) (result i32)
    (if (result i32) (call $known (local.get $v)) (then (i32.const 1)) (else (i32.const 2))))

  (func $is_unknown (param $a i32) (result i32)
    (if (result i32) (local.get $a)
      (then (i32.eq (i32.load8_u (local.get $a)) (i32.const 7)))
      (else (i32.const 0))))

  ;; ---------------------------------------------------------------- explanations and output
  ;; A clause record: [clause u32][tri u32][value u32][count u32] then (var u32, index i32, value u32) per binding.
  ;; The compiler fills the bindings; $leaf allocates the record and makes it the current reason.
  (func $leaf (param $clause i32) (param $tri i32) (param $v i32) (param $nb i32) (result i32)
    (local $r i32)
    (local.set $r (call $alloc (i32.add (i32.const 16) (i32.mul (local.get $nb) (i32.const 12)))))
    (i32.store (local.get $r) (local.get $clause))
    (i32.store offset=4 (local.get $r) (local.get $tri))
    (i32.store offset=8 (local.get $r) (local.get $v))
    (i32.store offset=12 (local.get $r) (local.get $nb))
    (global.set $reason (local.get $r))
    (if (global.get $err) (then (if (i32.eqz (global.get $err_rec)) (then (global.set $err_rec (local.get $r))))))
    (local.get $r))

  ;; The value bound to a variable in a record, or 0.
  (func $rec_var (param $r i32) (param $var i32) (result i32)
    (local $i i32) (local $p i32)
    (if (i32.eqz (local.get $r)) (then (return (i32.const 0))))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (i32.load offset=12 (local.get $r))))
      (local.set $p (i32.add (i32.add (local.get $r) (i32.const 16)) (i32.mul (local.get $i) (i32.const 12))))
      (if (i32.eq (i32.load (local.get $p)) (local.get $var)) (then (return (i32.load offset=8 (local.get $p)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (i32.const 0))

  (func $w8 (param $b i32) (i32.store8 (call $alloc (i32.const 1)) (local.get $b)))
  (func $w32 (param $x i32) (i32.store (call $alloc (i32.const 4)) (local.get $x)))
  (func $wbytes (param $p i32) (param $n i32) (call $memcpy (call $alloc (local.get $n)) (local.get $p) (local.get $n)))
  (func $wval (param $v i32)
    (if (local.get $v)
      (then (call $wbytes (local.get $v) (call $size (local.get $v))))
      (else (call $w8 (i32.const 255)))))

  ;; Writes the output record of one recommendation.
  (func $emit (param $outcome i32) (param $r i32) (param $fault i32) (param $rem i32) (param $fix i32)
    (local $i i32) (local $p i32)
    (call $w8 (local.get $outcome))
    (if (i32.lt_u (local.get $outcome) (i32.const 2)) (then (return)))
    (if (i32.eqz (local.get $r))
      (then
        (call $w32 (i32.const -1)) (call $w8 (i32.const 2)) (call $w8 (local.get $fault)) (call $w8 (i32.const 255))
        (call $w32 (i32.const 0)))
      (else
        (call $w32 (i32.load (local.get $r)))
        (call $w8 (i32.load offset=4 (local.get $r)))
        (call $w8 (local.get $fault))
        (call $wval (i32.load offset=8 (local.get $r)))
        (call $w32 (i32.load offset=12 (local.get $r)))
        (block $done (loop $l
          (br_if $done (i32.ge_u (local.get $i) (i32.load offset=12 (local.get $r))))
          (local.set $p (i32.add (i32.add (local.get $r) (i32.const 16)) (i32.mul (local.get $i) (i32.const 12))))
          (call $w32 (i32.load (local.get $p)))
          (call $w32 (i32.load offset=4 (local.get $p)))
          (call $wval (i32.load offset=8 (local.get $p)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $l)))))
    (call $wval (local.get $rem))
    (call $wval (local.get $fix)))

  ;; Text building: a string value whose bytes are appended at the heap top.
  (func $text_begin (result i32)
    (local $s i32)
    (local.set $s (call $alloc (i32.const 5)))
    (i32.store8 (local.get $s) (i32.const 4))
    (local.get $s))

  (func $text_end (param $s i32) (result i32)
    (i32.store offset=1 (local.get $s) (i32.sub (i32.sub (global.get $heap) (local.get $s)) (i32.const 5)))
    (local.get $s))

  (func $wdec (param $x i64)
    (local $buf i32) (local $n i32)
    (local.set $buf (call $alloc (i32.const 20)))
    (loop $l
      (i32.store8 (i32.add (local.get $buf) (i32.sub (i32.const 19) (local.get $n)))
        (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $x) (i64.const 10)))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (local.set $x (i64.div_u (local.get $x) (i64.const 10)))
      (br_if $l (i64.ne (local.get $x) (i64.const 0))))
    ;; move the digits to the start of the scratch and give back the rest
    (call $memcpy (local.get $buf) (i32.add (local.get $buf) (i32.sub (i32.const 20) (local.get $n))) (local.get $n))
    (global.set $heap (i32.add (local.get $buf) (local.get $n))))

  ;; Mirrors text::format_number.
  (func $wnum (param $f f64)
    (local $scaled f64) (local $u i64) (local $frac i64) (local $k i32) (local $digits i64) (local $div i64)
    (if (i32.eqz (f64.lt (f64.abs (local.get $f)) (f64.const inf)))
      (then (call $wlit4 (i32.const 0x6c6c756e)) (return)))
    (local.set $scaled (f64.nearest (f64.mul (f64.abs (local.get $f)) (f64.const 1e6))))
    (if (f64.ge (local.get $scaled) (f64.const 1e18))
      (then
        (if (f64.lt (local.get $f) (f64.const 0)) (then (call $w8 (i32.const 45))))
        (call $wlit4 (i32.const 0x38316531)) (call $w8 (i32.const 43)) (return)))
    (local.set $u (i64.trunc_f64_u (local.get $scaled)))
    (if (i32.and (f64.lt (local.get $f) (f64.const 0)) (i64.ne (local.get $u) (i64.const 0))) (then (call $w8 (i32.const 45))))
    (call $wdec (i64.div_u (local.get $u) (i64.const 1000000)))
    (local.set $frac (i64.rem_u (local.get $u) (i64.const 1000000)))
    (if (i64.ne (local.get $frac) (i64.const 0))
      (then
        (call $w8 (i32.const 46))
        (local.set $div (i64.const 100000))
        (block $done (loop $l
          (br_if $done (i64.eqz (local.get $frac)))
          (call $w8 (i32.add (i32.const 48) (i32.wrap_i64 (i64.div_u (local.get $frac) (local.get $div)))))
          (local.set $frac (i64.rem_u (local.get $frac) (local.get $div)))
          (local.set $div (i64.div_u (local.get $div) (i64.const 10)))
          (br $l))))))

  (func $wlit4 (param $x i32) (i32.store (call $alloc (i32.const 4)) (local.get $x)))

  ;; Mirrors text::render.
  (func $wtext (param $v i32)
    (local $t i32) (local $n i32) (local $p i32) (local $first i32)
    (if (i32.eqz (local.get $v))
      (then (call $wlit4 (i32.const 0x73696d28)) (call $wlit4 (i32.const 0x676e6973)) (call $w8 (i32.const 41)) (return)))
    (local.set $t (i32.load8_u (local.get $v)))
    (if (i32.eq (local.get $t) (i32.const 7))
      (then (call $wlit4 (i32.const 0x6b6e7528)) (call $wlit4 (i32.const 0x6e776f6e)) (call $w8 (i32.const 41)) (return)))
    (if (i32.eqz (local.get $t)) (then (call $wlit4 (i32.const 0x6c6c756e)) (return)))
    (if (i32.eq (local.get $t) (i32.const 1)) (then (call $wlit4 (i32.const 0x736c6166)) (call $w8 (i32.const 101)) (return)))
    (if (i32.eq (local.get $t) (i32.const 2)) (then (call $wlit4 (i32.const 0x65757274)) (return)))
    (if (i32.eq (local.get $t) (i32.const 3)) (then (call $wnum (f64.load offset=1 (local.get $v))) (return)))
    (if (i32.eq (local.get $t) (i32.const 4)) (then (call $wbytes (call $sptr (local.get $v)) (call $slen (local.get $v))) (return)))
    (if (i32.eq (local.get $t) (i32.const 5))
      (then
        (local.set $n (i32.load offset=1 (local.get $v)))
        (local.set $p (i32.add (local.get $v) (i32.const 9)))
        (local.set $first (i32.const 1))
        (block $done (loop $l
          (br_if $done (i32.eqz (local.get $n)))
          (if (i32.eqz (local.get $first)) (then (call $w8 (i32.const 44)) (call $w8 (i32.const 32))))
          (local.set $first (i32.const 0))
          (call $wtext (local.get $p))
          (local.set $p (i32.add (local.get $p) (call $size (local.get $p))))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br $l)))
        (return)))
    (call $w8 (i32.const 123)) (call $w8 (i32.const 46)) (call $w8 (i32.const 46)) (call $w8 (i32.const 46)) (call $w8 (i32.const 125)))

  ;; A fix operation object {"op": op, "path": path[, "value": v]}; op and path are string values.
  (func $fix_op (param $op i32) (param $path i32) (param $v i32) (result i32)
    (local $o i32)
    (local.set $o (call $alloc (i32.const 9)))
    (i32.store8 (local.get $o) (i32.const 6))
    (i32.store offset=1 (local.get $o) (select (i32.const 3) (i32.const 2) (local.get $v)))
    (call $w32 (i32.const 2)) (call $w8 (i32.const 111)) (call $w8 (i32.const 112))
    (call $wval (local.get $op))
    (call $w32 (i32.const 4)) (call $wlit4 (i32.const 0x68746170))
    (call $wval (local.get $path))
    (if (local.get $v)
      (then (call $w32 (i32.const 5)) (call $wlit4 (i32.const 0x756c6176)) (call $w8 (i32.const 101)) (call $wval (local.get $v))))
    (i32.store offset=5 (local.get $o) (i32.sub (i32.sub (global.get $heap) (local.get $o)) (i32.const 9)))
    (local.get $o))

  ;; A JSON Pointer: the string value `prefix` followed by "/" and the index i.
  (func $ptr_index (param $prefix i32) (param $i i32) (result i32)
    (local $s i32)
    (local.set $s (call $text_begin))
    (call $wbytes (call $sptr (local.get $prefix)) (call $slen (local.get $prefix)))
    (call $w8 (i32.const 47))
    (call $wdec (i64.extend_i32_u (local.get $i)))
    (call $text_end (local.get $s)))

  ;; Number of elements of an array or entries of a map (0 otherwise).
  (func $count_of (param $v i32) (result i32)
    (if (i32.eqz (local.get $v)) (then (return (i32.const 0))))
    (if (i32.or (i32.eq (i32.load8_u (local.get $v)) (i32.const 5)) (i32.eq (i32.load8_u (local.get $v)) (i32.const 6)))
      (then (return (i32.load offset=1 (local.get $v)))))
    (i32.const 0))

  ;; Iteration: the first element (or map entry value) address, and the next one.
  (func $first (param $v i32) (result i32)
    (if (i32.eq (i32.load8_u (local.get $v)) (i32.const 6))
      (then (return (i32.add (i32.add (local.get $v) (i32.const 13)) (i32.load offset=9 (local.get $v))))))
    (i32.add (local.get $v) (i32.const 9)))

  ;; For a map, p is an entry value; the next entry's value follows its key.
  (func $next (param $coll i32) (param $p i32) (result i32)
    (local.set $p (i32.add (local.get $p) (call $size (local.get $p))))
    (if (i32.eq (i32.load8_u (local.get $coll)) (i32.const 6))
      (then (return (i32.add (i32.add (local.get $p) (i32.const 4)) (i32.load (local.get $p))))))
    (local.get $p))

  ;; The key (as a new string value) of the map entry whose value is at p.
  (func $key_of (param $coll i32) (param $p i32) (result i32)
    (local $q i32) (local $n i32) (local $kl i32) (local $v i32)
    (local.set $n (i32.load offset=1 (local.get $coll)))
    (local.set $q (i32.add (local.get $coll) (i32.const 9)))
    (block $done (loop $l
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $kl (i32.load (local.get $q)))
      (local.set $v (i32.add (i32.add (local.get $q) (i32.const 4)) (local.get $kl)))
      (if (i32.eq (local.get $v) (local.get $p)) (then (return (call $str_new (i32.add (local.get $q) (i32.const 4)) (local.get $kl)))))
      (local.set $q (i32.add (local.get $v) (call $size (local.get $v))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $l)))
    (i32.const 0))

  ;; Inventory index: entries of lookup l as [count, offsets...]; returns the table address or 0.
  (func $lookup_table (param $l i32) (result i32)
    (local $p i32)
    (if (i32.eqz (global.get $index)) (then (return (i32.const 0))))
    (local.set $p (i32.add (global.get $index) (i32.const 4)))
    (block $done (loop $skip
      (br_if $done (i32.eqz (local.get $l)))
      ;; skip a lookup: after its offsets come its entries; the next lookup begins where the last entry ends
      (local.set $p (call $lookup_end (local.get $p)))
      (local.set $l (i32.sub (local.get $l) (i32.const 1)))
      (br $skip)))
    (local.get $p))

  (func $lookup_end (param $t i32) (result i32)
    (local $n i32) (local $e i32)
    (local.set $n (i32.load (local.get $t)))
    (if (i32.eqz (local.get $n)) (then (return (i32.add (local.get $t) (i32.const 4)))))
    (local.set $e (i32.add (global.get $index) (i32.load (i32.add (local.get $t) (i32.shl (local.get $n) (i32.const 2))))))
    (local.set $e (i32.add (i32.add (local.get $e) (i32.const 4)) (i32.load (local.get $e))))
    (i32.add (local.get $e) (call $size (local.get $e))))

  ;; Entry i of a lookup table: its key (length-prefixed) address.
  (func $lookup_entry (param $t i32) (param $i i32) (result i32)
    (i32.add (global.get $index) (i32.load offset=4 (i32.add (local.get $t) (i32.shl (local.get $i) (i32.const 2))))))

  (func $entry_value (param $e i32) (result i32)
    (i32.add (i32.add (local.get $e) (i32.const 4)) (i32.load (local.get $e))))

  ;; First entry index whose key is >= the string value k (binary search over sorted keys).
  (func $lookup_lower (param $t i32) (param $k i32) (result i32)
    (local $lo i32) (local $hi i32) (local $mid i32) (local $e i32)
    (local.set $hi (i32.load (local.get $t)))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $lo) (local.get $hi)))
      (local.set $mid (i32.shr_u (i32.add (local.get $lo) (local.get $hi)) (i32.const 1)))
      (local.set $e (call $lookup_entry (local.get $t) (local.get $mid)))
      (if (i32.lt_s (call $bytes_cmp (i32.add (local.get $e) (i32.const 4)) (i32.add (i32.add (local.get $e) (i32.const 4)) (i32.load (local.get $e)))
                                     (call $sptr (local.get $k)) (i32.add (call $sptr (local.get $k)) (call $slen (local.get $k))))
                    (i32.const 0))
        (then (local.set $lo (i32.add (local.get $mid) (i32.const 1))))
        (else (local.set $hi (local.get $mid))))
      (br $l)))
    (local.get $lo))

  ;; Whether entry e's key equals the string value k.
  (func $entry_is (param $e i32) (param $k i32) (result i32)
    (if (i32.ne (i32.load (local.get $e)) (call $slen (local.get $k))) (then (return (i32.const 0))))
    (call $memeq (i32.add (local.get $e) (i32.const 4)) (call $sptr (local.get $k)) (call $slen (local.get $k))))
)
