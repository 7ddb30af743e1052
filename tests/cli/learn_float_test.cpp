// SPDX-License-Identifier: MIT
// mhla learn / label / equiv on float data, as a PyTorch user makes it: float32 inputs, a float32
// two-head model, targets computed in float32 (no model fits them exactly), and the same with
// noise. Checks the realizability report, the label round trip (loss exactly 0, an equivalent
// model), the magnitude in equiv, --heads svd on agnostic data, and the float error report.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <random>
#include <sstream>

#include "cli/cli_harness.hpp"
#include "mhla/arith/scalar.hpp"
#include "mhla/arith/scalar_text.hpp"
#include "mhla/features/features.hpp"
#include "mhla/io/model_file.hpp"
#include "mhla/io/npz.hpp"
#include "mhla/model/model.hpp"

using namespace mhla;

namespace {

nlohmann::json run_json(const std::vector<std::string>& args, int expected_status, std::string* err = nullptr) {
  const mhla_test::RunResult r = mhla_test::run_mhla(args);
  INFO("stderr: " << r.err);
  REQUIRE(r.status == expected_status);
  if (err) *err = r.err;
  return nlohmann::json::parse(r.out);
}

std::string exact(float x) { return to_string(to_rational(static_cast<double>(x))); }

std::string matrix_text(const Matrix<float>& m) {
  std::ostringstream s;
  s << "[";
  for (std::size_t i = 0; i < m.rows(); ++i) {
    s << (i ? ", [" : "[");
    for (std::size_t j = 0; j < m.cols(); ++j) s << (j ? ", " : "") << '"' << exact(m(i, j)) << '"';
    s << "]";
  }
  return s.str() + "]";
}

struct FloatData {
  std::string model_json, dataset_json, noisy_json;
};

// d = 2, two heads, N = 40 inputs of 3 tokens, all float32; y = the float32 evaluation.
FloatData make_float_data() {
  std::mt19937_64 rng(2024);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  const std::size_t d = 2, n = 3, N = 40;
  Model<float> model{d, false, {}};
  for (int h = 0; h < 2; ++h) {
    Head<float> head{Matrix<float>(d, d), Matrix<float>(d, d)};
    for (float& x : head.V.data()) x = normal(rng);
    for (float& x : head.Q.data()) x = normal(rng);
    model.heads.push_back(head);
  }
  FloatData out;
  out.model_json = R"({"format": "mhla-model", "version": 1, "d": 2, "heads": [)";
  for (std::size_t h = 0; h < 2; ++h)
    out.model_json += std::string(h ? ", " : "") + R"({"V": )" + matrix_text(model.heads[h].V) + R"(, "Q": )" +
                      matrix_text(model.heads[h].Q) + "}";
  out.model_json += "]}";
  std::string samples, noisy;
  for (std::size_t i = 0; i < N; ++i) {
    Matrix<float> Z(d, n);
    for (float& x : Z.data()) x = normal(rng);
    const Matrix<float> Y = evaluate(model, Z);
    std::string y = "[", yn = "[";
    for (std::size_t a = 0; a < d; ++a) {
      y += std::string(a ? ", " : "") + '"' + exact(Y(a, n - 1)) + '"';
      yn += std::string(a ? ", " : "") + '"' + exact(Y(a, n - 1) + 0.01f * normal(rng)) + '"';
    }
    const std::string sep = i ? ", " : "";
    samples += sep + R"({"Z": )" + matrix_text(Z) + R"(, "y": )" + y + "]}";
    noisy += sep + R"({"Z": )" + matrix_text(Z) + R"(, "y": )" + yn + "]}";
  }
  const std::string head = R"({"format": "mhla-dataset", "version": 1, "d": 2, "samples": [)";
  out.dataset_json = head + samples + "]}";
  out.noisy_json = head + noisy + "]}";
  return out;
}

}  // namespace

