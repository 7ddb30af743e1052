// SPDX-License-Identifier: MIT
// The mhla binary end to end: every class of bad input exits 2 with one line on standard error
// naming the file (and JSON path) and writes nothing; eval and features compute the numbers
// worked out by hand below.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include <algorithm>

#include "cli/cli_harness.hpp"
#include "mhla/arith/scalar_text.hpp"

using mhla::Rational;
using mhla_test::run_mhla;
using mhla_test::TempDir;

namespace {

const std::string model_d1 = R"({"format": "mhla-model", "version": 1, "d": 1, "heads": [{"V": [[2]], "Q": [[3]]}]})";
const std::string inputs_d1 = R"({"format": "mhla-dataset", "version": 1, "d": 1, "samples": [{"Z": [[1, 2]]}]})";
const std::string data_dir = MHLA_SOURCE_DIR "/tests/data/";

std::string dataset_d2(const std::string& samples) {
  return R"({"format": "mhla-dataset", "version": 1, "d": 2, "samples": [)" + samples + "]}";
}

// Runs mhla with args (OUT stands for the -o path in dir) and checks the bad-input contract:
// exit 2, nothing on standard output, exactly one line on standard error containing every
// fragment, no output file. Returns the line.
std::string expect_refusal(const TempDir& dir, std::vector<std::string> args, const std::vector<std::string>& fragments) {
  const std::size_t entries_before = dir.entry_count();
  args.push_back("-o");
  args.push_back(dir.file("out.json"));
  const mhla_test::RunResult r = run_mhla(args);
  INFO("stderr: " << r.err);
  CHECK(r.status == 2);
  CHECK(r.out.empty());
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(r.err.rfind("mhla: ", 0) == 0);
  for (const std::string& f : fragments) CHECK(r.err.find(f) != std::string::npos);
  CHECK_FALSE(dir.exists("out.json"));
  CHECK(dir.entry_count() == entries_before);  // no temporary file left behind either
  return r.err;
}

std::string eval_refusal(const TempDir& dir, const std::string& inputs, const std::vector<std::string>& fragments,
                         const std::string& model = R"({"format": "mhla-model", "version": 1, "d": 2, "heads": []})") {
  const std::string m = dir.write("model.json", model), i = dir.write("inputs.json", inputs);
  return expect_refusal(dir, {"eval", "--model", m, "--input", i}, fragments);
}

Rational exact(const std::string& text) {
  const mhla::ScalarParse p = mhla::parse_exact_scalar(text);
  REQUIRE(p);
  return *p.value;
}

nlohmann::json run_ok(const std::vector<std::string>& args) {
  const mhla_test::RunResult r = run_mhla(args);
  INFO("stderr: " << r.err);
  REQUIRE(r.status == 0);
  return nlohmann::json::parse(r.out);
}

}  // namespace

TEST_CASE("bad input: malformed JSON names the file and line:column") {
  TempDir dir;
  eval_refusal(dir, "{\"format\": \"mhla-dataset\",\n \"d\": 2 \"x\"}", {"inputs.json:2:11: ", "syntax error"});
}

TEST_CASE("bad input: ragged Z rows, d+1 rows, y of the wrong length") {
  TempDir dir;
  eval_refusal(dir, dataset_d2(R"({"Z": [[1, 2], [3]]})"), {"inputs.json: $.samples[0].Z[1]: row has 1 entries"});
  eval_refusal(dir, dataset_d2(R"({"Z": [[1], [2], [3]]})"), {"inputs.json: $.samples[0].Z: Z has 3 rows; expected d = 2"});
  eval_refusal(dir, dataset_d2(R"({"Z": [[1], [2]], "y": [1]})"), {"inputs.json: $.samples[0].y: y has 1 entries"});
}

TEST_CASE("bad input: the model's d differs from the input's") {
  TempDir dir;
  eval_refusal(dir, inputs_d1, {"inputs.json: $.d: d = 1 differs from the model's d = 2", "model.json"});
}

