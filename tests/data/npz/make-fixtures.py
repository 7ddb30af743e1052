#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Writes the tiny committed .npz fixtures of tests/io/npz_test.cpp (run from this folder with
# /usr/bin/python3; numpy). The values are chosen so that the test states them exactly.
import numpy as np

# Dataset, stored entries (np.savez), float64: Z[i, t, k] = (6 i + 2 t + k) / 4 - 1, Y (N, d).
Z = (np.arange(12, dtype=np.float64).reshape(2, 3, 2) / 4) - 1
Y = np.array([[0.5, -2.0], [1e-3, 3.0]])
np.savez("dataset_f64.npz", Z=Z, Y=Y)
# Dataset, deflated entries (np.savez_compressed), float32 Z, float16 Y at every position, causal.
np.savez_compressed("dataset_f32_all.npz", Z=np.array([[[0.1, 1.0], [-2.5, 3.0]]], dtype=np.float32),
                    Y=np.array([[[0.1, 65504.0], [6e-8, -1.0]]], dtype=np.float16), causal=np.array(True))
# Model: V int64, Q int8 in Fortran order, H = 2, d = 2.
V = np.array([[[1, 2], [3, 4]], [[-1, 0], [0, 5]]], dtype=np.int64)
Q = np.asfortranarray(np.array([[[0, 1], [1, 0]], [[2, -3], [4, -128]]], dtype=np.int8))
np.savez("model_int.npz", V=V, Q=Q)
