// SPDX-License-Identifier: MIT
// mhla experiment dfa [--quick] [--states-list L] [--alphabet-list L] [--lengths L] [--base S,A,L]
//                     [--seed N] [--domain-cap N] [--max-traces N] [--test-traces N] [--out-dir DIR]
// The exact counterpart of the paper's Figure 4 (experiments/dfa_requirement.hpp): three
// sweeps as in the paper, each varying one of S, A, L with the other two at the base values.
// Writes DIR/dfa.csv, DIR/dfa.md, DIR/dfa.png (the plot is skipped with a note when python3 or
// matplotlib is missing) and prints the cells as JSON on standard output.
#include <sstream>

#include "experiments.hpp"
#include "mhla/experiments/dfa_report.hpp"
#include "mhla/io/files.hpp"
#include "mhla/io/json_output.hpp"
#include "mhla/support/error.hpp"
#include "mhla/tasks/size_options.hpp"

namespace mhla::cli {
namespace {

struct DfaExperimentOptions {
  bool quick = false;
  std::string states = "2,3,4,5,6,8", alphabet = "2,3,4,5,6", lengths = "2,3,4,5,6", base = "4,4,4";
  std::string seed = "1", domain_cap = "4096", max_traces = "20000", test_traces = "200";
  std::string out_dir = "experiment-dfa";
};

std::vector<std::size_t> parse_list(const std::string& name, const std::string& text, std::size_t max) {
  std::vector<std::size_t> out;
  std::stringstream s(text);
  std::string item;
  while (std::getline(s, item, ',')) out.push_back(tasks::parse_count(name, item, 1, max));
  if (out.empty()) fail(ErrorKind::usage, name + ": expected a comma-separated list of positive integers");
  return out;
}

int run_dfa_experiment(const DfaExperimentOptions& o, const std::string& command_line, const GlobalOptions& global) {
  using experiments::DfaCell;
  std::vector<std::size_t> S = parse_list("--states-list", o.states, 64), A = parse_list("--alphabet-list", o.alphabet, 64),
                           L = parse_list("--lengths", o.lengths, 32), base = parse_list("--base", o.base, 64);
  if (base.size() != 3) fail(ErrorKind::usage, "--base: expected S,A,L");
  if (o.quick) S = {2, 3}, A = {2}, L = {1, 2}, base = {2, 2, 2};
  experiments::DfaRequirementOptions common;
  common.seed = tasks::parse_count("--seed", o.seed, 0, UINT64_MAX - 1);
  common.domain_cap = tasks::parse_count("--domain-cap", o.domain_cap, 1, 1000000);
  common.max_traces = tasks::parse_count("--max-traces", o.max_traces, 1, 10000000);
  common.test_traces = tasks::parse_count("--test-traces", o.test_traces, 0, 1000000);
  if (o.quick) common.test_traces = std::min<std::size_t>(common.test_traces, 20);

  experiments::ensure_directory(o.out_dir);  // before the computation: a bad directory fails at once
  std::vector<DfaCell> cells;
  auto run = [&](const std::string& sweep, std::size_t s, std::size_t a, std::size_t l) {
    experiments::DfaRequirementOptions opt = common;
    opt.S = s, opt.A = a, opt.L = l;
    cells.push_back(DfaCell{sweep, experiments::run_dfa_requirement(opt)});
    const auto& r = cells.back().result;
    print_summary(global, "experiment dfa",
                  sweep + " S=" + std::to_string(s) + " A=" + std::to_string(a) + " L=" + std::to_string(l) +
                      ": domain rank " + std::to_string(r.domain_rank) + " of D = " + std::to_string(r.D) + ", N = " +
                      (r.reached ? "" : "> ") + std::to_string(r.N) + " traces");
  };
  for (std::size_t s : S) run("states", s, base[1], base[2]);
  for (std::size_t a : A) run("alphabet", base[0], a, base[2]);
  for (std::size_t l : L) run("length", base[0], base[1], l);

  const std::string csv = experiments::path_in(o.out_dir, "dfa.csv");
  const std::string png = experiments::path_in(o.out_dir, "dfa.png");
  const std::string md = experiments::path_in(o.out_dir, "dfa.md");
  experiments::write_csv(csv, experiments::dfa_table(cells));
  const experiments::PlotResult plot = experiments::run_plot_script(experiments::dfa_plot_script, csv, png);
  const std::string note = plot.produced ? "" : plot.message;
  experiments::write_text(md, experiments::dfa_markdown(cells, command_line, note));

  OrderedJson doc{{"format", "mhla-experiment-dfa"}, {"version", 1}, {"csv", csv}, {"markdown", md}};
  doc["plot"] = note.empty() ? OrderedJson(png) : OrderedJson(nullptr);
  OrderedJson list = OrderedJson::array();
  for (const DfaCell& c : cells) {
    const auto& r = c.result;
    list.push_back(OrderedJson{{"sweep", c.sweep}, {"S", r.S}, {"A", r.A}, {"L", r.L}, {"d", r.d}, {"D", r.D},
                               {"domain_complete", r.domain_complete}, {"domain_rank", r.domain_rank},
                               {"reached", r.reached}, {"N", r.N}, {"rank_N_minus_1", r.rank_before},
                               {"global_rank", r.global_rank},
                               {"domain_exact", r.domain.exact == r.domain.tokens && r.reached},
                               {"heldout_exact_tokens", r.heldout.exact}, {"heldout_tokens", r.heldout.tokens}});
  }
  doc["cells"] = std::move(list);
  write_file_atomically("-", render_json(doc));
  print_summary(global, "experiment dfa", "wrote " + csv + ", " + md + (note.empty() ? ", " + png : " (plot skipped: " + note + ")"));
  return 0;
}

}  // namespace

Subcommand add_experiment_dfa(CLI::App& experiment) {
  auto opts = std::make_shared<DfaExperimentOptions>();
  CLI::App* sub = experiment.add_subcommand(
      "dfa", "Figure 4: traces needed for exact identifiability on the domain of valid DFA traces, and the learned model's accuracy");
  sub->add_flag("--quick", opts->quick, "A tiny smoke size (S in {2,3}, A = 2, L in {1,2}, base 2,2,2)");
  sub->add_option("--states-list", opts->states, "States S for the states sweep (default 2,3,4,5,6,8)");
  sub->add_option("--alphabet-list", opts->alphabet, "Alphabet sizes A for the alphabet sweep (default 2,3,4,5,6)");
  sub->add_option("--lengths", opts->lengths, "Word lengths L for the length sweep (default 2,3,4,5,6)");
  sub->add_option("--base", opts->base, "S,A,L held fixed while another varies (default 4,4,4, as the paper)");
  sub->add_option("--seed", opts->seed, "Seed (default 1); the training traces are `mhla generate dfa --seed` words");
  sub->add_option("--domain-cap", opts->domain_cap, "Largest A^L for the complete domain; beyond, a sample of this many words (default 4096)");
  sub->add_option("--max-traces", opts->max_traces, "Give up after this many training traces (default 20000)");
  sub->add_option("--test-traces", opts->test_traces, "Traces in each accuracy set (default 200)");
  sub->add_option("--out-dir", opts->out_dir, "Directory for dfa.csv, dfa.md, dfa.png (default experiment-dfa)");
  return {sub, [opts](const GlobalOptions& global) {
            const DfaExperimentOptions& o = *opts;
            const std::string line =
                "mhla experiment dfa" +
                (o.quick ? std::string(" --quick")
                         : " --states-list " + o.states + " --alphabet-list " + o.alphabet + " --lengths " + o.lengths +
                               " --base " + o.base) +
                " --seed " + o.seed +
                " --domain-cap " + o.domain_cap + " --max-traces " + o.max_traces + " --test-traces " + o.test_traces;
            return run_dfa_experiment(o, line, global);
          }};
}

}  // namespace mhla::cli