TEST_CASE("bad input: zero denominator, NaN and infinities") {
  TempDir dir;
  eval_refusal(dir, dataset_d2(R"({"Z": [[1, 2], [3, "1/0"]]})"), {"inputs.json: $.samples[0].Z[1][1]: zero denominator in \"1/0\""});
  eval_refusal(dir, dataset_d2(R"({"Z": [[1], ["NaN"]]})"), {"inputs.json: $.samples[0].Z[1][0]: not a finite number"});
  eval_refusal(dir, dataset_d2(R"({"Z": [[1], ["-Infinity"]]})"), {"inputs.json: $.samples[0].Z[1][0]: not a finite number"});
  eval_refusal(dir, dataset_d2(R"({"Z": [[1], [NaN]]})"), {"inputs.json:1:"});
  eval_refusal(dir, dataset_d2(R"({"Z": [[1], [Infinity]]})"), {"inputs.json:1:"});
}

TEST_CASE("bad input: unknown format or version") {
  TempDir dir;
  eval_refusal(dir, R"({"format": "mhla-data", "version": 1, "d": 2, "samples": []})",
               {"inputs.json: $.format: unknown format \"mhla-data\""});
  eval_refusal(dir, R"({"format": "mhla-dataset", "version": 7, "d": 2, "samples": []})",
               {"inputs.json: $.version: unknown version 7 of mhla-dataset"});
  eval_refusal(dir, dataset_d2(""), {"model.json: $.format: unknown format \"mhla-dataset\""}, dataset_d2(""));
}

TEST_CASE("bad input: a position out of range") {
  TempDir dir;
  eval_refusal(dir, dataset_d2(R"({"Z": [[1, 2], [3, 4]], "targets": [{"position": 2, "y": [1, 2]}]})"),
               {"inputs.json: $.samples[0].targets[0].position: expected an integer from 0 to 1, got 2"});
}

TEST_CASE("resource limit: absurd sizes are refused up front with the estimate") {
  TempDir dir;
  const std::string big = dir.write("big.json", R"({"format": "mhla-dataset", "version": 1, "d": 100000, "samples": [{"Z": [[1]]}]})");
  expect_refusal(dir, {"features", "--dataset", big}, {"big.json: $.d: ", "would need about 596 GiB", "(--memory-limit)"});
  // Within the d x d limit, but the design matrix itself is too large for a small --memory-limit.
  std::string rows = "[1]";
  for (int i = 1; i < 200; ++i) rows += ", [1]";
  const std::string wide =
      dir.write("wide.json", R"({"format": "mhla-dataset", "version": 1, "d": 200, "samples": [{"Z": [)" + rows + "]}]}");
  expect_refusal(dir, {"--memory-limit", "0.01", "features", "--dataset", wide},
                 {"features: the design matrix would need about", "(1 rows x 4020000 features)", "the memory limit is 10 MiB"});
}

TEST_CASE("bad input: nonexistent files, bad options") {
  TempDir dir;
  const std::string model = dir.write("m.json", model_d1), inputs = dir.write("i.json", inputs_d1);
  expect_refusal(dir, {"eval", "--model", dir.file("nope.json"), "--input", inputs}, {"nope.json: cannot open"});
  expect_refusal(dir, {"eval", "--model", model, "--input", inputs, "--arith", "float"}, {"--arith", "\"float\""});
  expect_refusal(dir, {"eval", "--model", model, "--input", inputs, "--arith", "mpfr:1"}, {"--arith"});
  expect_refusal(dir, {"eval", "--model", model}, {"--input"});
  expect_refusal(dir, {"eval", "--model", model, "--input", inputs, "--bogus"}, {"--bogus"});
  expect_refusal(dir, {"features", "--dataset", inputs, "--coordinate", "1"}, {"--coordinate 1 is out of range", "d = 1"});
  expect_refusal(dir, {"--memory-limit", "-3", "features", "--dataset", inputs}, {"--memory-limit"});
  expect_refusal(dir, {"--memory-limit", "nan", "features", "--dataset", inputs}, {"--memory-limit"});
  expect_refusal(dir, {"features", "--dataset", inputs, "--coordinate", "-1"}, {"--coordinate"});
  expect_refusal(dir, {"eval", "--model", "-", "--input", "-"}, {"cannot both be standard input"});
}

