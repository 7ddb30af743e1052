#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Soundness soak for `mhla certify` and `mhla verify`.

Each trial draws a small random dataset with a planted kind of deficiency (or none), runs
`mhla certify`, and compares every coordinate's verdict and (exact) rank with an independent
computation: the design matrix built here from docs/spec/math.md with Python's fractions and
its rank by plain Gaussian elimination over Q. The genuine certificate must be VALID under
`mhla verify`. Then the certificate is corrupted once or more; for every corruption this
script decides independently whether the corrupted certificate is still true (for instance a
changed witness row whose minor happens to be nonzero mod p with the same residue), and a
corruption decided false must be INVALID. Corruptions whose truth this script cannot decide
are counted and skipped, never guessed.

Prints one line per 100 trials and a closing line "N passed, M failed"; exits 1 on any false
verdict, rejected genuine certificate or accepted false corruption. Shares nothing with the
engine or the checker but the file formats.

  /usr/bin/python3 bench/soak/soak.py --binary build/release/mhla --trials 10000 --seed 1
"""
import argparse
import copy
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
from fractions import Fraction

KINDS = ["generic", "few-rows", "repeated", "subspace", "single-token", "causal", "nulls", "one-hot"]


def features(Z, b, causal):
    """phi(Z, b)[(j,k,l)] = G[j][k] Z[l][b], j <= k, lexicographic (math.md)."""
    d, n = len(Z), len(Z[0])
    last = b + 1 if causal else n
    G = [[sum(Z[j][t] * Z[k][t] for t in range(last)) for k in range(d)] for j in range(d)]
    return [G[j][k] * Z[l][b] for j in range(d) for k in range(j, d) for l in range(d)]


def design(ds, a):
    rows = []
    for s in ds["samples"]:
        for pos, y in targets(s):
            if y[a] is not None:
                rows.append(features(s["Zq"], pos, ds["causal"]))
    return rows


def targets(s):
    n = len(s["Zq"][0])
    if "y" in s:
        return [(n - 1, s["yq"])]
    return [(t["position"], t["yq"]) for t in s.get("targetsq", [])]


def rank(rows):
    m = [list(r) for r in rows]
    r = 0
    cols = len(m[0]) if m else 0
    for c in range(cols):
        p = next((i for i in range(r, len(m)) if m[i][c] != 0), None)
        if p is None:
            continue
        m[r], m[p] = m[p], m[r]
        for i in range(r + 1, len(m)):
            if m[i][c] != 0:
                f = m[i][c] / m[r][c]
                m[i] = [x - f * y for x, y in zip(m[i], m[r])]
        r += 1
    return r


def det(rows):
    m = [list(r) for r in rows]
    n = len(m)
    result = Fraction(1)
    for c in range(n):
        p = next((i for i in range(c, n) if m[i][c] != 0), None)
        if p is None:
            return Fraction(0)
        if p != c:
            m[c], m[p] = m[p], m[c]
            result = -result
        result *= m[c][c]
        for i in range(c + 1, n):
            if m[i][c] != 0:
                f = m[i][c] / m[c][c]
                m[i] = [x - f * y for x, y in zip(m[i], m[c])]
    return result


def is_prime(p):
    if p < 2:
        return False
    for q in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
        if p % q == 0:
            return p == q
    d, s = p - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for a in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):  # deterministic below 3.3e24
        x = pow(a, d, p)
        if x in (1, p - 1):
            continue
        for _ in range(s - 1):
            x = x * x % p
            if x == p - 1:
                break
        else:
            return False
    return True


def minor_claim_true(rows_of_phi, rows, prime, residue, columns=None):
    """det(Phi[rows, columns]) mod prime == residue != 0, prime prime, no denominator divisible."""
    if not is_prime(prime) or len(set(rows)) != len(rows) or any(r < 0 or r >= len(rows_of_phi) for r in rows):
        return False
    sub = [[rows_of_phi[r][c] for c in (columns if columns is not None else range(len(rows_of_phi[0])))] for r in rows]
    if len(sub) != len(sub[0]):
        return False
    value = det(sub)
    if value.denominator % prime == 0 or any(x.denominator % prime == 0 for row in sub for x in row):
        return False
    reduced = value.numerator * pow(value.denominator, -1, prime) % prime
    return reduced == residue % prime and reduced != 0


def draw_dataset(rng, kind):
    d = rng.choice([1, 2, 2, 3, 3])
    D = d * d * (d + 1) // 2
    causal = kind == "causal"
    n = 1 if kind == "single-token" else rng.randint(2, 4)
    N = {"few-rows": rng.randint(1, max(1, D - 1))}.get(kind, rng.randint(D, 2 * D + 2))
    basis = [[rng.randint(-2, 2) for _ in range(d)] for _ in range(max(1, d - 1))]

    def token():
        if kind == "one-hot":
            e = [0] * d
            e[rng.randrange(d)] = 1
            return e
        if kind == "subspace" and d > 1:
            c = [rng.randint(-2, 2) for _ in basis]
            return [sum(ci * bi[j] for ci, bi in zip(c, basis)) for j in range(d)]
        return [rng.choice([rng.randint(-3, 3), Fraction(rng.randint(-3, 3), rng.randint(1, 3))]) for _ in range(d)]

    samples = []
    while len(samples) < N:
        Zt = [token() for _ in range(n)]
        Z = [[Fraction(Zt[t][j]) for t in range(n)] for j in range(d)]
        s = {"Zq": Z}
        if causal:
            s["targetsq"] = [{"position": b, "yq": [Fraction(rng.randint(-5, 5)) for _ in range(d)]} for b in range(n)]
        else:
            s["y"] = True
            s["yq"] = [Fraction(rng.randint(-5, 5)) for _ in range(d)]
            if kind == "nulls":
                s["yq"] = [None if rng.random() < 0.3 else v for v in s["yq"]]
        samples.append(s)
        if kind == "repeated" and len(samples) < N:
            samples.append(copy.deepcopy(s))
    return {"d": d, "causal": causal, "samples": samples}


def text(q):
    return None if q is None else (str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}")


def dataset_json(ds):
    out = {"format": "mhla-dataset", "version": 1, "d": ds["d"], "causal": ds["causal"], "samples": []}
    for s in ds["samples"]:
        o = {"Z": [[text(x) for x in row] for row in s["Zq"]]}
        if "y" in s:
            o["y"] = [text(v) for v in s["yq"]]
        else:
            o["targets"] = [{"position": t["position"], "y": [text(v) for v in t["yq"]]} for t in s["targetsq"]]
        out["samples"].append(o)
    return json.dumps(out)


def run(binary, args):
    return subprocess.run([binary] + args, capture_output=True, text=True, timeout=600)


def verify(binary, data_path, cert, workdir, name):
    path = os.path.join(workdir, name)
    with open(path, "w") as f:
        json.dump(cert, f)
    r = run(binary, ["--quiet", "verify", "--dataset", data_path, "--certificate", path])
    return r.stdout.strip(), r.returncode


def q(x):
    return Fraction(x) if not isinstance(x, str) or "/" not in x else Fraction(int(x.split("/")[0]), int(x.split("/")[1]))


def mutations(rng, cert, phis, sha):
    """Yields (description, corrupted certificate, decided) with decided True (still true),
    False (now false) or None (undecidable here: skipped)."""
    coords = [c for c in cert["coordinates"] if c.get("observed", True)]
    if not coords:
        return
    c = rng.choice(coords)
    i = cert["coordinates"].index(c)
    phi = phis[c["a"]]
    D = cert["feature_dim"]
    exact_rank = "rank_upper_bound" not in c

    def with_coord(f):
        m = copy.deepcopy(cert)
        f(m["coordinates"][i])
        return m

    m = with_coord(lambda x: x.__setitem__("identifiable", not x["identifiable"]))
    yield "identifiable flipped", m, False
    if exact_rank:
        delta = rng.choice([-1, 1])
        if 0 <= c["rank"] + delta:
            yield f"rank {delta:+d}", with_coord(lambda x: x.__setitem__("rank", x["rank"] + delta)), False
    m = copy.deepcopy(cert)
    m["dataset_sha256"] = ("0" if sha[0] != "0" else "1") + sha[1:]
    yield "dataset_sha256 changed", m, False
    w = c.get("witness", {})
    if w.get("type") == "nonzero-minor":
        p = int(w["prime"])
        m = with_coord(lambda x: x["witness"].__setitem__("minor_mod_prime", str((int(w["minor_mod_prime"]) + 1) % p)))
        yield "minor residue +1", m, minor_claim_true(phi, w["rows"], p, (int(w["minor_mod_prime"]) + 1) % p)
        new_p = p + 2
        m = with_coord(lambda x: x["witness"].__setitem__("prime", str(new_p)))
        yield "prime + 2", m, minor_claim_true(phi, w["rows"], new_p, int(w["minor_mod_prime"]))
        if len(phi) > D:
            k = rng.randrange(D)
            rows = list(w["rows"])
            rows[k] = rng.choice([r for r in range(len(phi)) if r not in rows])
            decided = minor_claim_true(phi, sorted(rows), p, int(w["minor_mod_prime"]))
            m = with_coord(lambda x: x["witness"].__setitem__("rows", sorted(rows)))
            yield "witness row replaced", m, decided
    elif w.get("type") == "kernel-vector":
        v = [q(x) for x in w["vector"]]
        k = rng.randrange(len(v))
        v2 = list(v)
        v2[k] += rng.choice([1, -1, Fraction(1, 2)])
        in_kernel = all(sum(a * b for a, b in zip(row, v2)) == 0 for row in phi)
        m = with_coord(lambda x: x["witness"].__setitem__("vector", [text(t) for t in v2]))
        yield "kernel vector entry changed", m, (None if in_kernel else False)
        m = with_coord(lambda x: x["witness"].__setitem__("vector", ["0"] * len(v)))
        yield "kernel vector zeroed", m, False


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binary", required=True)
    ap.add_argument("--trials", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    counts = {"trials": 0, "coordinates": 0, "false_verdicts": 0, "genuine_rejected": 0, "corruptions": 0,
              "corruptions_rejected": 0, "corruptions_still_true": 0, "corruptions_undecided": 0,
              "false_accepted": 0, "true_rejected": 0}
    failures = []
    with tempfile.TemporaryDirectory(prefix="mhla-soak-") as work:
        for trial in range(args.trials):
            kind = KINDS[trial % len(KINDS)]
            ds = draw_dataset(rng, kind)
            data_path = os.path.join(work, "data.json")
            body = dataset_json(ds)
            with open(data_path, "w") as f:
                f.write(body)
            sha = hashlib.sha256(body.encode()).hexdigest()
            cert_path = os.path.join(work, "cert.json")
            r = run(args.binary, ["--quiet", "certify", "--dataset", data_path, "-o", cert_path])
            if r.returncode not in (0, 1):
                failures.append(f"trial {trial} ({kind}): certify exit {r.returncode}: {r.stderr.strip()}")
                continue
            with open(cert_path) as f:
                cert = json.load(f)
            phis = {a: design(ds, a) for a in range(ds["d"])}
            D = ds["d"] ** 2 * (ds["d"] + 1) // 2
            for c in cert["coordinates"]:
                if not c.get("observed", True):
                    continue
                counts["coordinates"] += 1
                true_rank = rank(phis[c["a"]]) if phis[c["a"]] else 0
                wrong = c["identifiable"] != (true_rank == D)
                if "rank_upper_bound" in c:
                    wrong |= not (c["rank"] <= true_rank <= c["rank_upper_bound"])
                else:
                    wrong |= c["rank"] != true_rank
                if wrong:
                    counts["false_verdicts"] += 1
                    failures.append(f"trial {trial} ({kind}): a = {c['a']}: certificate says identifiable "
                                    f"{c['identifiable']} rank {c['rank']}, exact rank {true_rank} of D = {D}")
            out, status = verify(args.binary, data_path, cert, work, "genuine.json")
            if out != "VALID":
                counts["genuine_rejected"] += 1
                failures.append(f"trial {trial} ({kind}): genuine certificate rejected: {out}")
            for desc, corrupted, still_true in mutations(rng, cert, phis, sha):
                counts["corruptions"] += 1
                if still_true is None:
                    counts["corruptions_undecided"] += 1
                    continue
                out, status = verify(args.binary, data_path, corrupted, work, "corrupted.json")
                if still_true:
                    counts["corruptions_still_true"] += 1
                    if os.environ.get("SOAK_DEBUG"):
                        print(f"still true: trial {trial} ({kind}): {desc}", file=sys.stderr)
                    if out != "VALID":
                        counts["true_rejected"] += 1
                        failures.append(f"trial {trial} ({kind}): {desc}: still true, but {out}")
                elif out == "VALID":
                    counts["false_accepted"] += 1
                    failures.append(f"trial {trial} ({kind}): {desc}: false certificate accepted")
                else:
                    counts["corruptions_rejected"] += 1
            counts["trials"] += 1
            if (trial + 1) % 100 == 0:
                print(f"soak: {trial + 1} trials, {counts['false_verdicts']} false verdicts, "
                      f"{counts['false_accepted']} false certificates accepted", file=sys.stderr, flush=True)
    for line in failures[:20]:
        print("FAIL: " + line)
    print("soak: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    failed = len(failures)
    print(f"soak: {counts['trials'] - min(failed, counts['trials'])} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
