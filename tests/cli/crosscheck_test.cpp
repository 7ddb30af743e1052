// SPDX-License-Identifier: MIT
// mhla crosscheck (proofs-notes/09-crosscheck.md, Lemma X1) through the real binary: correct
// float outputs pass; a perturbed entry and the usual implementation slips are flagged and
// explained; NumPy float32/float64 implementations in other evaluation orders pass (python-gated).
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "cli/cli_harness.hpp"

namespace {

using nlohmann::json;

json crosscheck(const std::vector<std::string>& args, int expected_status) {
  std::vector<std::string> full{"crosscheck"};
  full.insert(full.end(), args.begin(), args.end());
  const mhla_test::RunResult r = mhla_test::run_mhla(full);
  INFO("stderr: " << r.err);
  REQUIRE(r.status == expected_status);
  return json::parse(r.out);
}

void run_ok(const std::vector<std::string>& args) {
  const mhla_test::RunResult r = mhla_test::run_mhla(args);
  INFO("stderr: " << r.err);
  REQUIRE(r.status == 0);
}

// A d = 3, H = 2 model with integer entries (Q not symmetric), written with V scaled by
// v_scale, Q transposed or the causal flag flipped when asked.
std::string model_json(bool causal, const std::string& v_den = "1", bool transpose_q = false) {
  const int V[2][3][3] = {{{1, -2, 0}, {3, 1, 1}, {0, 2, -1}}, {{2, 0, 1}, {-1, 1, 0}, {1, 1, 3}}};
  const int Q[2][3][3] = {{{0, 1, 2}, {-1, 0, 1}, {3, 0, 1}}, {{1, 2, 0}, {0, 1, -2}, {1, 0, 0}}};
  json heads = json::array();
  for (int h = 0; h < 2; ++h) {
    json v = json::array(), q = json::array();
    for (int r = 0; r < 3; ++r) {
      json vr = json::array(), qr = json::array();
      for (int c = 0; c < 3; ++c) {
        vr.push_back(std::to_string(V[h][r][c]) + "/" + v_den);
        qr.push_back(transpose_q ? Q[h][c][r] : Q[h][r][c]);
      }
      v.push_back(vr);
      q.push_back(qr);
    }
    heads.push_back({{"V", v}, {"Q", q}});
  }
  return json{{"format", "mhla-model"}, {"version", 1}, {"d", 3}, {"causal", causal}, {"heads", heads}}.dump();
}

bool python_numpy_available() { return std::system("/usr/bin/python3 -c 'import numpy' > /dev/null 2>&1") == 0; }

}  // namespace

TEST_CASE("Lemma X1: binary64 outputs of mhla eval are within the bound and pass", "[cli][crosscheck]") {
  for (bool causal : {false, true}) {
    mhla_test::TempDir dir;
    std::vector<std::string> gen{"-q", "generate", "random", "--d", "3", "--heads", "3", "--tokens", "5", "--samples", "4",
                                 "--entries", "gaussian", "--positions", "all", "--seed", "7", "--model-out",
                                 dir.file("m.json"), "-o", dir.file("data.json")};
    if (causal) gen.push_back("--causal");
    run_ok(gen);
    run_ok({"-q", "eval", "--model", dir.file("m.json"), "--input", dir.file("data.json"), "--arith", "binary64", "-o", dir.file("f.json")});
    const json r = crosscheck({"--model", dir.file("m.json"), "--input", dir.file("data.json"), "--outputs", dir.file("f.json")}, 0);
    CHECK(r["format"] == "mhla-crosscheck");
    CHECK(r["dtype"] == "float64");
    CHECK(r["entries"] == 4 * 5 * 3);
    CHECK(r["entries_beyond_bound"] == 0);
    CHECK(r["values"].size() == 60);
    // Gaussian data: binary64 really rounds, so some error is nonzero (the check is not vacuous).
    bool some_error = false;
    for (const json& v : r["values"]) some_error = some_error || v["error"] != "0";
    CHECK(some_error);
    // Exact outputs (mhla eval, exact arithmetic) have error 0.
    run_ok({"-q", "eval", "--model", dir.file("m.json"), "--input", dir.file("data.json"), "-o", dir.file("e.json")});
    const json x = crosscheck({"--model", dir.file("m.json"), "--input", dir.file("data.json"), "--outputs", dir.file("e.json"),
                               "--dtype", "float64"},
                              0);
    CHECK(x["max_error_over_bound"] == "0");
  }
}

