// SPDX-License-Identifier: MIT
// mhla generate utm / construct utm through the real binary: the dataset's targets are the
// constructed model's exact outputs (dense evaluate_exact of the model file), determinism, the
// text format, and bad options (exit 2, nothing written).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

#include "cli/cli_harness.hpp"
#include "mhla/features/exact_fast.hpp"
#include "mhla/io/dataset_file.hpp"
#include "mhla/io/model_file.hpp"
#include "mhla/tasks/utm.hpp"

using mhla_test::run_mhla;
using mhla_test::slurp;
using mhla_test::TempDir;

TEST_CASE("generate utm and construct utm: the dataset is the constructed model's next tokens", "[tasks][cli][utm]") {
  TempDir dir;
  const std::vector<std::string> size{"--states", "2", "--alphabet", "2", "--input-length", "1", "--steps", "1"};
  std::vector<std::string> gen{"generate", "utm"};
  gen.insert(gen.end(), size.begin(), size.end());
  std::vector<std::string> g1 = gen, g2 = gen, g3 = gen, c = {"construct", "utm"};
  for (auto* g : {&g1, &g2}) g->insert(g->end(), {"--samples", "3", "--seed", "4", "-q", "-o"});
  g1.push_back(dir.file("a.json"));
  g2.push_back(dir.file("b.json"));
  g3.insert(g3.end(), {"--samples", "3", "--seed", "4", "--format", "text", "-q"});
  c.insert(c.end(), size.begin(), size.end());
  c.insert(c.end(), {"-q", "-o", dir.file("model.json")});
  REQUIRE(run_mhla(g1).status == 0);
  REQUIRE(run_mhla(g2).status == 0);
  REQUIRE(run_mhla(c).status == 0);
  CHECK(slurp(dir.file("a.json")) == slurp(dir.file("b.json")));
  const mhla::Dataset ds = mhla::read_dataset(dir.file("a.json"));
  const mhla::Model<mhla::Rational> model = mhla::read_model(dir.file("model.json"));
  const mhla::tasks::UtmLayout lay{2, 2, 1, 1};
  CHECK(model.d == lay.dim());
  CHECK(model.heads.size() == lay.heads());
  REQUIRE(ds.samples.size() == 3 * 1 * (2 + 3));
  for (const mhla::Sample& s : ds.samples) {
    const mhla::Matrix<mhla::Rational> Y = mhla::evaluate_exact(model, s.Z);
    for (std::size_t a = 0; a < ds.d; ++a) REQUIRE(*s.targets[0].y[a] == Y(a, s.Z.cols() - 1));
  }
  const auto text = run_mhla(g3);
  CHECK(text.status == 0);
  CHECK(std::count(text.out.begin(), text.out.end(), '\n') == 3);
  CHECK(std::count(text.out.begin(), text.out.end(), '#') == 3 * 1);
  CHECK(text.out.find("[q0]") != std::string::npos);
}

TEST_CASE("generate utm and construct utm: bad options exit 2 and write nothing", "[tasks][cli][utm]") {
  TempDir dir;
  const std::string out = dir.file("out.json");
  const std::vector<std::vector<std::string>> bad{
      {"construct", "utm", "--states", "0", "--alphabet", "2", "--input-length", "1", "--steps", "1", "-o", out},
      {"construct", "utm", "--states", "2", "--alphabet", "2", "--input-length", "1", "-o", out},
      {"construct", "utm", "--states", "2", "--alphabet", "2", "--input-length", "x", "--steps", "1", "-o", out},
      {"construct", "utm", "--states", "1000", "--alphabet", "1000", "--input-length", "1000", "--steps", "1000", "-o", out},
      {"generate", "utm", "--states", "2", "--alphabet", "2", "--input-length", "1", "--steps", "1", "--samples", "1",
       "--seed", "1", "--format", "xml", "-o", out},
      {"generate", "utm", "--states", "2", "--alphabet", "2", "--input-length", "0", "--steps", "1", "--samples", "1",
       "--seed", "1", "-o", out},
      {"generate", "utm", "--states", "2", "--alphabet", "2", "--input-length", "50", "--steps", "50", "--samples",
       "100000", "--seed", "1", "-o", out},
      {"generate", "utm", "--states", "1000000", "--alphabet", "1000000", "--input-length", "1000000", "--steps",
       "1000000", "--samples", "0", "--seed", "1", "-o", out},
  };
  for (const auto& args : bad) {
    INFO(args[0] << " " << args[1] << " " << args[3]);
    const auto r = run_mhla(args);
    CHECK(r.status == 2);
    CHECK(!std::filesystem::exists(out));
  }
}
