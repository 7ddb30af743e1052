#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# A float32 dataset the PyTorch way for the learn benchmark: a 2-head linear attention with
# float32 N(0, 1) weights V_h, Q_h, inputs Z with integer entries in [-2, 2] stored as float32
# (exact), n = 3 tokens, and targets computed IN FLOAT32 at the last position:
# y = sum_h V_h Z (Z^T Q_h z_b) (math.md, no 1/n factor), rounded at every float32 operation,
# so no model fits them exactly (agnostic). Written as .npz: Z (N, n, d), Y (N, d), float32.
# Usage: /usr/bin/python3 float32_dataset.py d N seed OUT.npz
import sys

import numpy as np

d, N, seed, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
n = 3
rng = np.random.default_rng(seed)
V = rng.standard_normal((2, d, d)).astype(np.float32)
Q = rng.standard_normal((2, d, d)).astype(np.float32)
Zt = rng.integers(-2, 3, size=(N, n, d)).astype(np.float32)  # file convention: Z[i] is n x d
Y = np.zeros((N, d), dtype=np.float32)
for i in range(N):
    Z = Zt[i].T  # d x n
    zb = Z[:, -1]
    y = np.zeros(d, dtype=np.float32)
    for h in range(2):
        y = y + V[h] @ (Z @ (Z.T @ (Q[h] @ zb)))
    Y[i] = y
assert Y.dtype == np.float32 and Zt.dtype == np.float32
np.savez(out, Z=Zt, Y=Y)
