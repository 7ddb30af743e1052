#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: bash bench/heads/bench_rank_factorisation.sh [old_max_d] [d ...]   (defaults 12; 8 12 16)
# Head recovery before/after Lemma H7 (proofs-notes/07-heads.md): heads_from_weights (multi-modular
# rank factorisation) against the previous path (Gauss-Jordan over Q + weights(model) == W), and
# rank_factorisation on a planted rank-n/2 matrix; seconds per run (old_* = -1: not run).
# Builds the heads library in build/bench-heads and compiles bench_rank_factorisation.cpp against it.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${MHLA_BENCH_BUILD:-build/bench-heads}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DMHLA_TESTS=OFF >/dev/null
cmake --build "$build" -j"${MHLA_BENCH_JOBS:-2}" --target mhla_heads >/dev/null
g++ -std=c++20 -O2 -DNDEBUG -Iinclude bench/heads/bench_rank_factorisation.cpp \
  "$build/libmhla_heads.a" "$build/libmhla_linalg.a" "$build/libmhla_modp.a" "$build/libmhla_arith.a" \
  -lmpfr -lgmp -o "$build/bench_rank_factorisation"
"$build/bench_rank_factorisation" "$@"