TEST_CASE("learn on float32-rounded targets says they fit no model exactly and points to label", "[cli][learn][float]") {
  const mhla_test::TempDir dir;
  const FloatData data = make_float_data();
  const std::string model = dir.write("model.json", data.model_json), dataset = dir.write("data.json", data.dataset_json);
  const std::string learned = dir.file("learned.json");
  std::string err;
  run_json({"learn", "--dataset", dataset, "-o", "-"}, 0, &err);
  CHECK(err.find("not fitted exactly") != std::string::npos);
  CHECK(err.find("mhla label") != std::string::npos);
  CHECK(err.size() < 1000);  // short decimals, no huge rationals in the summary
  REQUIRE(mhla_test::run_mhla({"-q", "learn", "--dataset", dataset, "-o", learned}).status == 0);
  const nlohmann::json m = nlohmann::json::parse(mhla_test::slurp(learned));
  const nlohmann::json& l = m["learned"];
  CHECK(l["realizability"]["fitted_exactly"] == false);
  CHECK(l["realizability"]["targets_format"] == "binary32");
  CHECK(l["realizability"]["targets_look_rounded"] == true);
  CHECK(l["training_loss"] != "0");
  CHECK(l["training_loss_decimal"].get<std::string>().size() < 12);
  const double loss = std::stod(l["training_loss_decimal"].get<std::string>());
  CHECK(loss > 0);
  CHECK(loss < 1e-6);
  // The float error report: binary64 far below binary32, both small relative to the outputs.
  const nlohmann::json& fe = l["float_output_error"];
  CHECK(std::stod(fe["binary64"]["relative_to_max_output"].get<std::string>()) < 1e-12);
  CHECK(std::stod(fe["binary32"]["relative_to_max_output"].get<std::string>()) < 1e-4);
  // equiv against the generator: not equivalent, with a small but nonzero weight difference.
  const nlohmann::json e = run_json({"-q", "equiv", "--model", learned, "--model", model}, 1);
  const double gap = std::stod(e["max_weight_difference"]["decimal"].get<std::string>());
  CHECK(gap > 0);
  CHECK(gap < 1e-3);
  CHECK(e["max_weight_difference"]["value"] != "0");
  CHECK(std::stod(e["max_output_difference_at_input"]["decimal"].get<std::string>()) > 0);
}

TEST_CASE("label then learn: training loss exactly 0 and a model equivalent to the labeller", "[cli][label][learn]") {
  const mhla_test::TempDir dir;
  const FloatData data = make_float_data();
  const std::string model = dir.write("model.json", data.model_json), dataset = dir.write("data.json", data.dataset_json);
  const std::string labelled = dir.file("labelled.json"), learned = dir.file("learned.json");
  for (const std::string positions : {"last", "all"}) {
    REQUIRE(mhla_test::run_mhla({"-q", "label", "--model", model, "--input", dataset, "--positions", positions, "-o", labelled}).status == 0);
    const nlohmann::json ds = nlohmann::json::parse(mhla_test::slurp(labelled));
    CHECK(ds["format"] == "mhla-dataset");
    CHECK(ds["samples"].size() == 40);
    if (positions == "all") CHECK(ds["samples"][0]["targets"].size() == 3);
    REQUIRE(mhla_test::run_mhla({"-q", "learn", "--dataset", labelled, "-o", learned}).status == 0);
    const nlohmann::json m = nlohmann::json::parse(mhla_test::slurp(learned));
    CHECK(m["learned"]["training_loss"] == "0");
    CHECK(m["learned"]["realizability"]["fitted_exactly"] == true);
    CHECK(m["learned"]["unique"] == true);
    CHECK(run_json({"-q", "equiv", "--model", learned, "--model", model}, 0)["equivalent"] == true);
  }
  // d mismatch: exit 2, one line, nothing written.
  const std::string d3 = dir.write("d3.json", R"({"format": "mhla-model", "version": 1, "d": 3, "heads": []})");
  const mhla_test::RunResult r = mhla_test::run_mhla({"label", "--model", d3, "--input", dataset, "-o", dir.file("x.json")});
  CHECK(r.status == 2);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK_FALSE(dir.exists("x.json"));
}

