#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# NumPy float64 matrix_rank on the int64 matrix written by `bench_certify_peers DATASET --dump FILE`,
# and the BLAS NumPy actually loaded (Debian's NumPy takes whatever libblas.so.3 points to).
# Usage: /usr/bin/python3 numpy_rank.py ROWS COLS FILE   Prints: "numpy_rank r seconds t blas NAME"
import sys
import time

import numpy as np

rows, cols = int(sys.argv[1]), int(sys.argv[2])
A = np.fromfile(sys.argv[3], dtype="<i8").reshape(rows, cols).astype(np.float64)
t = time.perf_counter()
r = np.linalg.matrix_rank(A)
seconds = time.perf_counter() - t
with open("/proc/self/maps") as maps:
    libs = {line.split()[-1].rsplit("/", 1)[-1] for line in maps if "blas" in line}
blas = "openblas" if any("openblas" in lib for lib in libs) else ("reference" if libs else "unknown")
print(f"numpy_rank {r} seconds {seconds:.3f} blas {blas}")
