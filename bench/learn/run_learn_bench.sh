#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: bash bench/learn/run_learn_bench.sh [d ...]        (default d: 4 8 12 16)
# Exact learning against its peers, per d, on realisable data: N = 2 D samples (D = d^2(d+1)/2)
# of n = 3 tokens with entries in [-2, 2] from a random 2-head model with entries in [-2, 2]
# (`mhla generate random ... --entries int:2`, seed 20261129 + d), targets at the last position,
# all d coordinates observed:
#   * solve_s: the exact least-squares solve of `mhla learn` for all d coordinates (fit_dataset,
#     default method and solver: auto -> primal here, modular), timed inside the library by
#     bench_learn_solve (the same job as lstsq: weights only), plus its path and primes;
#   * learn_s: `mhla learn` end to end (parse, solve, head recovery, exact model check, write),
#     wall time (/usr/bin/time), for d <= LEARN_E2E_MAX_D (default 16; head recovery is the
#     multi-modular rank factorisation, 0.05 s at d = 16);
#   * numpy_s: NumPy float64 np.linalg.lstsq(Phi, Y) on the same matrix, all coordinates in one
#     call, OPENBLAS_NUM_THREADS=${NUMPY_THREADS:-1} (mhla is single-threaded; the machine is shared);
#   * flint_s: FLINT 2.9 exact normal equations (fmpz_mat_mul for Phi^T Phi and Phi^T Y, then
#     fmpq_mat_solve_fmpz_mat_dixon), all coordinates, for d <= FLINT_MAX_D (default 16);
#   * w bits: the largest numerator / denominator bit size of the exact weights.
# Ratios: solve / numpy, solve / flint (below 1: mhla is faster).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${MHLA_BENCH_BUILD:-build/bench-learn}
here=bench/learn
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null  # only the mhla target is built
cmake --build "$build" -j"$(nproc)" --target mhla >/dev/null
mhla=$build/mhla
libs=""
for l in io heads learn heads linalg modp arith; do libs="$libs $build/libmhla_$l.a"; done  # + zlib for io (npz)
g++ -O2 -std=c++20 -Iinclude $here/bench_learn_solve.cpp $libs -lgmp -lmpfr -lcrypto -lz -o "$build/bench_learn_solve"
g++ -O2 -std=c++20 $here/flint_solve.cpp -lflint -lgmp -o "$build/bench_learn_flint"
[ $# -gt 0 ] || set -- 4 8 12 16
e2e_max_d=${LEARN_E2E_MAX_D:-16}
flint_max_d=${FLINT_MAX_D:-16}
export OPENBLAS_NUM_THREADS=${NUMPY_THREADS:-1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

seconds_of() {  # "Elapsed (wall clock) time (h:mm:ss or m:ss): 1:02.50" -> 62.50
  awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.2f", s}' "$1"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'; }

echo "machine: $(nproc) cores; $(/usr/bin/python3 -c 'import numpy; print("numpy", numpy.__version__)'), OPENBLAS_NUM_THREADS=$OPENBLAS_NUM_THREADS; FLINT 2.9"
printf '%3s %5s %5s | %8s %-11s %6s | %8s | %8s %7s | %8s %7s | %9s %9s\n' \
  d D rows solve_s path primes learn_s numpy_s sol/np flint_s sol/fl w_bits fl_bits
for d in "$@"; do
  D=$((d * d * (d + 1) / 2))
  N=$((2 * D))
  data=$tmp/d$d.json
  "$mhla" -q generate random --d "$d" --heads 2 --tokens 3 --samples "$N" --seed $((20261129 + d)) --entries int:2 \
    --model-out "$tmp/m$d.json" -o "$data"
  read -r _ _ _ solve_s _ _ _ _ _ _ _ nb _ db _ path _ primes < <("$build/bench_learn_solve" "$data" --no-heads)
  learn_s=skipped
  if [ "$d" -le "$e2e_max_d" ]; then
    /usr/bin/time -v "$mhla" -q learn --dataset "$data" -o "$tmp/l$d.json" 2>"$tmp/time.txt" ||
      { echo "d=$d: mhla learn failed"; cat "$tmp/time.txt"; exit 1; }
    learn_s=$(seconds_of "$tmp/time.txt")
    "$mhla" -q equiv --model "$tmp/l$d.json" --model "$tmp/m$d.json" >/dev/null ||
      { echo "d=$d: the learned model is not equivalent to the generator"; exit 1; }
  fi
  read -r _ rows _ _ _ _ _ np_s _ _ _ _ < <(/usr/bin/python3 $here/numpy_lstsq.py "$data" --dump "$tmp/p")
  fl_s=skipped fl_bits=-
  if [ "$d" -le "$flint_max_d" ]; then
    read -r _ fl_s _ _ _ _ _ fnb _ fdb < <("$build/bench_learn_flint" "$tmp/p" "$rows" "$D" "$d")
    fl_bits="$fnb/$fdb"
  fi
  rm -f "$tmp/p.phi" "$tmp/p.y"
  printf '%3s %5s %5s | %8s %-11s %6s | %8s | %8s %7s | %8s %7s | %9s %9s\n' "$d" "$D" "$rows" "$solve_s" "$path" "$primes" \
    "$learn_s" "$np_s" "$(ratio "$solve_s" "$np_s")" "$fl_s" "$( [ "$fl_s" = skipped ] && echo - || ratio "$solve_s" "$fl_s")" \
    "$nb/$db" "$fl_bits"
done
