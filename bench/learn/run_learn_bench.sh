#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: bash bench/learn/run_learn_bench.sh [d ...]        (default d: 4 8 12 16)
# Exact learning against its peers in one run, per d and per kind of data, N = 2 D samples
# (D = d^2(d+1)/2) of n = 3 tokens with integer entries in [-2, 2], targets at the last position:
#   * real:  realisable, from a random 2-head model with entries in [-2, 2]
#            (`mhla generate random ... --entries int:2`, seed 20261129 + d);
#   * noisy: the same plus binary64 N(0, 0.01^2) noise on every target (`--noise 0.01`: agnostic);
#   * f32:   float32 .npz the PyTorch way (float32_dataset.py): float32 N(0, 1) weights and targets
#            computed in float32 (agnostic: the rounding fits no model), inputs integer-valued.
# Columns (wall seconds; MB = peak resident memory):
#   * solve_s: the exact least-squares solve of `mhla learn` for all d coordinates (fit_dataset:
#     auto -> primal here, modular), timed inside the library by bench_learn_solve, with its
#     square-system kernel (crt / dixon), Dixon lifting steps, the answer's size in bits
#     (largest numerator / denominator) and est_bits = 2 log2 of the Hadamard bound of the normal
#     equations, an upper bound on bits(numerator) + bits(denominator) (0 on the consistent path);
#   * learn_s, learn_MB: `mhla learn` end to end (parse, solve, heads, model check, write), for
#     d <= LEARN_E2E_MAX_D (default 16);
#   * np1_s, npN_s, np_MB: NumPy float64 np.linalg.lstsq(Phi, Y) on the same matrix, one thread
#     and all threads (OPENBLAS_NUM_THREADS=1 / unset; OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are
#     unset for this command only); MB of the one-thread run (Python, the matrix, LAPACK);
#   * flint_s, fl_MB: FLINT 2.9 exact normal equations (fmpz_mat_mul, then
#     fmpq_mat_solve_fmpz_mat_dixon) on the same integer matrix, for d <= FLINT_MAX_D (default 16
#     for realisable data, FLINT_AGNOSTIC_MAX_D = 12 for agnostic data: its Dixon lifts to the
#     Hadamard bound without early termination and takes minutes at d = 16);
#   * ratios: solve/np1, learn/np1 and solve/flint (below 1: mhla is faster).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${MHLA_BENCH_BUILD:-build/bench-learn}
here=bench/learn
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null  # only the mhla target is built
cmake --build "$build" -j"$(nproc)" --target mhla >/dev/null
mhla=$build/mhla
libs=""
for l in io heads learn heads linalg modp arith; do libs="$libs $build/libmhla_$l.a"; done  # + zlib for io (npz)
g++ -O2 -std=c++20 -Iinclude $here/bench_learn_solve.cpp $libs -lflint -lgmp -lmpfr -lcrypto -lz -o "$build/bench_learn_solve"
g++ -O2 -std=c++20 $here/flint_solve.cpp -lflint -lgmp -o "$build/bench_learn_flint"
[ $# -gt 0 ] || set -- 4 8 12 16
kinds=${LEARN_KINDS:-real noisy f32}
e2e_max_d=${LEARN_E2E_MAX_D:-16}
flint_max_d=${FLINT_MAX_D:-16}
flint_agn_max_d=${FLINT_AGNOSTIC_MAX_D:-12}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

seconds_of() {  # "Elapsed (wall clock) time (h:mm:ss or m:ss): 1:02.50" -> 62.50
  awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.2f", s}' "$1"
}
mb_of() { awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 == a && b + 0 == b && b > 0) printf "%.1f", a / b; else printf "-" }'; }
numpy() {  # numpy THREADS DATASET [--dump PREFIX]: the float peer with a clean OpenBLAS environment
  local threads=$1
  shift
  if [ "$threads" = all ]; then
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE -u OPENBLAS_NUM_THREADS /usr/bin/python3 $here/numpy_lstsq.py "$@"
  else
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 /usr/bin/python3 $here/numpy_lstsq.py "$@"
  fi
}

