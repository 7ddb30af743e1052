#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Release build of mhla into build/release (the binary is build/release/mhla).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DMHLA_TESTS=OFF >/dev/null
cmake --build build/release -j"$(nproc)" --target mhla
