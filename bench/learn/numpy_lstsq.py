#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# The learn benchmark's float peer: builds the design matrix Phi (N x D, math.md canonical order,
# non-causal, one target per sample at the last token) and the targets Y (N x d) of a dataset
# with integer inputs (mhla JSON with integer or rational targets, or .npz with Z (N, n, d) and
# Y (N, d), float32 or float64, inputs integer-valued), times NumPy float64
# np.linalg.lstsq(Phi, Y) (all d coordinates in one call, as `mhla learn` solves them), and
# optionally dumps Phi (little-endian int64) and L Y (decimal integers, L = the least common
# denominator of the targets) for the FLINT peer (flint_solve.cpp).
# Usage: /usr/bin/python3 numpy_lstsq.py DATASET [--dump PREFIX]
# Prints: "rows N cols D coords d numpy_s T max_abs_w W blas NAME y_den_bits B"
import json
import math
import sys
import time
from fractions import Fraction

import numpy as np

path = sys.argv[1]
with open(path, "rb") as f:
    magic = f.read(4)
if magic == b"PK\x03\x04":
    npz = np.load(path)
    Zf = npz["Z"]  # N x n x d
    if not np.all(Zf == np.round(Zf)):
        sys.exit("numpy_lstsq.py: the benchmark needs integer-valued inputs")
    Z = np.transpose(Zf.astype(np.int64), (0, 2, 1))  # N x d x n
    Yq = [[Fraction(float(v)) for v in row] for row in npz["Y"]]
else:
    ds = json.load(open(path))
    if ds.get("causal"):
        sys.exit("numpy_lstsq.py: causal datasets are not supported by this benchmark")
    Z = np.array([[[int(x) for x in row] for row in s["Z"]] for s in ds["samples"]], dtype=np.int64)
    Yq = [[Fraction(x) for x in s["y"]] for s in ds["samples"]]
N, d = Z.shape[0], Z.shape[1]
G = np.einsum("sjt,skt->sjk", Z, Z)
z = Z[:, :, -1]
iu = np.triu_indices(d)  # pairs (j, k), j <= k, lexicographic: the canonical order
Phi = (G[:, iu[0], iu[1]][:, :, None] * z[:, None, :]).reshape(N, -1)
L = 1
for row in Yq:
    for y in row:
        L = L * y.denominator // math.gcd(L, y.denominator)
if "--dump" in sys.argv:
    prefix = sys.argv[sys.argv.index("--dump") + 1]
    Phi.astype("<i8").tofile(prefix + ".phi")
    with open(prefix + ".y", "w") as f:
        for row in Yq:
            f.write(" ".join(str(int(y * L)) for y in row) + "\n")
A = Phi.astype(np.float64)
B = np.array([[float(y) for y in row] for row in Yq], dtype=np.float64)
t = time.perf_counter()
W, *_ = np.linalg.lstsq(A, B, rcond=None)
seconds = time.perf_counter() - t
with open("/proc/self/maps") as maps:
    libs = {line.split()[-1].rsplit("/", 1)[-1] for line in maps if "blas" in line}
blas = "openblas" if any("openblas" in lib for lib in libs) else ("reference" if libs else "unknown")
print(f"rows {N} cols {Phi.shape[1]} coords {d} numpy_s {seconds:.3f} max_abs_w {np.abs(W).max():.3f} blas {blas} "
      f"y_den_bits {L.bit_length()}")