echo "machine: $(nproc) cores; $(/usr/bin/python3 -c 'import numpy; print("numpy", numpy.__version__)'); FLINT 2.9"
fmt='%3s %-5s %5s %5s | %7s %-5s %5s %11s %7s | %7s %6s | %7s %7s %5s | %7s %5s | %7s %7s %7s\n'
printf "$fmt" d kind D rows solve_s kern steps w_bits est_bits learn_s lrn_MB np1_s npN_s np_MB flint_s fl_MB sol/np1 lrn/np1 sol/fl
for d in "$@"; do
  D=$((d * d * (d + 1) / 2))
  N=$((2 * D))
  for kind in $kinds; do
    case $kind in
      real) data=$tmp/d$d.json
        "$mhla" -q generate random --d "$d" --heads 2 --tokens 3 --samples "$N" --seed $((20261129 + d)) --entries int:2 \
          --model-out "$tmp/m$d.json" -o "$data" ;;
      noisy) data=$tmp/n$d.json
        "$mhla" -q generate random --d "$d" --heads 2 --tokens 3 --samples "$N" --seed $((20261129 + d)) --entries int:2 \
          --noise 0.01 -o "$data" ;;
      f32) data=$tmp/f$d.npz
        /usr/bin/python3 $here/float32_dataset.py "$d" "$N" $((20261129 + d)) "$data" ;;
      *) echo "unknown kind $kind"; exit 2 ;;
    esac
    read -r _ _ _ solve_s _ _ _ _ _ _ _ nb _ db _ path _ primes _ kern _ steps _ est < <("$build/bench_learn_solve" "$data" --no-heads)
    learn_s=skipped learn_mb=-
    if [ "$d" -le "$e2e_max_d" ]; then
      /usr/bin/time -v "$mhla" -q learn --dataset "$data" -o "$tmp/l.json" 2>"$tmp/time.txt" ||
        { echo "d=$d $kind: mhla learn failed"; cat "$tmp/time.txt"; exit 1; }
      learn_s=$(seconds_of "$tmp/time.txt")
      learn_mb=$(mb_of "$tmp/time.txt")
      if [ "$kind" = real ]; then
        "$mhla" -q equiv --model "$tmp/l.json" --model "$tmp/m$d.json" >/dev/null ||
          { echo "d=$d: the learned model is not equivalent to the generator"; exit 1; }
      fi
      rm -f "$tmp/l.json"
    fi
    /usr/bin/time -v bash -c "$(declare -f numpy); here=$here; numpy 1 '$data' --dump '$tmp/p'" >"$tmp/np.txt" 2>"$tmp/time.txt"
    read -r _ rows _ _ _ _ _ np1_s _ < "$tmp/np.txt"
    np_mb=$(mb_of "$tmp/time.txt")
    read -r _ _ _ _ _ _ _ npN_s _ < <(numpy all "$data")
    fl_s=skipped fl_mb=-
    fl_limit=$flint_max_d
    [ "$kind" = real ] || fl_limit=$flint_agn_max_d
    if [ "$d" -le "$fl_limit" ]; then
      /usr/bin/time -v "$build/bench_learn_flint" "$tmp/p" "$rows" "$D" "$d" >"$tmp/fl.txt" 2>"$tmp/time.txt"
      read -r _ fl_s _ < "$tmp/fl.txt"
      fl_mb=$(mb_of "$tmp/time.txt")
    fi
    rm -f "$tmp/p.phi" "$tmp/p.y"
    printf "$fmt" "$d" "$kind" "$D" "$rows" "$solve_s" "${kern:0:5}" "$steps" "$nb/$db" "$est" "$learn_s" "$learn_mb" "$np1_s" "$npN_s" \
      "$np_mb" "$fl_s" "$fl_mb" "$(ratio "$solve_s" "$np1_s")" "$(ratio "$learn_s" "$np1_s")" "$(ratio "$solve_s" "$fl_s")"
  done
done