TEST_CASE("noisy float32 targets: agnostic, not rounding level; svd heads and balancing work there", "[cli][learn][float]") {
  const mhla_test::TempDir dir;
  const FloatData data = make_float_data();
  const std::string noisy = dir.write("noisy.json", data.noisy_json);
  const nlohmann::json m = run_json({"-q", "learn", "--dataset", noisy}, 0);
  CHECK(m["learned"]["realizability"]["fitted_exactly"] == false);
  CHECK(m["learned"]["realizability"]["targets_look_rounded"] == false);
  // --heads svd on a minimiser with non-dyadic entries: exact errors as exact strings and decimals.
  const nlohmann::json s = run_json({"-q", "learn", "--dataset", noisy, "--heads", "svd"}, 0);
  const nlohmann::json& hr = s["learned"]["heads_recovery"];
  CHECK(hr["approximate"] == true);
  CHECK(std::stod(hr["weight_error_max_decimal"].get<std::string>()) <=
        std::stod(hr["weight_error_bound_decimal"].get<std::string>()));
  // Every balancing choice gives the same function exactly (equiv exit 0).
  const std::string a = dir.file("a.json"), b = dir.file("b.json"), c = dir.file("c.json");
  REQUIRE(mhla_test::run_mhla({"-q", "learn", "--dataset", noisy, "-o", a}).status == 0);
  REQUIRE(mhla_test::run_mhla({"-q", "learn", "--dataset", noisy, "--balance", "none", "-o", b}).status == 0);
  REQUIRE(mhla_test::run_mhla({"-q", "learn", "--dataset", noisy, "--balance", "pivot", "-o", c}).status == 0);
  CHECK(run_json({"-q", "equiv", "--model", a, "--model", b}, 0)["equivalent"] == true);
  CHECK(run_json({"-q", "equiv", "--model", a, "--model", c}, 0)["equivalent"] == true);
  CHECK(mhla_test::run_mhla({"-q", "learn", "--dataset", noisy, "--heads", "svd", "--balance", "pivot"}).status == 2);
}

TEST_CASE("learn --weights-out and --binary64-model: exact weights over one denominator per coordinate, a labelled rounded model", "[cli][learn][float]") {
  const mhla_test::TempDir dir;
  const FloatData data = make_float_data();
  const std::string model = dir.write("model.json", data.model_json), dataset = dir.write("data.json", data.dataset_json);
  const std::string labelled = dir.file("labelled.json"), learned = dir.file("learned.json"), w = dir.file("w.npz"),
                    b64 = dir.file("b64.json");
  REQUIRE(mhla_test::run_mhla({"-q", "label", "--model", model, "--input", dataset, "-o", labelled}).status == 0);
  REQUIRE(mhla_test::run_mhla({"-q", "learn", "--dataset", labelled, "--weights-out", w, "--binary64-model", b64, "-o", learned}).status == 0);
  const Model<Rational> exact_model = read_model(learned);
  const Matrix<Rational> W = weights(exact_model);
  const auto arrays = npz::read_npz(mhla_test::slurp(w), "w.npz");
  REQUIRE(arrays.count("W_numerator") == 1);
  const npz::Array& num = arrays.at("W_numerator");
  const npz::Array& den = arrays.at("W_denominator");
  const npz::Array& approx = arrays.at("W_binary64");
  REQUIRE(num.shape == std::vector<std::size_t>{W.rows(), W.cols()});
  for (std::size_t a = 0; a < W.rows(); ++a)
    for (std::size_t i = 0; i < W.cols(); ++i) {
      CHECK(num.values[a * W.cols() + i] / den.values[a] == W(a, i));
      CHECK(approx.values[a * W.cols() + i] == to_rational(to_binary64(W(a, i))));
    }
  // The rounded model: approximate, binary64 numbers, and within its stated weight bound.
  const nlohmann::json b = nlohmann::json::parse(mhla_test::slurp(b64));
  CHECK(b["approximate"] == true);
  CHECK(b["number_semantics"] == "binary64");
  const Model<Rational> rounded = read_model(b64);
  const Matrix<Rational> Wr = weights(rounded);
  Rational l1 = 0;
  for (std::size_t a = 0; a < W.rows(); ++a) {
    Rational s = 0;
    for (std::size_t i = 0; i < W.cols(); ++i) s += abs(W(a, i) - Wr(a, i));
    l1 = std::max(l1, s);
  }
  CHECK(l1 <= *parse_exact_scalar(b["output_bound"]["weight_l1_difference_upper"].get<std::string>()).value);
  // Weights that do not fit int64 (float32-rounded targets): the exact values in the sidecar.
  const std::string w2 = dir.file("w2.npz");
  REQUIRE(mhla_test::run_mhla({"-q", "learn", "--dataset", dataset, "--weights-out", w2, "-o", dir.file("l2.json")}).status == 0);
  const nlohmann::json side = nlohmann::json::parse(mhla_test::slurp(w2 + ".exact.json"));
  const Matrix<Rational> W2 = weights(read_model(dir.file("l2.json")));
  for (std::size_t a = 0; a < W2.rows(); ++a)
    for (std::size_t i = 0; i < W2.cols(); ++i)
      CHECK(Rational(Integer(side["coordinates"][a]["numerators"][i].get<std::string>()),
                     Integer(side["coordinates"][a]["denominator"].get<std::string>())) == W2(a, i));
}
