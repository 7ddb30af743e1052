#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Writes an mhla dataset for the certify benchmark: N = 2 psi samples (psi = d^2 (d+1) / 2) of
# n = 3 tokens with entries in [-3, 3], targets at the last position computed exactly from a
# random model with 2 heads and entries in [-2, 2] (math.md: Y = sum_h V_h Z (Z^T Q_h Z)).
# Deterministic: the same d and seed give the same file.
# Usage: /usr/bin/python3 make_dataset.py d OUT.json [--seed S]
import random
import sys


def main():
    d = int(sys.argv[1])
    out = sys.argv[2]
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 20261129
    rng = random.Random(seed * 1000 + d)
    n, heads = 3, 2
    psi = d * d * (d + 1) // 2
    model = [([[rng.randint(-2, 2) for _ in range(d)] for _ in range(d)],
              [[rng.randint(-2, 2) for _ in range(d)] for _ in range(d)]) for _ in range(heads)]
    with open(out, "w") as f:
        f.write('{"format": "mhla-dataset", "version": 1, "d": %d, "causal": false,\n "samples": [\n' % d)
        for s in range(2 * psi):
            Z = [[rng.randint(-3, 3) for _ in range(n)] for _ in range(d)]
            b = n - 1
            G = [[sum(Z[j][t] * Z[k][t] for t in range(n)) for k in range(d)] for j in range(d)]  # Z Z^T
            y = [0] * d
            for V, Q in model:  # y_b = sum_h V_h (Z Z^T) Q_h z_b
                qz = [sum(Q[k][l] * Z[l][b] for l in range(d)) for k in range(d)]
                gqz = [sum(G[j][k] * qz[k] for k in range(d)) for j in range(d)]
                for a in range(d):
                    y[a] += sum(V[a][j] * gqz[j] for j in range(d))
            f.write('  {"Z": %s, "targets": [{"position": %d, "y": %s}]}%s\n'
                    % (Z, b, y, "," if s + 1 < 2 * psi else ""))
        f.write(" ]}\n")


main()
