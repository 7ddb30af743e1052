#!/bin/sh
# SPDX-License-Identifier: MIT
# Usage: bench/linalg/run_rank_bench.sh BENCH_BINARY [psi ...]   (default psi: 936 2176)
# Prints, per psi, mhla's streamed mod-p rank and certified rank, FLINT nmod_mat_rank and
# fmpz_mat_rank, and NumPy float64 matrix_rank, all on the same 2 psi x psi matrix.
set -e
bin=$1
shift
[ $# -gt 0 ] || set -- 936 2176
dir=$(dirname "$0")
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
for psi in "$@"; do
  "$bin" "$psi" --dump "$tmp" $( [ "$psi" -gt 2500 ] && echo --no-fmpz )
  /usr/bin/python3 "$dir/numpy_rank.py" "$psi" "$tmp"
  echo
done
