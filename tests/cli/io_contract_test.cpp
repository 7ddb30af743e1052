// SPDX-License-Identifier: MIT
// The file contract through the real binary: unknown keys and NUL bytes are bad input (exit 2,
// one line naming the file, the JSON path and the key it resembles); -o never replaces an input
// of the run or a read-only file; a SIGTERM while the output is being written leaves neither
// the output nor its temporary file, and exits 143.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/cli_harness.hpp"

using mhla_test::run_mhla;
using mhla_test::slurp;
using mhla_test::TempDir;

namespace {

const std::string model_d1 = R"({"format": "mhla-model", "version": 1, "d": 1, "heads": [{"V": [[2]], "Q": [[3]]}]})";

// exit 2, one line on standard error with every fragment, nothing on standard output, no -o file.
void expect_bad(const TempDir& dir, std::vector<std::string> args, const std::vector<std::string>& fragments) {
  args.push_back("-o");
  args.push_back(dir.file("out.json"));
  const mhla_test::RunResult r = run_mhla(args);
  INFO("stderr: " << r.err);
  CHECK(r.status == 2);
  CHECK(r.out.empty());
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  for (const std::string& f : fragments) CHECK(r.err.find(f) != std::string::npos);
  CHECK_FALSE(dir.exists("out.json"));
}

}  // namespace

TEST_CASE("unknown keys are bad input, with the known key they resemble") {
  TempDir dir;
  const std::string Y = dir.write("Y.json", R"({"format": "mhla-dataset", "version": 1, "d": 1,
    "samples": [{"Z": [[1, 2]], "Y": [3]}]})");
  expect_bad(dir, {"certify", "--dataset", Y}, {"Y.json", "$.samples[0].Y", "unknown key \"Y\"", "did you mean \"y\"?"});
  const std::string causal = dir.write("causal.json", R"({"format": "mhla-dataset", "version": 1, "d": 1, "Causal": true,
    "samples": [{"Z": [[1, 2]], "y": [3]}]})");
  expect_bad(dir, {"certify", "--dataset", causal}, {"$.Causal", "did you mean \"causal\"?"});
  const std::string target = dir.write("target.json", R"({"format": "mhla-dataset", "version": 1, "d": 1,
    "samples": [{"Z": [[1, 2]], "targets": [{"positon": 0, "y": [1]}]}]})");
  expect_bad(dir, {"certify", "--dataset", target}, {"$.samples[0].targets[0].positon", "did you mean \"position\"?"});
  const std::string far = dir.write("far.json", R"({"format": "mhla-dataset", "version": 1, "d": 1, "zzzzzz": 1,
    "samples": []})");
  const mhla_test::RunResult r = run_mhla({"certify", "--dataset", far});
  CHECK(r.status == 2);
  CHECK(r.err.find("unknown key \"zzzzzz\"") != std::string::npos);
  CHECK(r.err.find("did you mean") == std::string::npos);  // nothing is close
  const std::string head = dir.write("head.json", R"({"format": "mhla-model", "version": 1, "d": 1,
    "heads": [{"V": [[2]], "Q": [[3]], "K": [[1]]}]})");
  const std::string inputs = dir.write("in.json", R"({"format": "mhla-dataset", "version": 1, "d": 1, "samples": [{"Z": [[1]]}]})");
  expect_bad(dir, {"eval", "--model", head, "--input", inputs}, {"$.heads[0].K", "unknown key \"K\""});
  // The informational objects mhla writes itself are ignored by name: learn's output reads back.
  const std::string learned = dir.write("learned.json", R"({"format": "mhla-model", "version": 1, "d": 1,
    "heads": [{"V": [[2]], "Q": [[3]]}], "learned": {"anything": 1}, "description": "x"})");
  CHECK(run_mhla({"eval", "--model", learned, "--input", inputs}).status == 0);
}

TEST_CASE("a NUL byte in JSON text is bad input (the JSON library would stop reading there)") {
  TempDir dir;
  std::string text = model_d1;
  text.push_back('\0');
  text += "garbage";
  const std::string m = dir.write("nul.json", text);
  const std::string inputs = dir.write("in.json", R"({"format": "mhla-dataset", "version": 1, "d": 1, "samples": [{"Z": [[1]]}]})");
  expect_bad(dir, {"eval", "--model", m, "--input", inputs}, {"nul.json:1:", "NUL byte"});
}

