// SPDX-License-Identifier: MIT
// mhla import (proofs-notes/09-crosscheck.md, Lemma X5) and examples/crosscheck_numpy.py through
// the real binary: a PyTorch-style NumPy implementation round-trips (its float64 and float32
// outputs pass against the imported model), its slips are named, a torch.save file is refused.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "cli/cli_harness.hpp"

namespace {

using nlohmann::json;

bool python_numpy_available() { return std::system("/usr/bin/python3 -c 'import numpy' > /dev/null 2>&1") == 0; }

mhla_test::RunResult run(const std::vector<std::string>& args) { return mhla_test::run_mhla(args); }

}  // namespace

TEST_CASE("Lemma X5: the NumPy example round-trips through mhla import and crosscheck; its slips are named",
          "[cli][crosscheck][import][python]") {
  if (!python_numpy_available()) {
    WARN("skipped: /usr/bin/python3 with numpy is not available");
    return;
  }
  mhla_test::TempDir dir;
  const std::string o = dir.file("ex");
  REQUIRE(std::system(("/usr/bin/python3 " + std::string(MHLA_SOURCE_DIR) + "/examples/crosscheck_numpy.py " + o).c_str()) == 0);
  const std::vector<std::string> scaling{"--inverse-sqrt-dk", "--mean-heads", "--causal"};
  auto with = [&](std::vector<std::string> a, const std::vector<std::string>& more) {
    a.insert(a.end(), more.begin(), more.end());
    return a;
  };
  const mhla_test::RunResult imp = run(with({"import", "--weights", o + "/weights.npz", "-o", o + "/model.json"}, scaling));
  INFO(imp.err);
  REQUIRE(imp.status == 0);
  const json model = json::parse(mhla_test::slurp(o + "/model.json"));
  CHECK(model["d"] == 4);
  CHECK(model["causal"] == true);
  CHECK(model["heads"].size() == 2);
  CHECK(!model.contains("approximate"));  // d_k = 4: 1/sqrt(d_k) = 1/2 exactly
  CHECK(model["description"].get<std::string>().find("s = 1/4") != std::string::npos);
  // The state-dict layout gives the same exact model.
  REQUIRE(run(with({"-q", "import", "--weights", o + "/state_dict.npz", "-o", o + "/model2.json"}, scaling)).status == 0);
  CHECK(json::parse(mhla_test::slurp(o + "/model2.json"))["heads"] == model["heads"]);

  auto check = [&](const std::string& outputs, const std::vector<std::string>& how, int status) {
    const mhla_test::RunResult r =
        run(with({"crosscheck", "--input", o + "/inputs.npz", "--outputs", o + "/" + outputs + ".npz"}, how));
    INFO(r.err);
    REQUIRE(r.status == status);
    return json::parse(r.out);
  };
  const std::vector<std::string> weights = with({"--weights", o + "/weights.npz"}, scaling);
  const std::vector<std::string> file{"--model", o + "/model.json"};
  CHECK(check("outputs64", weights, 0)["dtype"] == "float64");
  CHECK(check("outputs32", weights, 0)["dtype"] == "float32");
  // The imported model file has the same exact outputs (its X1 bound is for code that forms V_h
  // and Q_h first, so only the values are compared here).
  const json a = check("outputs64", weights, 0), b = check("outputs64", file, 0);
  REQUIRE(a["values"].size() == 60);
  for (std::size_t i = 0; i < 60; ++i) CHECK(a["values"][i]["exact"] == b["values"][i]["exact"]);
  CHECK(check("outputs64", weights, 0)["bound"].get<std::string>().find("Lemma X5") != std::string::npos);
  const json s = check("slip_sqrt_d", weights, 1);
  CHECK(s["constant_factor"]["c"] == "1/2");
  const json& dec = s["constant_factor"]["decompositions"];
  CHECK(std::find(dec.begin(), dec.end(), "1/sqrt(d) (d = 4)") != dec.end());
  CHECK(std::find(dec.begin(), dec.end(), "1/H (H = 2)") != dec.end());
  CHECK(std::find(dec.begin(), dec.end(), "1/sqrt(d_k) (d_k = 4)") != dec.end());
  CHECK(check("slip_mask", weights, 1)["explanations"].dump().find("a causal mask off by one") != std::string::npos);
}

