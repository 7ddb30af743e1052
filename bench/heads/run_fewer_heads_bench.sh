#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: bash bench/heads/run_fewer_heads_bench.sh [trials] [R] [H_max] [d_max]
#        (defaults: 10 trials, entries in [-R, R] = [-3, 3], H = 1..3, d = 2..5)
# Fewer heads (proofs-notes/07-heads.md): random models with H = 1, 2, 3 heads at d = 2..5, the
# paper's head count rank(even split) against the heads fewest_heads finds (every found model is
# checked exact: weights == W over Q), with the proven lower bound. Columns "AxN": value A in N runs.
# Builds the heads library in build/bench-heads and compiles bench_fewer_heads.cpp against it.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${MHLA_BENCH_BUILD:-build/bench-heads}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DMHLA_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target mhla_heads >/dev/null
g++ -std=c++20 -O2 -DNDEBUG -Iinclude bench/heads/bench_fewer_heads.cpp \
  "$build/libmhla_heads.a" "$build/libmhla_linalg.a" "$build/libmhla_modp.a" "$build/libmhla_arith.a" \
  -lmpfr -lgmp -o "$build/bench_fewer_heads"
"$build/bench_fewer_heads" "$@"
