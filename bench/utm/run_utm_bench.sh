#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: bash bench/utm/run_utm_bench.sh [Q S n_max T_max [max_machines]]
#        (default: the whole class Q = 2, S = 2, n <= 3, T <= 4, then Q = 1..3 small classes)
# Exhaustive verification of `mhla construct utm` (proofs-notes Lemmas T7, T9): every machine and
# every input, the exact autoregressive history against the simulator, token by token. Prints one
# line per (n, T): runs, tokens checked, mismatches (must be 0), d, H, history length, seconds.
# Builds the tasks library in build/bench-utm and compiles bench_utm_class.cpp against it.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${MHLA_BENCH_BUILD:-build/bench-utm}
# An existing build directory (e.g. MHLA_BENCH_BUILD=build/dev) is reused as configured.
[ -f "$build/CMakeCache.txt" ] || cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DMHLA_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target mhla_tasks >/dev/null
g++ -std=c++20 -O2 -DNDEBUG -Iinclude bench/utm/bench_utm_class.cpp \
  "$build/libmhla_tasks.a" "$build/libmhla_io.a" "$build/libmhla_linalg.a" "$build/libmhla_modp.a" \
  "$build/libmhla_arith.a" -lmpfr -lgmp -o "$build/bench_utm_class"
if [ $# -gt 0 ]; then
  time "$build/bench_utm_class" "$@"
else
  time "$build/bench_utm_class" 2 2 3 4
  time "$build/bench_utm_class" 1 3 3 4
  time "$build/bench_utm_class" 3 1 3 4
fi
