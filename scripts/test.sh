#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds mhla and all tests twice and runs them through ctest: a Release build with warnings as
# errors, then a build under AddressSanitizer + UndefinedBehaviorSanitizer.
# MHLA_SKIP_SANITIZE=1 skips the second build (for quick local runs; CI always runs both).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

echo "== Release build, warnings as errors"
cmake -S . -B build/test-release -DCMAKE_BUILD_TYPE=Release -DMHLA_WERROR=ON >/dev/null
cmake --build build/test-release -j"$jobs"
ctest --test-dir build/test-release --output-on-failure -j"$jobs"

if [ "${MHLA_SKIP_SANITIZE:-0}" != 1 ]; then
  echo "== AddressSanitizer + UndefinedBehaviorSanitizer build"
  # -O1 -g1 (assertions on): compiles 2-3x faster than -O2 -g and keeps file:line in reports.
  cmake -S . -B build/test-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DMHLA_SANITIZE=ON \
    -DMHLA_WERROR=ON >/dev/null
  cmake --build build/test-asan -j"$jobs"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build/test-asan --output-on-failure -j"$jobs"
fi
