#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# The learn benchmark's float peer: builds the design matrix Phi (N x D, math.md canonical order,
# non-causal, one target per sample at the "y" position = last token) and the targets Y (N x d)
# of an integer mhla dataset, times NumPy float64 np.linalg.lstsq(Phi, Y) (all d coordinates in
# one call, as `mhla learn` solves them), and optionally dumps Phi and Y as little-endian int64
# for the FLINT peer (flint_solve.cpp).
# Usage: /usr/bin/python3 numpy_lstsq.py DATASET.json [--dump PREFIX]
# Prints: "rows N cols D coords d numpy_s T max_abs_w W blas NAME"
import json
import sys
import time

import numpy as np

ds = json.load(open(sys.argv[1]))
d = ds["d"]
if ds.get("causal"):
    sys.exit("numpy_lstsq.py: causal datasets are not supported by this benchmark")
Zs, Ys = [], []
for s in ds["samples"]:
    Zs.append([[int(x) for x in row] for row in s["Z"]])
    Ys.append([int(x) for x in s["y"]])
Z = np.array(Zs, dtype=np.int64)  # N x d x n
Y = np.array(Ys, dtype=np.int64)  # N x d
G = np.einsum("sjt,skt->sjk", Z, Z)
z = Z[:, :, -1]
iu = np.triu_indices(d)  # pairs (j, k), j <= k, lexicographic: the canonical order
Phi = (G[:, iu[0], iu[1]][:, :, None] * z[:, None, :]).reshape(len(Zs), -1)
if "--dump" in sys.argv:
    prefix = sys.argv[sys.argv.index("--dump") + 1]
    Phi.astype("<i8").tofile(prefix + ".phi")
    Y.astype("<i8").tofile(prefix + ".y")
A, B = Phi.astype(np.float64), Y.astype(np.float64)
t = time.perf_counter()
W, *_ = np.linalg.lstsq(A, B, rcond=None)
seconds = time.perf_counter() - t
with open("/proc/self/maps") as maps:
    libs = {line.split()[-1].rsplit("/", 1)[-1] for line in maps if "blas" in line}
blas = "openblas" if any("openblas" in lib for lib in libs) else ("reference" if libs else "unknown")
print(f"rows {Phi.shape[0]} cols {Phi.shape[1]} coords {d} numpy_s {seconds:.3f} max_abs_w {np.abs(W).max():.3f} blas {blas}")
