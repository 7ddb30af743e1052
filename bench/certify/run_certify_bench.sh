#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: bash bench/certify/run_certify_bench.sh [d ...]        (default d: 4 8 12 16 20)
# Side by side, per d, on N = 2 psi samples (psi = D = d^2(d+1)/2) of n = 3 tokens from a random
# small-integer model, targets at the last position (make_dataset.py, fixed seed):
#   * `mhla certify` end to end (parse, stream, witness, write): wall time and peak RSS
#     (/usr/bin/time -v), and peak RSS over the mod-p basis (8 D stride bytes);
#   * `mhla verify` of that certificate (the independent checker);
#   * NumPy float64 np.linalg.matrix_rank on the same design matrix Phi_0 (integer here), with the
#     BLAS NumPy loaded (install libopenblas0-pthread: scripts/install-deps.sh);
#   * FLINT fmpz_mat_rank (exact) on the same integer matrix (skipped above FMPZ_MAX_D, default 16).
# Ratios: certify / numpy and certify / fmpz (below 1: certify is faster).
# Builds what it needs in build/bench (as scripts/bench.sh does).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${MHLA_BENCH_BUILD:-build/bench}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DMHLA_BENCH=ON -DMHLA_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target mhla bench_certify_peers >/dev/null
mhla=$build/mhla
peers=$build/bench/certify/bench_certify_peers
here=bench/certify
[ $# -gt 0 ] || set -- 4 8 12 16 20
fmpz_max_d=${FMPZ_MAX_D:-16}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

seconds_of() {  # "Elapsed (wall clock) time (h:mm:ss or m:ss): 1:02.50" -> 62.50
  awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.2f", s}' "$1"
}
rss_mb_of() { awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else printf "-" }'; }

echo "machine: $(nproc) cores; $(/usr/bin/python3 -c 'import numpy; print("numpy", numpy.__version__)')"
printf '%3s %6s | %9s %8s %7s %7s | %9s | %9s %8s | %9s %8s | %s\n' \
  d D certify_s rss_MB basisMB rss/bas verify_s numpy_s cert/np fmpz_s cert/fz blas
for d in "$@"; do
  data=$tmp/d$d.json
  /usr/bin/python3 $here/make_dataset.py "$d" "$data"
  status=0
  /usr/bin/time -v "$mhla" certify --dataset "$data" -o "$tmp/c$d.json" >/dev/null 2>"$tmp/time.txt" || status=$?
  [ "$status" -eq 0 ] || { echo "d=$d: mhla certify exit $status (expected 0: identifiable)"; cat "$tmp/time.txt"; exit 1; }
  cert_s=$(seconds_of "$tmp/time.txt")
  rss=$(rss_mb_of "$tmp/time.txt")
  /usr/bin/time -v "$mhla" verify --dataset "$data" --certificate "$tmp/c$d.json" >/dev/null 2>"$tmp/vtime.txt" ||
    { echo "d=$d: mhla verify rejected the certificate"; exit 1; }
  verify_s=$(seconds_of "$tmp/vtime.txt")
  fmpz_flag=""
  [ "$d" -le "$fmpz_max_d" ] || fmpz_flag=--no-fmpz
  read -r _ rows _ D _ fz_rank _ fz_s < <("$peers" "$data" --dump "$tmp/m.bin" $fmpz_flag)
  read -r _ np_rank _ np_s _ blas < <(/usr/bin/python3 $here/numpy_rank.py "$rows" "$D" "$tmp/m.bin")
  rm -f "$tmp/m.bin"
  [ "$np_rank" = "$D" ] || echo "d=$d: note: numpy float64 rank $np_rank differs from D = $D"
  [ "$fz_rank" = "-1" ] || [ "$fz_rank" = "$D" ] || echo "d=$d: FLINT rank $fz_rank differs from D = $D"
  basis=$(awk -v D="$D" 'BEGIN { printf "%.1f", 8 * D * int((D + 23) / 24) * 24 / 1048576 }')
  fz_show=$fz_s
  [ "$fz_rank" != "-1" ] || fz_show=skipped
  printf '%3s %6s | %9s %8s %7s %7s | %9s | %9s %8s | %9s %8s | %s\n' "$d" "$D" "$cert_s" "$rss" "$basis" \
    "$(ratio "$rss" "$basis")" "$verify_s" "$np_s" "$(ratio "$cert_s" "$np_s")" "$fz_show" \
    "$( [ "$fz_rank" = "-1" ] && echo - || ratio "$cert_s" "$fz_s")" "$blas"
done