TEST_CASE("Lemma X1: a perturbed entry, a missing 1/H scaling, a transposed Q and a full-sequence Gram are flagged",
          "[cli][crosscheck]") {
  mhla_test::TempDir dir;
  run_ok({"-q", "generate", "random", "--d", "3", "--heads", "1", "--tokens", "4", "--samples", "3", "--seed", "3", "-o",
          dir.file("data.json")});
  const std::string right = dir.write("right.json", model_json(true));
  run_ok({"-q", "eval", "--model", right, "--input", dir.file("data.json"), "--arith", "binary64", "-o", dir.file("f.json")});
  crosscheck({"--model", right, "--input", dir.file("data.json"), "--outputs", dir.file("f.json")}, 0);

  SECTION("one perturbed entry") {
    json f = json::parse(mhla_test::slurp(dir.file("f.json")));
    std::string& s = f["outputs"][1]["Y"][2].get_ref<json::array_t&>()[3].get_ref<std::string&>();
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", std::strtod(s.c_str(), nullptr) + 1e-6);
    s = buf;
    dir.write("p.json", f.dump());
    const json r = crosscheck({"--model", right, "--input", dir.file("data.json"), "--outputs", dir.file("p.json")}, 1);
    CHECK(r["entries_beyond_bound"] == 1);
    bool found = false;
    for (const json& v : r["values"])
      if (v["within_bound"] == false) found = v["sample"] == 1 && v["position"] == 3 && v["a"] == 2;
    CHECK(found);
    // Named as an isolated wrong entry, with its place.
    INFO(r["explanations"].dump());
    REQUIRE(!r["explanations"].empty());
    CHECK(r["explanations"][0].get<std::string>().find("a few isolated wrong entries (1 of 36") != std::string::npos);
    CHECK(r["explanations"][0].get<std::string>().find("sample 1 position 3 a 2") != std::string::npos);
  }
  auto slip = [&](const std::string& their_model, const std::string& expected) {
    const std::string path = dir.write("their.json", their_model);
    run_ok({"-q", "eval", "--model", path, "--input", dir.file("data.json"), "--arith", "binary64", "-o", dir.file("t.json")});
    const mhla_test::RunResult r =
        mhla_test::run_mhla({"crosscheck", "--model", right, "--input", dir.file("data.json"), "--outputs", dir.file("t.json")});
    REQUIRE(r.status == 1);
    CHECK(r.err.find("beyond it: likely a different function") != std::string::npos);
    const json doc = json::parse(r.out);
    CHECK(doc["entries_beyond_bound"] > 0);
    bool explained = false;
    for (const json& e : doc["explanations"]) explained = explained || e.get<std::string>().find(expected) != std::string::npos;
    INFO(doc["explanations"].dump());
    CHECK(explained);
  };
  SECTION("a 1/H scaling") { slip(model_json(true, "2"), "c = 1/2 (5e-1), found exactly"); }
  SECTION("a transposed Q") { slip(model_json(true, "1", true), "transposed Q"); }
  SECTION("full-sequence Gram instead of the prefix Gram") { slip(model_json(false), "full-sequence Gram"); }
  SECTION("bad input: wrong count of outputs") {
    const std::string one = dir.write("one.json", R"({"format": "mhla-outputs", "version": 1, "outputs": [{"Y": [[1],[2],[3]]}]})");
    const mhla_test::RunResult r =
        mhla_test::run_mhla({"crosscheck", "--model", right, "--input", dir.file("data.json"), "--outputs", one, "--dtype", "float64"});
    CHECK(r.status == 2);
    CHECK(r.out.empty());
  }
}