TEST_CASE("Lemma X5: an irrational 1/sqrt(d_k) is rounded and labelled; torch.save and wrong shapes are refused",
          "[cli][crosscheck][import][python]") {
  if (!python_numpy_available()) {
    WARN("skipped: /usr/bin/python3 with numpy is not available");
    return;
  }
  mhla_test::TempDir dir;
  const std::string script = R"PY(
import sys, zipfile, numpy as np
o = sys.argv[1] + "/"
rng = np.random.default_rng(5)
H, dk, d, n, N = 3, 2, 3, 4, 2
W_Q, W_K, W_V = (rng.standard_normal((H, dk, d)) for _ in range(3)); W_O = rng.standard_normal((H, d, dk))
Z = rng.standard_normal((N, n, d))
np.savez(o + "w.npz", W_Q=W_Q, W_K=W_K, W_V=W_V, W_O=W_O)
np.savez(o + "i.npz", Z=Z)
Y = np.zeros(Z.shape)
for i in range(N):
    for h in range(H):
        q, k, v = Z[i] @ W_Q[h].T, Z[i] @ W_K[h].T, Z[i] @ W_V[h].T
        Y[i] += ((q @ k.T) / np.sqrt(dk) @ v) @ W_O[h].T
np.savez(o + "y.npz", Y=Y)
np.savez(o + "badshape.npz", W_Q=W_Q, W_K=W_K, W_V=W_V, W_O=W_O.transpose(0, 2, 1))
with zipfile.ZipFile(o + "model.pt", "w") as z:
    z.writestr("archive/data.pkl", b"\x80\x02}q\x00.")
    z.writestr("archive/version", b"3\n")
)PY";
  REQUIRE(std::system(("/usr/bin/python3 " + dir.write("gen.py", script) + " " + dir.file("")).c_str()) == 0);
  const mhla_test::RunResult imp = run({"import", "--weights", dir.file("w.npz"), "--inverse-sqrt-dk", "-o", dir.file("m.json")});
  REQUIRE(imp.status == 0);
  CHECK(imp.err.find("approximate") != std::string::npos);
  const json m = json::parse(mhla_test::slurp(dir.file("m.json")));
  CHECK(m["approximate"].get<std::string>().find("1/sqrt(2) is irrational") != std::string::npos);
  // The model read back (mhla reads its own labels) and their float64 outputs pass.
  const mhla_test::RunResult c = run({"crosscheck", "--weights", dir.file("w.npz"), "--inverse-sqrt-dk", "--input", dir.file("i.npz"),
                                      "--outputs", dir.file("y.npz")});
  INFO(c.err);
  CHECK(c.status == 0);
  CHECK(run({"-q", "crosscheck", "--model", dir.file("m.json"), "--input", dir.file("i.npz"), "--outputs", dir.file("y.npz")}).status ==
        0);
  const mhla_test::RunResult t = run({"import", "--weights", dir.file("model.pt"), "-o", dir.file("t.json")});
  CHECK(t.status == 2);
  CHECK(t.out.empty());
  CHECK(t.err.find("a torch.save file") != std::string::npos);
  CHECK(t.err.find("np.savez") != std::string::npos);
  const mhla_test::RunResult b = run({"import", "--weights", dir.file("badshape.npz")});
  CHECK(b.status == 2);
  CHECK(b.out.empty());
  CHECK(b.err.find("W_O: got shape (3, 2, 3); expected (3, 3, 2)") != std::string::npos);
}

TEST_CASE("Lemma X6: crosscheck certificate on exactly orthogonal keys: not identifiable, NumPy's rule agrees",
          "[cli][crosscheck]") {
  mhla_test::TempDir dir;
  REQUIRE(run({"-q", "generate", "assoc", "--pairs", "2", "--keys", "orthogonal", "--samples", "40", "--seed", "1", "-o",
               dir.file("a.json")})
              .status == 0);
  const mhla_test::RunResult r = run({"crosscheck", "certificate", "--dataset", dir.file("a.json")});
  INFO(r.err);
  REQUIRE(r.status == 1);
  const json doc = json::parse(r.out);
  CHECK(doc["format"] == "mhla-crosscheck-certificate");
  CHECK(doc["identifiable"] == false);
  REQUIRE(doc["coordinates"].size() == 2);  // the value coordinates 2, 3 are observed
  for (const json& c : doc["coordinates"]) {
    CHECK(c["identifiable"] == false);
    CHECK(c["exact_rank"] == 36);
    CHECK(c["numpy_float64"]["rank"] == 36);  // the float rule is right here (sigma ~ 1e-16 < threshold)
    CHECK(c["sigma_min_squared"]["upper"] == "0");
  }
  CHECK(run({"crosscheck", "certificate"}).status == 2);  // --dataset is required
}
