#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds and runs the benchmarks side by side in one run: exact vs binary64 for eval and
# features (bench/bench_core.cpp); also builds the rank benchmarks of bench/linalg (run them with
# bench/linalg/run_rank_bench.sh). Extra arguments go to Google Benchmark, e.g.
#   bash scripts/bench.sh --benchmark_filter='eval/'
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DMHLA_BENCH=ON -DMHLA_TESTS=OFF >/dev/null
cmake --build build/bench -j"$(nproc)" --target bench_core bench_rank_mod_p bench_kernel_multimodular
build/bench/bench/bench_core --benchmark_min_time=0.2 "$@"