TEST_CASE("-o never replaces an input of the run or a read-only file") {
  TempDir dir;
  const std::string m = dir.write("model.json", model_d1);
  const std::string inputs = dir.write("in.json", R"({"format": "mhla-dataset", "version": 1, "d": 1, "samples": [{"Z": [[1]]}]})");
  const std::string before = slurp(inputs);
  mhla_test::RunResult r = run_mhla({"eval", "--model", m, "--input", inputs, "-o", inputs});
  CHECK(r.status == 2);
  CHECK(r.err.find("is also an input of this run") != std::string::npos);
  CHECK(slurp(inputs) == before);
  const std::string locked = dir.write("locked.json", "keep");
  ::chmod(locked.c_str(), 0444);
  r = run_mhla({"eval", "--model", m, "--input", inputs, "-o", locked});
  CHECK(r.status == 2);
  CHECK(r.err.find("read-only") != std::string::npos);
  CHECK(slurp(locked) == "keep");
  CHECK(dir.entry_count() == 3);  // no temporary file either
}

TEST_CASE("SIGTERM while the output is being written: no output, no temporary file, exit 143") {
  TempDir dir;
  const std::string m = dir.write("model.json", model_d1);
  const std::string inputs = dir.write("in.json", R"({"format": "mhla-dataset", "version": 1, "d": 1, "samples": [{"Z": [[1]]}]})");
  // The hook holds the complete temporary file in place for up to 30 s; the script waits until
  // it exists, then sends SIGTERM.
  const std::string script = "cd '" + dir.file("") + "' || exit 1; MHLA_TEST_PAUSE_BEFORE_RENAME=30 '" MHLA_BINARY
                             "' eval --model model.json --input in.json -o out.json 2>err & pid=$!; "
                             "i=0; while [ $i -lt 300 ] && ! ls -a | grep -q '^\\.out\\.json\\.tmp-'; do sleep 0.1; i=$((i+1)); done; "
                             "ls -a | grep -c '^\\.out\\.json\\.tmp-' > seen; kill -TERM $pid; wait $pid; echo $? > status";
  REQUIRE(std::system(script.c_str()) == 0);
  CHECK(slurp(dir.file("seen")) == "1\n");  // the window was really hit
  CHECK(slurp(dir.file("status")) == "143\n");
  CHECK_FALSE(dir.exists("out.json"));
  for (const auto& e : std::filesystem::directory_iterator(dir.file("")))
    CHECK(e.path().filename().string().find(".tmp-") == std::string::npos);
}

TEST_CASE("misspelt subcommands and options are named, with the nearest known one") {
  mhla_test::RunResult r = run_mhla({"certfy", "--dataset", "x.json"});
  CHECK(r.status == 2);
  CHECK(r.err.find("unknown subcommand certfy (did you mean certify?)") != std::string::npos);
  r = run_mhla({"certify", "--datset", "x.json"});
  CHECK(r.status == 2);
  CHECK(r.err.find("unknown option --datset for certify (did you mean --dataset?)") != std::string::npos);
  r = run_mhla({"--memory-limit", "2", "certify", "--dataset=x.json", "--no-lamda-min"});
  CHECK(r.status == 2);
  CHECK(r.err.find("unknown option --no-lamda-min for certify (did you mean --no-lambda-min?)") != std::string::npos);
  r = run_mhla({"certify"});  // nothing misspelt: CLI11's own message stays
  CHECK(r.status == 2);
  CHECK(r.err.find("--dataset") != std::string::npos);
  CHECK(r.err.find("unknown") == std::string::npos);
}

TEST_CASE("an allocation failure inside GMP is exit 2 with one line, never an abort") {
  TempDir dir;
  const std::string big = "1" + std::string(20000, '0');  // about 8 KB as a GMP integer
  const std::string data = dir.write("big.json", R"({"format": "mhla-dataset", "version": 1, "d": 1, "samples": [{"Z": [[)" +
                                                     big + R"(]], "y": [1]}]})");
  ::setenv("MHLA_TEST_GMP_ALLOCATION_LIMIT", "4096", 1);
  const mhla_test::RunResult r = run_mhla({"features", "--dataset", data, "-o", dir.file("out.json")});
  ::unsetenv("MHLA_TEST_GMP_ALLOCATION_LIMIT");
  INFO(r.err);
  CHECK(r.status == 2);
  CHECK(r.err.rfind("mhla: out of memory", 0) == 0);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(dir.entry_count() == 1);  // neither the output nor a temporary file
  CHECK(run_mhla({"features", "--dataset", data, "-o", dir.file("out.json")}).status == 0);  // without the hook
}

TEST_CASE("misspelt tasks of generate, construct and experiment are named too") {
  mhla_test::RunResult r = run_mhla({"generate", "asoc", "--samples", "3"});
  CHECK(r.status == 2);
  CHECK(r.err.find("unknown generate task asoc (did you mean assoc?)") != std::string::npos);
  r = run_mhla({"construct", "dfq"});
  CHECK(r.status == 2);
  CHECK(r.err.find("unknown construct task dfq (did you mean dfa?)") != std::string::npos);
  r = run_mhla({"generate", "random", "--sampels", "3"});
  CHECK(r.status == 2);
  CHECK(r.err.find("unknown option --sampels for generate random (did you mean --samples?)") != std::string::npos);
}
