#!/bin/sh
# SPDX-License-Identifier: MIT
# Full-size runs of the paper's Figures 1 and 2 (defaults = the paper's settings), with wall time
# and peak memory from GNU time. Usage: bench/experiments/run-full.sh [MHLA_BINARY] [OUT_DIR]
# Results (CSV, PNG, markdown) go to OUT_DIR/heads and OUT_DIR/certificate; the JSON summaries
# and the progress logs next to them. Reference timings (2 shared cores, Release build):
# heads 1039 s, certificate 124 s (bench/experiments/results/README.md).
set -eu
MHLA=${1:-build/mhla}
OUT=${2:-experiment-results}
mkdir -p "$OUT"
run() {
  name=$1
  shift
  /usr/bin/time -f "$name: %e s wall, %M KiB peak RSS" "$MHLA" experiment "$name" --out-dir "$OUT/$name" "$@" \
    > "$OUT/$name.json" 2> "$OUT/$name.log"
  tail -n 1 "$OUT/$name.log"
}
run heads        # d in {2,4}, N in {512,2048}, T = 100, H in {1,2,4,8,16}, 500 epochs, 3 runs
run certificate  # m = 2 (embedding 4), N = 2^14, p = 0.95..1.00, H in {1,2,4,8}, 100 epochs
