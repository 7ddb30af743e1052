// SPDX-License-Identifier: MIT
// Each common slip constructed in NumPy, in float32 and float64, and recognised by name through
// the real binary (proofs-notes/09-crosscheck.md, Lemmas X2-X4).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "cli/cli_harness.hpp"

namespace {

using nlohmann::json;

bool python_numpy_available() { return std::system("/usr/bin/python3 -c 'import numpy' > /dev/null 2>&1") == 0; }

}  // namespace

TEST_CASE("Lemma X2: NumPy slips in float32 and float64 are recognised by name", "[cli][crosscheck][python]") {
  if (!python_numpy_available()) {
    WARN("skipped: /usr/bin/python3 with numpy is not available");
    return;
  }
  mhla_test::TempDir dir;
  const std::string script = R"PY(
import sys, numpy as np
o = sys.argv[1] + "/"
rng = np.random.default_rng(31)
H, d, n, N = 2, 3, 5, 4
V = rng.standard_normal((H, d, d)); Q = rng.standard_normal((H, d, d)); Z = rng.standard_normal((N, n, d))
np.savez(o + "m.npz", V=V, Q=Q, causal=np.array(True)); np.savez(o + "i.npz", Z=Z, causal=np.array(True))
def mhla(V, Q, Z, dt, diagonal=0, scale=1.0):
    V, Q, Z = V.astype(dt), Q.astype(dt), Z.astype(dt)
    Y = np.zeros(Z.shape, dtype=dt)
    for i in range(N):
        X = Z[i]
        for h in range(H):
            S = np.tril((X @ Q[h].T) @ X.T, diagonal)   # S[b, m] = z_m^T Q z_b (m <= b)
            Y[i] += (S @ X) @ V[h].T
        Y[i] *= dt(scale)
    return Y
def bf16(x):  # float32 rounded to 8 significand bits (bfloat16), nearest even, kept as float32
    b = np.asarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    b = (b + 0x7FFF + ((b >> 16) & 1)) & 0xFFFF0000
    return b.astype(np.uint32).view(np.float32)
for dt, tag in ((np.float32, "32"), (np.float64, "64")):
    np.savez(o + "sqrt_d" + tag + ".npz", Y=mhla(V, Q, Z, dt, scale=1 / np.sqrt(d)))
    np.savez(o + "mask" + tag + ".npz", Y=mhla(V, Q, Z, dt, diagonal=-1))
    np.savez(o + "tv" + tag + ".npz", Y=mhla(V.transpose(0, 2, 1), Q, Z, dt))
    Y = mhla(V, Q, Z, dt); Y[2, 3, 1] += dt(0.5) * abs(Y[2, 3, 1]) + dt(1)
    np.savez(o + "one" + tag + ".npz", Y=Y)
np.savez(o + "f32as64.npz", Y=mhla(V, Q, Z, np.float32).astype(np.float64))
np.savez(o + "bf16as32.npz", Y=bf16(mhla(V, Q, Z, np.float32)))
)PY";
  REQUIRE(std::system(("/usr/bin/python3 " + dir.write("gen.py", script) + " " + dir.file("")).c_str()) == 0);
  auto explained = [&](const std::string& file, const std::string& what, const std::vector<std::string>& more = {}) {
    std::vector<std::string> args{"crosscheck", "--model", dir.file("m.npz"), "--input", dir.file("i.npz"), "--outputs", dir.file(file)};
    args.insert(args.end(), more.begin(), more.end());
    const mhla_test::RunResult r = mhla_test::run_mhla(args);
    INFO(file << ": " << r.err);
    REQUIRE(r.status == 1);
    const json doc = json::parse(r.out);
    INFO(doc["explanations"].dump());
    CHECK(doc["explanations"].dump().find(what) != std::string::npos);
    return doc;
  };
  for (const std::string tag : {"32", "64"}) {
    const json s = explained("sqrt_d" + tag + ".npz", "c = 1/sqrt(3)");
    CHECK(s["constant_factor"]["exact"] == false);
    CHECK(s["constant_factor"]["decompositions"] == json::array({"1/sqrt(d) (d = 3)"}));
    explained("mask" + tag + ".npz", "a causal mask off by one");
    explained("tv" + tag + ".npz", "a transposed V");
    explained("one" + tag + ".npz", "a few isolated wrong entries (1 of 60, every other entry within its bound): sample 2 position 3 a 1");
  }
  explained("f32as64.npz", "within the float32 rounding bound", {});
  explained("f32as64.npz", "exactly a float32 number", {});
  explained("bf16as32.npz", "exactly a bfloat16 number", {});
  // Declared as what they are, they pass.
  CHECK(mhla_test::run_mhla({"-q", "crosscheck", "--model", dir.file("m.npz"), "--input", dir.file("i.npz"), "--outputs",
                             dir.file("bf16as32.npz"), "--dtype", "bfloat16", "-o", dir.file("x.json")})
            .status == 0);
}
