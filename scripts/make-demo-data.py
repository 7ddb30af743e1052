#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the demo's bundled associative-memory datasets (data/demo/assoc-orthogonal.json and
data/demo/assoc-random.json), deterministically, in exact rational arithmetic.

Task (reference-paper-notes 5.1): embedding 4 = two 2-d keys k_1, k_2 with values v_1, v_2,
and a query token (q; zeta) with q one of the keys and zeta a fresh filler. Z has 3 tokens
(columns) (k_1; v_1), (k_2; v_2), (q; zeta). Targets: only the value coordinates 2, 3 of the
last position, equal to the exact output of the one-head model of data/demo/assoc-model.json,
sum_j <q, k_j> v_j + |q|^2 zeta (which includes the |q|^2 zeta term the paper's eq. 14 omits).
orthogonal: keys and values are the columns of exactly orthogonal rational matrices
(rotations and reflections by Pythagorean angles), as in the paper's non-identifiable data.
random: small integer keys and values."""
import json
import pathlib
import random
from fractions import Fraction as F

TRIPLES = [(3, 4, 5), (5, 12, 13), (8, 15, 17), (7, 24, 25), (20, 21, 29), (12, 35, 37), (9, 40, 41)]


def orthogonal(rng):
    a, b, c = rng.choice(TRIPLES)
    if rng.random() < 0.5:
        a, b = b, a
    cs, sn = F(a, c) * rng.choice([1, -1]), F(b, c) * rng.choice([1, -1])
    if rng.random() < 0.5:  # rotation
        return [[cs, -sn], [sn, cs]]
    return [[cs, sn], [sn, -cs]]  # reflection


def small(rng):
    return F(rng.randint(-3, 3))


def sample(rng, keys_orthogonal):
    if keys_orthogonal:
        K, V = orthogonal(rng), orthogonal(rng)
        keys = [[K[0][j], K[1][j]] for j in range(2)]
        vals = [[V[0][j], V[1][j]] for j in range(2)]
    else:
        keys = [[small(rng), small(rng)] for _ in range(2)]
        vals = [[small(rng), small(rng)] for _ in range(2)]
    q = keys[rng.randrange(2)]
    zeta = [F(rng.randint(-4, 4), rng.randint(1, 3)) for _ in range(2)]
    tokens = [k + v for k, v in zip(keys, vals)] + [q + zeta]
    dot = lambda x, y: sum(a * b for a, b in zip(x, y))
    y = [sum(dot(q, keys[j]) * vals[j][i] for j in range(2)) + dot(q, q) * zeta[i] for i in range(2)]
    text = lambda x: str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"
    Z = [[text(tokens[t][r]) for t in range(3)] for r in range(4)]
    return {"Z": Z, "y": [None, None, text(y[0]), text(y[1])]}


def write(path, keys_orthogonal, count, seed, description):
    rng = random.Random(seed)
    doc = {"format": "mhla-dataset", "version": 1, "d": 4, "causal": False, "description": description,
           "samples": [sample(rng, keys_orthogonal) for _ in range(count)]}
    lines = ",\n  ".join(json.dumps(s, separators=(", ", ": ")) for s in doc.pop("samples"))
    head = json.dumps(doc)[:-1]
    pathlib.Path(path).write_text(head + ',\n "samples": [\n  ' + lines + "\n ]}\n")


root = pathlib.Path(__file__).resolve().parent.parent / "data" / "demo"
write(root / "assoc-orthogonal.json", True, 120, 2024,
      "Associative memory, embedding 4, exactly orthonormal rational keys and values (written by scripts/make-demo-data.py).")
write(root / "assoc-random.json", False, 120, 2025,
      "Associative memory, embedding 4, random small integer keys and values (written by scripts/make-demo-data.py).")
