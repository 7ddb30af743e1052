// SPDX-License-Identifier: MIT
// The bad-input corpus: every case of tests/data/bad/manifest.tsv is run through the real
// binary in a fresh directory. A case of exit 2 must print nothing on standard output and
// exactly one line on standard error containing the case's fragment (which names the file);
// a case of exit 1 (a certificate that is well formed but wrong) prints its fragment on
// standard output. In every case nothing is written: the directory holds the same files with
// the same bytes afterwards (no output file, no temporary file, no input replaced).
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli_harness.hpp"

using mhla_test::run_mhla;
using mhla_test::slurp;
using mhla_test::TempDir;

namespace {

const std::string corpus_dir = MHLA_SOURCE_DIR "/tests/data/bad";

struct Case {
  std::string name, file, args, fragment;
  int status = 0;
};

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, sep)) parts.push_back(part);
  return parts;
}

std::vector<Case> read_manifest() {
  std::ifstream in(corpus_dir + "/manifest.tsv");
  REQUIRE(in);
  std::vector<Case> cases;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const std::vector<std::string> c = split(line, '\t');
    REQUIRE(c.size() == 5);
    cases.push_back({c[0], c[1], c[2], c[4], std::stoi(c[3])});
  }
  return cases;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
  return s;
}

// Every file under root with its bytes.
std::map<std::string, std::string> snapshot(const std::string& root) {
  std::map<std::string, std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root))
    files[e.path().string()] = e.is_regular_file() ? slurp(e.path().string()) : std::string("<not a file>");
  return files;
}

std::size_t line_count(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

}  // namespace

TEST_CASE("bad-input corpus: every case answers as the manifest says and writes nothing", "[cli][corpus]") {
  const std::vector<Case> cases = read_manifest();
  REQUIRE(cases.size() >= 60);
  // Every file of the corpus is used by some case (so none is dead), and every case's file exists.
  for (const auto& e : std::filesystem::directory_iterator(corpus_dir)) {
    const std::string name = e.path().filename().string();
    if (name == "manifest.tsv") continue;
    CHECK(std::any_of(cases.begin(), cases.end(), [&](const Case& c) { return c.file == name; }));
  }
  for (const Case& c : cases) {
    INFO("case " << c.name << ": mhla " << c.args);
    TempDir dir;
    std::string f;
    if (c.file[0] == '!') {  // made here: too large to commit
      REQUIRE(c.file == "!million_digits.json");
      f = dir.write(c.file.substr(1), R"({"format": "mhla-dataset", "version": 1, "d": 1, "causal": false, "samples": [{"Z": [[)" +
                                          std::string(1000001, '7') + R"(]], "y": [1]}]})");
    } else {
      REQUIRE(std::filesystem::exists(corpus_dir + "/" + c.file));
      f = dir.file(c.file);
      std::filesystem::copy_file(corpus_dir + "/" + c.file, f);
    }
    const std::string ds = dir.file("ds.json"), model = dir.file("model.json"), cert = dir.file("cert.json");
    std::filesystem::copy_file(MHLA_SOURCE_DIR "/tests/data/small_dataset.json", ds);
    std::filesystem::copy_file(MHLA_SOURCE_DIR "/tests/data/small_model.json", model);
    if (c.args.find("{CERT}") != std::string::npos)
      REQUIRE(run_mhla({"certify", "--quiet", "--dataset", ds, "-o", cert}).status == 1);  // small_dataset is not identifiable
    const std::string ro = dir.write("ro.json", "keep");
    ::chmod(ro.c_str(), 0444);
    const std::string root = std::filesystem::path(f).parent_path().string();
    const std::map<std::string, std::string> placeholders{{"{F}", f},           {"{OUT}", dir.file("out.json")},
                                                          {"{MISSING}", dir.file("no/such/out.json")},
                                                          {"{RO}", ro},         {"{DS}", ds},
                                                          {"{MODEL}", model},   {"{CERT}", cert},
                                                          {"{DIR}", root}};
    auto expand = [&](std::string s) {
      for (const auto& [from, to] : placeholders) s = replace_all(s, from, to);
      return s;
    };
    std::vector<std::string> args;
    for (const std::string& a : split(c.args, ' ')) args.push_back(expand(a));
    const std::string fragment = expand(c.fragment);
    const std::map<std::string, std::string> before = snapshot(root);
    const mhla_test::RunResult r = run_mhla(args);
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    CHECK(r.status == c.status);
    if (c.status == 2) {
      CHECK(r.out.empty());
      CHECK(line_count(r.err) == 1);
      CHECK(r.err.find(fragment) != std::string::npos);
    } else {
      CHECK(line_count(r.out) == 1);
      CHECK(r.out.find(fragment) != std::string::npos);
    }
    CHECK(snapshot(root) == before);
  }
}