TEST_CASE("-o follows a symbolic link and writes into a FIFO in place") {
  const TempDir dir;
  const std::string inputs = dir.write("inputs.json", R"({"format": "mhla-dataset", "version": 1, "d": 1, "samples": [{"Z": [[2]]}]})");
  const std::string target = dir.write("target.json", "old");
  std::filesystem::create_symlink(target, dir.file("link.json"));
  REQUIRE(run_mhla({"-q", "features", "--dataset", inputs, "-o", dir.file("link.json")}).status == 0);
  CHECK(std::filesystem::is_symlink(dir.file("link.json")));  // the link survives ...
  CHECK(mhla_test::slurp(target).find("mhla-features") != std::string::npos);  // ... and its target is replaced
  // A FIFO is written in place, not replaced by a regular file.
  REQUIRE(::mkfifo(dir.file("fifo").c_str(), 0600) == 0);
  FILE* reader = popen(("cat '" + dir.file("fifo") + "' > '" + dir.file("from_fifo") + "'").c_str(), "r");
  REQUIRE(reader != nullptr);
  CHECK(run_mhla({"-q", "features", "--dataset", inputs, "-o", dir.file("fifo")}).status == 0);
  // Should mhla not have opened the FIFO, give the reader its end of file instead of a hang.
  const int unblock = ::open(dir.file("fifo").c_str(), O_WRONLY | O_NONBLOCK);
  if (unblock >= 0) ::close(unblock);
  pclose(reader);
  CHECK(std::filesystem::is_fifo(dir.file("fifo")));
  CHECK(mhla_test::slurp(dir.file("from_fifo")).find("mhla-features") != std::string::npos);
}

TEST_CASE("help and version exit 0") {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{{"--help"}, {"eval", "--help"}, {"features", "--help"}}) {
    const mhla_test::RunResult r = run_mhla(args);
    CHECK(r.status == 0);
    CHECK(r.out.find("Usage") != std::string::npos);
  }
  CHECK(run_mhla({"eval", "--help"}).out.find("K u >= 1 or a binary64 value underflows") != std::string::npos);
  const mhla_test::RunResult v = run_mhla({"--version"});
  CHECK(v.status == 0);
  CHECK(v.out == "mhla 0.1.0\n");
  const mhla_test::RunResult none = run_mhla({});
  CHECK(none.status == 2);
  CHECK(std::count(none.err.begin(), none.err.end(), '\n') == 1);
}

TEST_CASE("eval: hand-computed exact outputs, causal and not") {
  TempDir dir;
  // d = 1, V = 2, Q = 3, Z = [1, 2]: G = 1 + 4 = 5, Y = 2 * 5 * 3 * [1, 2] = [30, 60].
  const std::string m = dir.write("m.json", model_d1), i = dir.write("i.json", inputs_d1);
  const mhla_test::RunResult r = run_mhla({"eval", "--model", m, "--input", i, "-o", dir.file("y.json")});
  CHECK(r.status == 0);
  CHECK(r.out.empty());
  CHECK(r.err.find("mhla eval: 1 outputs") != std::string::npos);
  const nlohmann::json y = nlohmann::json::parse(mhla_test::slurp(dir.file("y.json")));
  CHECK(y["format"] == "mhla-outputs");
  CHECK(y["version"] == 1);
  CHECK(y["arith"] == "exact");
  CHECK(y["outputs"][0]["Y"] == nlohmann::json::parse(R"([["30", "60"]])"));
  // Causal: G_0 = 1, G_1 = 5, so Y = [2*1*3*1, 2*5*3*2] = [6, 60]; the dataset's flag is ignored.
  const std::string mc = dir.write("mc.json", R"({"format": "mhla-model", "version": 1, "d": 1, "causal": true,
      "heads": [{"V": [[2]], "Q": [[3]]}]})");
  const std::string ic = dir.write("ic.json", R"({"format": "mhla-dataset", "version": 1, "d": 1, "causal": false,
      "samples": [{"Z": [[1, 2]]}]})");
  CHECK(run_ok({"--quiet", "eval", "--model", mc, "--input", ic})["outputs"][0]["Y"] ==
        nlohmann::json::parse(R"([["6", "60"]])"));
  // d = 2, V = diag(1, 1/2), Q = swap (tests/data): Y = V G Q Z by hand:
  //   Z = [[1,2],[0,1]]: G = [[5,2],[2,1]], QZ = [[0,1],[1,2]], G QZ = [[2,9],[1,4]] -> [[2,9],[1/2,2]]
  //   Z = I: Y = V Q = [[0,1],[1/2,0]];  Z = [[1/2],[3]]: G QZ = [[3/2],[9]] -> [[3/2],[9/2]].
  const nlohmann::json out =
      run_ok({"eval", "-q", "--model", data_dir + "small_model.json", "--input", data_dir + "small_dataset.json"});
  CHECK(out["outputs"] == nlohmann::json::parse(R"([{"Y": [["2", "9"], ["1/2", "2"]]}, {"Y": [["0", "1"], ["1/2", "0"]]},
      {"Y": [["3/2"], ["9/2"]]}])"));
  // Standard input for the model.
  const mhla_test::RunResult piped = run_mhla({"eval", "-q", "--model", "-", "--input", i}, model_d1);
  CHECK(piped.status == 0);
  CHECK(nlohmann::json::parse(piped.out)["outputs"][0]["Y"] == nlohmann::json::parse(R"([["30", "60"]])"));
}

