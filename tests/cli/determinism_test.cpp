// SPDX-License-Identifier: MIT
// Determinism: the same inputs and options give byte-identical outputs, whatever the working
// directory, the environment (locale, time zone, thread hints) and the address layout (every
// run is a fresh process under ASLR): generate, certify, learn and verify.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/cli_harness.hpp"

using mhla_test::run_mhla;
using mhla_test::slurp;
using mhla_test::TempDir;

namespace {

// Runs the same pipeline into dir; returns the bytes of every output file, in order.
std::vector<std::string> pipeline(const TempDir& dir) {
  std::vector<std::string> out;
  const auto must = [](const mhla_test::RunResult& r) {
    INFO(r.err);
    REQUIRE((r.status == 0 || r.status == 1));
  };
  must(run_mhla({"generate", "random", "--d", "3", "--heads", "2", "--tokens", "4", "--samples", "40", "--seed", "5",
                 "--noise", "0.01", "-o", dir.file("data.json"), "--model-out", dir.file("model.json")}));
  must(run_mhla({"generate", "assoc", "--pairs", "2", "--keys", "orthogonal", "--samples", "6", "--seed", "2", "-o",
                 dir.file("assoc.json")}));
  must(run_mhla({"certify", "--dataset", dir.file("data.json"), "-o", dir.file("cert.json")}));
  must(run_mhla({"certify", "--dataset", dir.file("assoc.json"), "-o", dir.file("assoc-cert.json")}));
  must(run_mhla({"learn", "--dataset", dir.file("data.json"), "-o", dir.file("learned.json")}));
  const mhla_test::RunResult v = run_mhla({"verify", "--dataset", dir.file("assoc.json"), "--certificate", dir.file("assoc-cert.json")});
  for (const char* name : {"data.json", "model.json", "assoc.json", "cert.json", "assoc-cert.json", "learned.json"})
    out.push_back(slurp(dir.file(name)));
  out.push_back(v.out);
  return out;
}

}  // namespace

TEST_CASE("generate, certify, learn and verify are byte-identical across directories and environments") {
  TempDir first, second;
  const std::vector<std::string> a = pipeline(first);
  const std::filesystem::path saved = std::filesystem::current_path();
  std::filesystem::current_path(second.file(""));
  ::setenv("LC_ALL", "C.UTF-8", 1);
  ::setenv("TZ", "Asia/Tokyo", 1);
  ::setenv("OMP_NUM_THREADS", "1", 1);
  ::setenv("OPENBLAS_NUM_THREADS", "1", 1);
  const std::vector<std::string> b = pipeline(second);
  ::unsetenv("LC_ALL");
  ::unsetenv("TZ");
  ::unsetenv("OMP_NUM_THREADS");
  ::unsetenv("OPENBLAS_NUM_THREADS");
  std::filesystem::current_path(saved);
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    INFO("output " << i);
    CHECK(!a[i].empty());
    CHECK(a[i] == b[i]);
  }
}
