# SPDX-License-Identifier: MIT
# NumPy float64 matrix_rank on the matrix written by `bench_rank_mod_p psi --dump FILE`.
# Usage: /usr/bin/python3 numpy_rank.py psi FILE
import sys
import time

import numpy as np

psi = int(sys.argv[1])
A = np.fromfile(sys.argv[2], dtype="<i8").reshape(2 * psi, psi).astype(np.float64)
t = time.perf_counter()
r = np.linalg.matrix_rank(A)
print(f"numpy float64 matrix_rank     rank {r}  {time.perf_counter() - t:.3f} s")