TEST_CASE("eval: binary64 and MPFR outputs lie within their error bounds of the exact ones") {
  TempDir dir;
  const std::string m = dir.write("m.json", R"({"format": "mhla-model", "version": 1, "d": 2, "heads": [
      {"V": [["1/3", "-2/7"], ["5/11", "1/13"]], "Q": [["-1/17", "3/19"], ["2/23", "1/29"]]},
      {"V": [["0.1", "0.2"], ["-0.3", "1/31"]], "Q": [["1/37", "-1/41"], ["7/43", "0.7"]]}]})");
  const std::string i = dir.write("i.json", R"({"format": "mhla-dataset", "version": 1, "d": 2, "samples": [
      {"Z": [["1/3", "0.1", "-7/9"], ["2/3", "1e-2", "5/6"]]}, {"Z": [["123456.789"], ["-1/999"]]}]})");
  const nlohmann::json exact_out = run_ok({"-q", "eval", "--model", m, "--input", i});
  for (const std::string arith : {"binary64", "mpfr:24", "mpfr:200"}) {
    const nlohmann::json out = run_ok({"-q", "eval", "--model", m, "--input", i, "--arith", arith});
    CHECK(out["arith"] == arith);
    const unsigned bits = arith == "binary64" ? 53 : static_cast<unsigned>(std::stoul(arith.substr(5)));
    if (bits != 53) {  // MPFR reports the precision it really used: the smallest Boost offers >= BITS
      REQUIRE(out.contains("precision_bits"));
      CHECK(out["precision_bits"].get<unsigned>() >= bits);
      CHECK(out["precision_bits"].get<unsigned>() <= bits + 4);
      CHECK(out["precision_bits"].get<unsigned>() == mhla::MpfrPrecision(bits).bits());
    }
    for (std::size_t s = 0; s < 2; ++s) {
      const nlohmann::json& Y = out["outputs"][s]["Y"];
      const nlohmann::json& bound = out["outputs"][s]["error_bound"];
      for (std::size_t a = 0; a < 2; ++a)
        for (std::size_t b = 0; b < Y[a].size(); ++b) {
          // The printed decimal reads back as the computed float; take that float exactly.
          const Rational printed = exact(Y[a][b].get<std::string>());
          Rational computed;
          if (bits == 53) {
            computed = mhla::to_rational(mhla::to_binary64(printed));
          } else {
            const mhla::MpfrPrecision precision(bits);
            computed = mhla::to_rational(mhla::from_rational<mhla::Mpfr>(printed));
          }
          const Rational truth = exact(exact_out["outputs"][s]["Y"][a][b].get<std::string>());
          const Rational err = computed > truth ? Rational(computed - truth) : Rational(truth - computed);
          INFO(arith << " sample " << s << " entry " << a << "," << b);
          CHECK(err <= exact(bound[a][b].get<std::string>()));
          CHECK(exact(bound[a][b].get<std::string>()) > 0);
        }
    }
  }
  // Lemma F1 assumes no underflow: a binary64 run whose products fall below DBL_MIN gets no bound
  // (1e-110 cubed is 1e-330, subnormal), while MPFR's exponent range keeps its bound.
  {
    const std::string m1 = dir.write("m1.json", R"({"format": "mhla-model", "version": 1, "d": 1, "heads": [{"V": [[1]], "Q": [[1]]}]})");
    const std::string tiny = dir.write("tiny.json", R"({"format": "mhla-dataset", "version": 1, "d": 1, "samples": [{"Z": [["1e-110"]]}]})");
    const nlohmann::json under = run_ok({"-q", "eval", "--model", m1, "--input", tiny, "--arith", "binary64"});
    CHECK(under["outputs"][0]["error_bound"].is_null());
    CHECK(under["outputs"][0]["error_bound_unavailable"].get<std::string>().find("underflow") == 0);
    const nlohmann::json fine = run_ok({"-q", "eval", "--model", m1, "--input", tiny, "--arith", "mpfr:64"});
    CHECK(fine["outputs"][0]["error_bound"][0][0].is_string());
  }
  // Too few bits for the bound to exist: mpfr:3 runs at 5 bits (the least Boost offers), and with
  // n = 30 tokens K = n + 3d + H + 9 >= 32, so K u >= 1 and the bound is null with its reason.
  {
    std::string row = "[1";
    for (int t = 1; t < 30; ++t) row += ", 1";
    row += "]";
    const std::string wide = dir.write("wide.json", R"({"format": "mhla-dataset", "version": 1, "d": 2, "samples": [{"Z": [)" +
                                                       row + ", " + row + "]}]}");
    const nlohmann::json coarse = run_ok({"-q", "eval", "--model", m, "--input", wide, "--arith", "mpfr:3"});
    CHECK(coarse["precision_bits"] == 5);
    CHECK(coarse["outputs"][0]["error_bound"].is_null());
    CHECK(coarse["outputs"][0]["error_bound_unavailable"].get<std::string>().find("K u >= 1") == 0);
  }
}

