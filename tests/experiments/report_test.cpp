// SPDX-License-Identifier: MIT
// The experiments' report helpers: CSV quoting and widths, markdown tables, directories, and
// the embedded-plot runner (PNG produced when python3 + matplotlib exist; failures reported).
#include <catch2/catch.hpp>

#include <filesystem>

#include "cli/cli_harness.hpp"
#include "mhla/experiments/report.hpp"
#include "mhla/support/error.hpp"

using namespace mhla::experiments;

namespace {

bool have_matplotlib() {
  return std::system("/usr/bin/python3 -c 'import matplotlib' >/dev/null 2>&1") == 0;
}

}  // namespace

TEST_CASE("render_csv quotes fields with commas, quotes and newlines", "[report]") {
  CsvTable t{{"a", "b,c"}, {{"1", "say \"hi\""}, {"x\ny", "plain"}}};
  CHECK(render_csv(t) == "a,\"b,c\"\n1,\"say \"\"hi\"\"\"\n\"x\ny\",plain\n");
  t.rows.push_back({"only one"});
  CHECK_THROWS_AS(render_csv(t), mhla::Error);
}

TEST_CASE("markdown_table renders a pipe table and escapes pipes", "[report]") {
  const CsvTable t{{"H", "loss"}, {{"1", "a|b"}}};
  CHECK(markdown_table(t) == "| H | loss |\n| --- | --- |\n| 1 | a\\|b |\n");
}

TEST_CASE("csv_number round-trips binary64 and names non-finite values", "[report]") {
  CHECK(csv_number(0.1) == "0.1");
  CHECK(std::stod(csv_number(1.0 / 3)) == 1.0 / 3);
  CHECK(csv_number(std::nan("")) == "nan");
  CHECK(csv_number(-HUGE_VAL) == "-inf");
}

TEST_CASE("write_csv and ensure_directory create nested output", "[report]") {
  mhla_test::TempDir dir;
  const std::string sub = dir.file("a/b");
  ensure_directory(sub);
  write_csv(path_in(sub, "t.csv"), CsvTable{{"x"}, {{"1"}, {"2"}}});
  CHECK(mhla_test::slurp(path_in(sub, "t.csv")) == "x\n1\n2\n");
  dir.write("file", "x");
  CHECK_THROWS_AS(ensure_directory(dir.file("file")), mhla::Error);
  CHECK(path_in("", "f") == "f");
  CHECK(path_in("d/", "f") == "d/f");
}

TEST_CASE("run_plot_script draws a PNG, or reports why not", "[report]") {
  mhla_test::TempDir dir;
  const std::string csv = dir.file("t.csv"), png = dir.file("t.png");
  write_csv(csv, CsvTable{{"x", "y"}, {{"0", "1"}, {"1", "2"}}});
  const char* script = R"PY(
import csv
rows = list(csv.DictReader(open(sys.argv[1])))
plt.plot([float(r["x"]) for r in rows], [float(r["y"]) for r in rows])
plt.savefig(sys.argv[2])
)PY";
  const PlotResult missing = run_plot_script(script, csv, png, dir.file("no-python"));
  CHECK_FALSE(missing.produced);
  CHECK(missing.message.find("not found") != std::string::npos);
  const PlotResult broken = run_plot_script("raise ValueError('boom')\n", csv, png);
  CHECK_FALSE(broken.produced);
  CHECK_FALSE(dir.exists("t.png"));
  if (have_matplotlib()) {
    CHECK(broken.message.find("boom") != std::string::npos);
    const PlotResult ok = run_plot_script(script, csv, png);
    CHECK(ok.produced);
    CHECK(mhla_test::slurp(png).substr(1, 3) == "PNG");
  }
  CHECK(dir.entry_count() == (have_matplotlib() ? 2u : 1u));  // no temporary files left behind
}
