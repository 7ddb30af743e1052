// SPDX-License-Identifier: MIT
// mhla experiment heads [--quick] [--d L] [--samples L] [--tokens T] [--heads-list L] [--epochs E]
//                       [--runs R] [--seed S] [--lr R] [--batch B] [--out-dir DIR]
// The paper's Figure 1 (experiments/heads_experiment.hpp): binary64 SGD with H heads against the
// exact Algorithm 1 on a random single-head causal model. Writes DIR/heads.csv, DIR/heads.md and
// DIR/heads.png (skipped with a note when python3 or matplotlib is missing); prints a JSON
// summary on standard output and one progress line per run on standard error.
#include <memory>
#include <sstream>

#include "experiments.hpp"
#include "mhla/experiments/heads_experiment.hpp"
#include "mhla/io/json_output.hpp"
#include "mhla/support/error.hpp"
#include "mhla/tasks/size_options.hpp"

namespace mhla::cli {
namespace {

struct HeadsCliOptions {
  bool quick = false;
  std::string d = "2,4", samples = "512,2048", tokens = "100", heads = "1,2,4,8,16", epochs = "500", runs = "3",
              seed = "0", batch = "32";
  double lr = 0.01;
  std::string out_dir = "experiment-heads";
};

std::vector<std::size_t> parse_list(const std::string& name, const std::string& text, std::uint64_t min, std::uint64_t max) {
  std::vector<std::size_t> out;
  std::stringstream s(text);
  std::string item;
  while (std::getline(s, item, ',')) out.push_back(tasks::parse_count(name, item, min, max));
  if (out.empty()) fail(ErrorKind::usage, name + ": expected a comma-separated list of integers");
  return out;
}

int run_heads(const HeadsCliOptions& c, const GlobalOptions& global) {
  experiments::HeadsOptions o;
  if (c.quick) {
    o = experiments::quick_heads_options();
  } else {
    o.d_list = parse_list("--d", c.d, 1, 8);
    o.samples_list = parse_list("--samples", c.samples, 1, 1000000);
    o.tokens = tasks::parse_count("--tokens", c.tokens, 1, 100000);
    o.heads_list = parse_list("--heads-list", c.heads, 1, 1024);
    o.epochs = tasks::parse_count("--epochs", c.epochs, 0, 1000000);
    o.runs = tasks::parse_count("--runs", c.runs, 1, 1000);
    o.batch = tasks::parse_count("--batch", c.batch, 1, 1000000);
    o.learning_rate = c.lr;
  }
  o.seed = tasks::parse_count("--seed", c.seed, 0, UINT64_MAX);
  experiments::ensure_directory(c.out_dir);
  const experiments::HeadsResult result = experiments::run_heads_experiment(
      o, [&global](const std::string& line) { print_summary(global, "experiment heads", line); });
  const std::string csv = experiments::path_in(c.out_dir, "heads.csv"), png = experiments::path_in(c.out_dir, "heads.png"),
                    md = experiments::path_in(c.out_dir, "heads.md");
  experiments::write_csv(csv, experiments::heads_csv(result, o));
  const experiments::PlotResult plot = experiments::run_plot_script(experiments::heads_plot_script, csv, png);
  experiments::write_text(md, experiments::heads_summary(result, o, plot.message));

  OrderedJson settings = OrderedJson::array();
  for (const experiments::HeadsSetting& s : result.settings) {
    OrderedJson finals = OrderedJson::object();
    for (const experiments::HeadsCurve& curve : s.curves)
      finals["H=" + std::to_string(curve.heads) + ",run=" + std::to_string(curve.run)] =
          experiments::csv_number(curve.validation_mse.back());
    settings.push_back(OrderedJson{{"d", s.d},
                                   {"samples", s.samples},
                                   {"exact_train_risk", to_string(s.exact.train_risk)},
                                   {"exact_validation_risk", to_string(s.exact.validation_risk)},
                                   {"exact_equals_generator", s.exact.equals_truth},
                                   {"exact_heads", s.exact.model.heads.size()},
                                   {"full_gram_ols_mse_binary64", experiments::csv_number(s.full_gram.mse)},
                                   {"sgd_final_validation_mse_binary64", std::move(finals)}});
  }
  OrderedJson doc{{"format", "mhla-experiment-heads"}, {"version", 1}, {"csv", csv}, {"markdown", md},
                  {"plot", plot.produced ? OrderedJson(png) : OrderedJson(nullptr)}, {"plot_note", plot.message},
                  {"settings", std::move(settings)}};
  write_json_file("-", doc);
  print_summary(global, "experiment heads", "wrote " + csv + ", " + md + "; " + plot.message);
  return 0;
}

}  // namespace

Subcommand add_experiment_heads(CLI::App& experiment) {
  auto c = std::make_shared<HeadsCliOptions>();
  CLI::App* sub = experiment.add_subcommand("heads", "Figure 1: SGD with H heads vs exact Algorithm 1 (random causal model)");
  sub->add_flag("--quick", c->quick, "Tiny sizes for a smoke test (d = 2, N = 32, T = 8, H in 1,2,4, 200 epochs)");
  sub->add_option("--d", c->d, "Dimensions d (comma-separated; default 2,4)");
  sub->add_option("--samples", c->samples, "Training samples N; validation has N too (default 512,2048)");
  sub->add_option("--tokens", c->tokens, "Tokens per input T (default 100)");
  sub->add_option("--heads-list", c->heads, "Head counts H for SGD (default 1,2,4,8,16)");
  sub->add_option("--epochs", c->epochs, "SGD epochs (default 500)");
  sub->add_option("--runs", c->runs, "SGD runs (seeds) per setting (default 3, as the paper's standard errors)");
  sub->add_option("--seed", c->seed, "Seed of the data and of the runs (default 0)");
  sub->add_option("--lr", c->lr, "Adam peak learning rate (default 0.01)")->check(CLI::PositiveNumber);
  sub->add_option("--batch", c->batch, "Samples per step (default 32)");
  sub->add_option("--out-dir", c->out_dir, "Output directory (default experiment-heads)");
  sub->footer(
      "Writes heads.csv (every epoch of every run), heads.md (summary against the paper's claim) and heads.png.\n"
      "SGD is binary64 Adam (approximate, labelled); exact Algorithm 1 reaches loss exactly 0 (rational arithmetic).");
  return {sub, [c](const GlobalOptions& global) { return run_heads(*c, global); }};
}

}  // namespace mhla::cli
