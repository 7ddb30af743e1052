// SPDX-License-Identifier: MIT
// mhla learn and mhla equiv through the real binary: the round trip model -> data -> learn ->
// equivalent model, non-equivalent pairs with a verified distinguishing input, bad input.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "cli/cli_harness.hpp"

namespace {

nlohmann::json run_json(const std::vector<std::string>& args, int expected_status) {
  const mhla_test::RunResult r = mhla_test::run_mhla(args);
  INFO("stderr: " << r.err);
  REQUIRE(r.status == expected_status);
  return nlohmann::json::parse(r.out);
}

}  // namespace

TEST_CASE("learn on identifiable associative-memory data recovers the generator exactly", "[cli][learn][equiv]") {
  const mhla_test::TempDir dir;
  const std::string learned = dir.file("learned.json");
  const nlohmann::json model =
      run_json({"-q", "learn", "--dataset", MHLA_SOURCE_DIR "/data/demo/assoc-random.json", "-o", "-"}, 0);
  CHECK(model["format"] == "mhla-model");
  CHECK(model["learned"]["unique"] == true);
  CHECK(model["learned"]["training_loss"] == "0");
  CHECK(model["learned"]["coordinates"][2]["rank"] == 40);
  CHECK(model["learned"]["coordinates"][0]["observed"] == false);
  REQUIRE(mhla_test::run_mhla({"-q", "learn", "--dataset", MHLA_SOURCE_DIR "/data/demo/assoc-random.json", "-o", learned}).status == 0);
  const nlohmann::json e =
      run_json({"-q", "equiv", "--model", learned, "--model", MHLA_SOURCE_DIR "/data/demo/assoc-model.json"}, 0);
  CHECK(e["equivalent"] == true);
}

TEST_CASE("learn on non-identifiable data reports a minimum-norm minimiser and its solution set", "[cli][learn]") {
  const nlohmann::json model =
      run_json({"-q", "learn", "--dataset", MHLA_SOURCE_DIR "/data/demo/assoc-orthogonal.json"}, 0);
  CHECK(model["learned"]["unique"] == false);
  CHECK(model["learned"]["coordinates"][2]["rank"] == 36);
  CHECK(model["learned"]["coordinates"][2]["solution_dim"] == 4);
  CHECK(model["learned"]["training_loss"] == "0");
}

TEST_CASE("equiv: a changed model differs at an input where both outputs are printed", "[cli][equiv]") {
  const mhla_test::TempDir dir;
  const std::string a = dir.write("a.json", R"({"format": "mhla-model", "version": 1, "d": 2,
    "heads": [{"V": [[1, 2], [0, 1]], "Q": [[0, 1], [1, "1/2"]]}]})");
  // The same function written with the head split in two and rescaled.
  const std::string b = dir.write("b.json", R"({"format": "mhla-model", "version": 1, "d": 2,
    "heads": [{"V": [["1/2", 1], [0, "1/2"]], "Q": [[0, 1], [1, "1/2"]]}, {"V": [[1, 2], [0, 1]], "Q": [[0, "1/2"], ["1/2", "1/4"]]}]})");
  const std::string c = dir.write("c.json", R"({"format": "mhla-model", "version": 1, "d": 2,
    "heads": [{"V": [[1, 2], [0, 1]], "Q": [[0, 1], [1, 1]]}]})");
  CHECK(run_json({"-q", "equiv", "--model", a, "--model", b}, 0)["equivalent"] == true);
  const nlohmann::json e = run_json({"-q", "equiv", "--model", a, "--model", c}, 1);
  CHECK(e["equivalent"] == false);
  CHECK(e["outputs"][0] != e["outputs"][1]);
  // The printed input really separates them: evaluate both on it.
  std::string Z = e["distinguishing_input"]["Z"].dump();
  const std::string input = dir.write("z.json", R"({"format": "mhla-dataset", "version": 1, "d": 2, "samples": [{"Z": )" + Z + "}]}");
  const std::size_t b_pos = e["distinguishing_input"]["position"].get<std::size_t>();
  const nlohmann::json ya = run_json({"-q", "eval", "--model", a, "--input", input}, 0);
  const nlohmann::json yc = run_json({"-q", "eval", "--model", c, "--input", input}, 0);
  for (std::size_t r = 0; r < 2; ++r) {
    CHECK(ya["outputs"][0]["Y"][r][b_pos] == e["outputs"][0][r]);
    CHECK(yc["outputs"][0]["Y"][r][b_pos] == e["outputs"][1][r]);
  }
}

TEST_CASE("equiv and learn refuse bad input with exit 2 and one line", "[cli][equiv][learn]") {
  const mhla_test::TempDir dir;
  const std::string a = dir.write("a.json", R"({"format": "mhla-model", "version": 1, "d": 2, "heads": []})");
  const std::string b = dir.write("b.json", R"({"format": "mhla-model", "version": 1, "d": 3, "heads": []})");
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"equiv", "--model", a, "--model", b},
           {"equiv", "--model", a},
           {"learn", "--dataset", dir.file("missing.json")},
           {"learn", "--dataset", a}}) {
    const mhla_test::RunResult r = mhla_test::run_mhla(args);
    INFO(r.err);
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
}
