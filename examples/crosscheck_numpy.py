#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Cross-check a NumPy multi-head linear attention, written the PyTorch way, against mhla.

Copy this file and replace forward() by your own implementation. Usage:

    python3 crosscheck_numpy.py OUT_DIR
    mhla import --weights OUT_DIR/weights.npz --inverse-sqrt-dk --mean-heads --causal -o OUT_DIR/model.json
    mhla crosscheck --weights OUT_DIR/weights.npz --inverse-sqrt-dk --mean-heads --causal \\
        --input OUT_DIR/inputs.npz --outputs OUT_DIR/outputs64.npz      # exit 0: within rounding
    mhla crosscheck ... --outputs OUT_DIR/outputs32.npz                  # float32: also exit 0
    mhla crosscheck ... --outputs OUT_DIR/slip_sqrt_d.npz                # exit 1: c = 1/sqrt(d) named

Files written (every array in the layout mhla reads, interface.md):
  weights.npz    W_Q, W_K, W_V of shape (H, d_k, d) and W_O of shape (H, d, d_k)
  state_dict.npz the same weights as a state dict saved with np.savez: heads.<h>.W_Q, ...
  inputs.npz     Z of shape (N, n, d) (row t of Z[i] is token t)
  outputs64.npz, outputs32.npz   Y of shape (N, n, d): forward() in float64 and float32
  slip_sqrt_d.npz  forward() with an extra 1/sqrt(d) (d = 4: the authors' SGD scale 1/(H sqrt(d)))
  slip_mask.npz    forward() with the causal mask off by one (diagonal excluded)

The mapping mhla import applies (Lemma X5):  V_h = W_O,h W_V,h,  Q_h = s W_K,h^T W_Q,h,
s = 1/sqrt(d_k) * 1/H here (d_k = 4: 1/sqrt(d_k) = 1/2 is exact).
"""
import pathlib
import sys

import numpy as np

H, d, dk, n, N = 2, 4, 4, 5, 3


def forward(W_Q, W_K, W_V, W_O, Z, dt, extra=1.0, diagonal=0):
    """PyTorch-style causal linear attention: per head q = z W_Q^T, k = z W_K^T, v = z W_V^T,
    scores q k^T / sqrt(d_k) masked to m <= b (diagonal=-1: m < b), heads averaged, then W_O."""
    W_Q, W_K, W_V, W_O, Z = (a.astype(dt) for a in (W_Q, W_K, W_V, W_O, Z))
    Y = np.zeros(Z.shape, dtype=dt)
    for i in range(Z.shape[0]):
        X = Z[i]
        for h in range(W_Q.shape[0]):
            q, k, v = X @ W_Q[h].T, X @ W_K[h].T, X @ W_V[h].T
            S = np.tril(q @ k.T, diagonal) / dt(np.sqrt(W_Q.shape[1]))
            Y[i] += (S @ v) @ W_O[h].T
        Y[i] = Y[i] / dt(W_Q.shape[0]) * dt(extra)
    return Y


def main():
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(2024)
    W_Q, W_K, W_V = (rng.standard_normal((H, dk, d)) for _ in range(3))
    W_O = rng.standard_normal((H, d, dk))
    Z = rng.standard_normal((N, n, d))
    np.savez(out / "weights.npz", W_Q=W_Q, W_K=W_K, W_V=W_V, W_O=W_O)
    state = {}
    for h in range(H):
        for name, w in (("W_Q", W_Q), ("W_K", W_K), ("W_V", W_V), ("W_O", W_O)):
            state[f"heads.{h}.{name}"] = w[h]
    np.savez(out / "state_dict.npz", **state)
    np.savez(out / "inputs.npz", Z=Z, causal=np.array(True))
    np.savez(out / "outputs64.npz", Y=forward(W_Q, W_K, W_V, W_O, Z, np.float64))
    np.savez(out / "outputs32.npz", Y=forward(W_Q, W_K, W_V, W_O, Z, np.float32))
    np.savez(out / "slip_sqrt_d.npz", Y=forward(W_Q, W_K, W_V, W_O, Z, np.float64, extra=1 / np.sqrt(d)))
    np.savez(out / "slip_mask.npz", Y=forward(W_Q, W_K, W_V, W_O, Z, np.float64, diagonal=-1))


if __name__ == "__main__":
    main()
