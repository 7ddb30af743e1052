// SPDX-License-Identifier: MIT
// mhla experiment certificate [--quick] [--pairs m] [--samples N] [--p-list L] [--heads-list L]
//                             [--epochs E] [--lr R] [--batch B] [--seed S] [--out-dir DIR]
// The paper's Figure 2 (experiments/certificate_experiment.hpp): per fraction p of exactly
// orthogonal samples in the associative memory, the exact verdict, the proven lambda_min
// enclosure next to the binary64 value, and ||p(true) - p(learned)|| for exact Algorithm 1 and
// binary64 SGD. Writes DIR/certificate.csv, DIR/certificate.md, DIR/certificate.png (skipped with a
// note when python3 or matplotlib is missing); prints a JSON summary on standard output.
#include <memory>
#include <sstream>

#include "experiments.hpp"
#include "mhla/arith/scalar_text.hpp"
#include "mhla/experiments/certificate_experiment.hpp"
#include "mhla/io/json_output.hpp"
#include "mhla/support/error.hpp"
#include "mhla/tasks/size_options.hpp"

namespace mhla::cli {
namespace {

struct CertificateCliOptions {
  bool quick = false;
  std::string pairs = "2", samples = "16384", p_list = "0.95,0.96,0.97,0.98,0.99,1", heads = "1,2,4,8",
              epochs = "100", seed = "0", batch = "32";
  double lr = 0.01;
  std::string out_dir = "experiment-certificate";
};

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream s(text);
  std::string item;
  while (std::getline(s, item, ',')) out.push_back(item);
  return out;
}

int run_certificate(const CertificateCliOptions& c, const GlobalOptions& global) {
  experiments::CertificateOptions o;
  if (c.quick) {
    o = experiments::quick_certificate_options();
  } else {
    o.pairs = tasks::parse_count("--pairs", c.pairs, 1, 4);
    o.samples = tasks::parse_count("--samples", c.samples, 1, 10000000);
    o.p_list.clear();
    for (const std::string& item : split(c.p_list)) {
      const ScalarParse p = parse_exact_scalar(item);
      if (!p || *p.value < 0 || *p.value > 1)
        fail(ErrorKind::usage, "--p-list: " + quote_for_message(item) + " is not a number in [0, 1]");
      o.p_list.push_back(*p.value);
    }
    if (o.p_list.empty()) fail(ErrorKind::usage, "--p-list: expected a comma-separated list of numbers in [0, 1]");
    o.heads_list.clear();
    for (const std::string& item : split(c.heads)) o.heads_list.push_back(tasks::parse_count("--heads-list", item, 1, 1024));
    o.epochs = tasks::parse_count("--epochs", c.epochs, 0, 1000000);
    o.batch = tasks::parse_count("--batch", c.batch, 1, 1000000);
    o.learning_rate = c.lr;
  }
  o.seed = tasks::parse_count("--seed", c.seed, 0, UINT64_MAX / 2);
  experiments::ensure_directory(c.out_dir);
  const experiments::CertificateResult result = experiments::run_certificate_experiment(
      o, [&global](const std::string& line) { print_summary(global, "experiment certificate", line); });
  const std::string csv = experiments::path_in(c.out_dir, "certificate.csv"),
                    png = experiments::path_in(c.out_dir, "certificate.png"),
                    md = experiments::path_in(c.out_dir, "certificate.md");
  experiments::write_csv(csv, experiments::certificate_csv(result));
  const experiments::PlotResult plot = experiments::run_plot_script(experiments::certificate_plot_script, csv, png);
  experiments::write_text(md, experiments::certificate_summary(result, o, plot.message));

  OrderedJson points = OrderedJson::array();
  for (const experiments::CertificatePoint& p : result.points) {
    OrderedJson distances = OrderedJson::object();
    for (const experiments::LearnerDistance& l : p.learners)
      distances[l.learner == "sgd" ? "sgd_H=" + std::to_string(l.heads) + "_binary64" : "exact_algorithm_1"] =
          l.learner == "sgd" ? experiments::csv_number(l.distance) : l.distance_squared_exact;
    points.push_back(OrderedJson{
        {"p", to_string(p.p)},
        {"orthogonal_samples", p.orthogonal_samples},
        {"identifiable", p.identifiable},
        {"rank", p.rank},
        {"lambda_min", p.lambda.computed ? OrderedJson{{"lower", to_string(p.lambda.lower)}, {"upper", to_string(p.lambda.upper)}}
                                         : OrderedJson{{"skipped", p.lambda.skipped_reason}}},
        {"float_lambda_min_binary64", experiments::csv_number(p.float_lambda.uncentred)},
        {"float_lambda_min_centred_binary64", experiments::csv_number(p.float_lambda.centred)},
        {"distances", std::move(distances)},
        {"distances_note", "exact_algorithm_1: the exact squared distance; sgd: binary64 distance"}});
  }
  OrderedJson doc{{"format", "mhla-experiment-certificate"}, {"version", 1}, {"csv", csv}, {"markdown", md},
                  {"plot", plot.produced ? OrderedJson(png) : OrderedJson(nullptr)}, {"plot_note", plot.message},
                  {"points", std::move(points)}};
  write_json_file("-", doc);
  print_summary(global, "experiment certificate", "wrote " + csv + ", " + md + "; " + plot.message);
  return 0;
}

}  // namespace

Subcommand add_experiment_certificate(CLI::App& experiment) {
  auto c = std::make_shared<CertificateCliOptions>();
  CLI::App* sub = experiment.add_subcommand(
      "certificate", "Figure 2: exact verdict, proven lambda_min and parameter distance vs fraction of orthogonal keys");
  sub->add_flag("--quick", c->quick, "Tiny sizes for a smoke test (N = 160, p in 0.9,1, H in 1,2, 20 epochs)");
  sub->add_option("--pairs", c->pairs, "Key/value pairs m; embedding 2m (default 2: the paper's embedding 4)");
  sub->add_option("--samples", c->samples, "Samples N per p (default 16384 = 2^14, as the paper)");
  sub->add_option("--p-list", c->p_list, "Fractions p of orthogonal samples, exact decimals (default 0.95,...,1)");
  sub->add_option("--heads-list", c->heads, "Head counts H for SGD (default 1,2,4,8)");
  sub->add_option("--epochs", c->epochs, "SGD epochs (default 100)");
  sub->add_option("--lr", c->lr, "Adam learning rate (default 0.01)")->check(CLI::PositiveNumber);
  sub->add_option("--batch", c->batch, "Samples per step (default 32)");
  sub->add_option("--seed", c->seed, "Seed of the data and of the runs (default 0)");
  sub->add_option("--out-dir", c->out_dir, "Output directory (default experiment-certificate)");
  sub->footer(
      "Writes certificate.csv, certificate.md and certificate.png. Verdicts are exact (certify); lambda_min is a\n"
      "proven rational enclosure, shown next to the binary64 value a float pipeline reports (labelled); the\n"
      "distance is exact for exact Algorithm 1 and binary64 for SGD (approximate).");
  return {sub, [c](const GlobalOptions& global) { return run_certificate(*c, global); }};
}

}  // namespace mhla::cli