TEST_CASE("Lemma X1: float32 and float64 NumPy implementations in other evaluation orders pass", "[cli][crosscheck][python]") {
  if (!python_numpy_available()) {
    WARN("skipped: /usr/bin/python3 with numpy is not available");
    return;
  }
  mhla_test::TempDir dir;
  const std::string script = R"PY(
import sys, numpy as np
o = sys.argv[1] + "/"
rng = np.random.default_rng(11)
H, d, n, N = 4, 3, 6, 5
V = rng.standard_normal((H, d, d)); Q = rng.standard_normal((H, d, d)); Z = rng.standard_normal((N, n, d))
np.savez(o + "m.npz", V=V, Q=Q); np.savez_compressed(o + "i.npz", Z=Z)
# Staged evaluations (Lemma X1): each matmul or sum reduces one index.
def score_first(V, Q, Z, dt, causal):
    V, Q, Z = V.astype(dt), Q.astype(dt), Z.astype(dt)
    Y = np.zeros(Z.shape, dtype=dt)
    for i in range(Z.shape[0]):
        for b in range(n):
            X = Z[i, :(b + 1 if causal else n)]
            Y[i, b] = sum(V[h] @ (X.T @ (X @ (Q[h] @ Z[i, b]))) for h in range(H))
    return Y
def gram_first(V, Q, Z, dt):
    V, Q, Z = V.astype(dt), Q.astype(dt), Z.astype(dt)
    Y = np.zeros(Z.shape, dtype=dt)
    for i in range(Z.shape[0]):
        G = np.einsum("mj,mk->jk", Z[i], Z[i])
        M = sum((V[h] @ G) @ Q[h] for h in range(H))
        Y[i] = Z[i] @ M.T
    return Y
np.savez(o + "sf32.npz", Y=score_first(V, Q, Z, np.float32, False))
np.savez(o + "gf64.npz", Y=gram_first(V, Q, Z, np.float64))
np.savez(o + "last32.npz", Y=gram_first(V, Q, Z, np.float32)[:, -1, :])
np.savez(o + "tq32.npz", Y=score_first(V, Q.transpose(0, 2, 1), Z, np.float32, False))
np.savez(o + "overH32.npz", Y=score_first(V, Q, Z, np.float32, False) / np.float32(H))
)PY";
  REQUIRE(std::system(("/usr/bin/python3 " + dir.write("gen.py", script) + " " + dir.file("")).c_str()) == 0);
  const std::string m = dir.file("m.npz"), i = dir.file("i.npz");
  const json a = crosscheck({"--model", m, "--input", i, "--outputs", dir.file("sf32.npz")}, 0);
  CHECK(a["dtype"] == "float32");
  CHECK(a["entries"] == 5 * 6 * 3);
  const json b = crosscheck({"--model", m, "--input", i, "--outputs", dir.file("gf64.npz")}, 0);
  CHECK(b["dtype"] == "float64");
  const json c = crosscheck({"--model", m, "--input", i, "--outputs", dir.file("last32.npz")}, 0);
  CHECK(c["positions"] == "last");
  CHECK(c["entries"] == 5 * 3);
  const json t = crosscheck({"--model", m, "--input", i, "--outputs", dir.file("tq32.npz")}, 1);
  CHECK(t["explanations"].dump().find("transposed Q") != std::string::npos);
  const json h = crosscheck({"--model", m, "--input", i, "--outputs", dir.file("overH32.npz")}, 1);
  CHECK(h["explanations"].dump().find("c = 1/4") != std::string::npos);
  CHECK(h["constant_factor"]["decompositions"] == json::array({"1/H (H = 4)"}));
  // Claiming float16 for float32 numbers only loosens the bound; claiming nothing else is needed.
  crosscheck({"--model", m, "--input", i, "--outputs", dir.file("sf32.npz"), "--dtype", "float16"}, 0);
}

TEST_CASE("Lemma X1 (b): NumPy design matrices, folded and unfolded, pass; the wrong Gram is flagged", "[cli][crosscheck][python]") {
  if (!python_numpy_available()) {
    WARN("skipped: /usr/bin/python3 with numpy is not available");
    return;
  }
  mhla_test::TempDir dir;
  const std::string script = R"PY(
import sys, numpy as np
o = sys.argv[1] + "/"
rng = np.random.default_rng(2)
N, n, d = 3, 5, 3
Z = rng.standard_normal((N, n, d))
np.savez(o + "i.npz", Z=Z, causal=np.array(True))
def feats(dt, unfolded, causal):
    X = Z.astype(dt); rows = []
    for i in range(N):
        for b in range(n):
            P = X[i, :b + 1] if causal else X[i]
            G = P.T @ P
            if unfolded: rows.append(np.einsum("jk,l->jkl", G, X[i, b]).reshape(-1))
            else: rows.append(np.array([G[j, k] * X[i, b, l] for j in range(d) for k in range(j, d) for l in range(d)], dtype=dt))
    return np.array(rows)
np.savez(o + "f32.npz", Phi=feats(np.float32, False, True))
np.savez(o + "u64.npz", Phi=feats(np.float64, True, True))
np.savez(o + "full.npz", Phi=feats(np.float64, False, False))
)PY";
  REQUIRE(std::system(("/usr/bin/python3 " + dir.write("gen.py", script) + " " + dir.file("")).c_str()) == 0);
  const std::string i = dir.file("i.npz");
  const json a = crosscheck({"--input", i, "--features", dir.file("f32.npz")}, 0);
  CHECK(a["features"]["dtype"] == "float32");
  CHECK(a["features"]["entries"] == 3 * 5 * 18);
  CHECK(a["features"]["causal"] == true);
  const json b = crosscheck({"--input", i, "--features", dir.file("u64.npz")}, 0);
  CHECK(b["features"]["layout"] == "unfolded d^3 (j, k, l)");
  const json c = crosscheck({"--input", i, "--features", dir.file("full.npz")}, 1);
  CHECK(c["features"]["entries_beyond_bound"] > 0);
  CHECK(mhla_test::run_mhla({"crosscheck", "--input", i}).status == 2);  // nothing to compare
}