TEST_CASE("features: the design matrix of a tiny dataset, all rows and per coordinate") {
  const std::string ds = data_dir + "small_dataset.json";
  const nlohmann::json all = run_ok({"-q", "features", "--dataset", ds});
  CHECK(all["format"] == "mhla-features");
  CHECK(all["d"] == 2);
  CHECK(all["causal"] == false);
  CHECK(all["feature_dim"] == 6);
  CHECK(all["columns"] == nlohmann::json::parse("[[0,0,0],[0,0,1],[0,1,0],[0,1,1],[1,1,0],[1,1,1]]"));
  // phi(Z, b)[(j,k,l)] = G[j][k] Z[l][b]. Sample 0, b = 1: G = [[5,2],[2,1]], z = (2,1).
  // Sample 1 (Z = I, G = I): b = 0 -> z = (1,0), b = 1 -> z = (0,1).
  // Sample 2 (input only), b = 0: G = [[1/4,3/2],[3/2,9]], z = (1/2,3).
  CHECK(all["rows"] == nlohmann::json::parse(R"([
      {"sample": 0, "target": 0, "position": 1, "phi": ["10", "5", "4", "2", "2", "1"]},
      {"sample": 1, "target": 0, "position": 0, "phi": ["1", "0", "0", "0", "1", "0"]},
      {"sample": 1, "target": 1, "position": 1, "phi": ["0", "1", "0", "0", "0", "1"]},
      {"sample": 2, "target": null, "position": 0, "phi": ["1/8", "3/4", "3/4", "9/2", "9/2", "27"]}])"));
  const nlohmann::json a0 = run_ok({"-q", "features", "--dataset", ds, "--coordinate", "0"});
  CHECK(a0["coordinate"] == 0);
  REQUIRE(a0["rows"].size() == 2);
  CHECK(a0["rows"][0]["sample"] == 0);
  CHECK(a0["rows"][1]["position"] == 0);
  const nlohmann::json a1 = run_ok({"-q", "features", "--dataset", ds, "--coordinate", "1"});
  REQUIRE(a1["rows"].size() == 2);
  CHECK(a1["rows"][0]["sample"] == 1);
  CHECK(a1["rows"][1]["target"] == 1);
}
