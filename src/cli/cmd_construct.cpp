// SPDX-License-Identifier: MIT
// mhla construct assoc --pairs m [-o FILE]
// mhla construct dfa --dfa F --length L [-o FILE]
// mhla construct utm --states Q --alphabet S --input-length n --steps T [-o FILE]
// Exact models that implement a task: the associative memory (one head, proofs-notes Lemma T1)
// and DFA execution (H = S + L heads, one-hot blocks, Lemma T2; layout in tasks/dfa.hpp), and the
// universal Turing machine with bounded history (Lemma T7; layout in tasks/utm.hpp).
#include <algorithm>
#include <memory>

#include "command.hpp"
#include "mhla/io/json_output.hpp"
#include "mhla/io/memory_limit.hpp"
#include "mhla/io/model_file.hpp"
#include "mhla/tasks/assoc.hpp"
#include "mhla/tasks/dfa.hpp"
#include "mhla/tasks/size_options.hpp"
#include "mhla/tasks/utm.hpp"

namespace mhla::cli {
namespace {

struct ConstructOptions {
  std::string pairs, dfa, length, output = "-";
};

struct UtmConstructOptions {
  std::string states, alphabet, input_length, steps, output = "-";
};

void check_model_memory(const char* what, double d, double heads) {
  check_memory_estimate(what, 2 * heads * d * d * 2 * estimated_bytes_per_rational,
                        "H = " + std::to_string(static_cast<std::uint64_t>(heads)) +
                            " heads of two d x d matrices, d = " + std::to_string(static_cast<std::uint64_t>(d)));
}

int run_assoc(const ConstructOptions& o, const GlobalOptions& global) {
  const std::size_t m = tasks::parse_count("--pairs", o.pairs, 1, 1'000'000'000'000);
  check_model_memory("construct assoc: the model", 2 * static_cast<double>(m), 1);
  write_json_file(o.output, model_json(tasks::assoc_model(m)));
  print_summary(global, "construct",
                "associative memory with " + std::to_string(m) + " pairs (d = " + std::to_string(2 * m) +
                    ", 1 head) written to " + output_description(o.output));
  return 0;
}

int run_dfa(const ConstructOptions& o, const GlobalOptions& global) {
  const std::size_t L = tasks::parse_count("--length", o.length, 1, 1'000'000'000'000);
  const tasks::Dfa dfa = tasks::read_dfa(o.dfa);
  const double s = static_cast<double>(dfa.states), a = static_cast<double>(dfa.alphabet), l = static_cast<double>(L);
  check_model_memory("construct dfa: the model", s * a + s + l * a + (l + 1) * s + l * s * a, s + l);
  const Model<Rational> model = tasks::dfa_model(dfa, L);
  write_json_file(o.output, model_json(model));
  print_summary(global, "construct",
                "DFA execution model (" + std::to_string(dfa.states) + " states, " + std::to_string(dfa.alphabet) +
                    " letters, length " + std::to_string(L) + ": d = " + std::to_string(model.d) + ", H = " +
                    std::to_string(model.heads.size()) + ") written to " + output_description(o.output));
  return 0;
}

int run_utm(const UtmConstructOptions& o, const GlobalOptions& global) {
  const std::size_t Q = tasks::parse_count("--states", o.states, 1, 1'000'000);
  const std::size_t S = tasks::parse_count("--alphabet", o.alphabet, 1, 1'000'000);
  const std::size_t n = tasks::parse_count("--input-length", o.input_length, 1, 1'000'000);
  const std::size_t T = tasks::parse_count("--steps", o.steps, 1, 1'000'000);
  const tasks::UtmLayout lay{Q, S, n, T};
  const double q = static_cast<double>(Q), s = static_cast<double>(S), w = static_cast<double>(n + T),
               t = static_cast<double>(T);
  const double d = 3 * q * s + (t + 1) * w * (s + q + 1) + t * w * q * s + 2 * t * q * s + 2 * t * w * q * s;
  check_model_memory("construct utm: the model", d, std::max({w, t, 2 * q * s, q + 1}));
  const Model<Rational> model = tasks::utm_model(lay);
  write_json_file(o.output, model_json(model));
  print_summary(global, "construct",
                "universal Turing machine model (at most " + std::to_string(Q) + " states, " + std::to_string(S) +
                    " letters, input length " + std::to_string(n) + ", " + std::to_string(T) + " steps: d = " +
                    std::to_string(model.d) + ", H = " + std::to_string(model.heads.size()) + ", history " +
                    std::to_string(lay.history_length() - lay.prompt_length()) + " tokens after a prompt of " +
                    std::to_string(lay.prompt_length()) + ") written to " + output_description(o.output));
  return 0;
}

}  // namespace

Subcommand add_construct_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("construct", "Write an exact model that implements a task: assoc, dfa, utm");
  sub->require_subcommand(1);
  auto as = std::make_shared<ConstructOptions>();
  CLI::App* assoc = sub->add_subcommand("assoc", "The associative memory: one head, V selects the value half, Q the key half");
  assoc->add_option("--pairs", as->pairs, "Number of key/value pairs m (embedding 2m)")->required();
  assoc->add_option("-o,--output", as->output, "Output file, written atomically (default - = standard output)");
  auto df = std::make_shared<ConstructOptions>();
  CLI::App* dfa = sub->add_subcommand("dfa", "DFA execution: H = S + L heads (pair heads, transition heads)");
  dfa->add_option("--dfa", df->dfa, "DFA file (format mhla-dfa)")->required();
  dfa->add_option("--length", df->length, "Maximum word length L")->required();
  dfa->add_option("-o,--output", df->output, "Output file, written atomically (default - = standard output)");
  auto um = std::make_shared<UtmConstructOptions>();
  CLI::App* utm = sub->add_subcommand(
      "utm", "Universal Turing machine with bounded history: every machine with Q states, S letters, input length n, T steps");
  utm->add_option("--states", um->states, "Number of states Q (start state 0)")->required();
  utm->add_option("--alphabet", um->alphabet, "Alphabet size S (blank = letter 0)")->required();
  utm->add_option("--input-length", um->input_length, "Input length n")->required();
  utm->add_option("--steps", um->steps, "Number of machine steps T (tape of n + T cells)")->required();
  utm->add_option("-o,--output", um->output, "Output file, written atomically (default - = standard output)");
  auto run = [assoc, dfa, utm, as, df, um](const GlobalOptions& global) {
    if (assoc->parsed()) return run_assoc(*as, global);
    if (dfa->parsed()) return run_dfa(*df, global);
    if (utm->parsed()) return run_utm(*um, global);
    fail(ErrorKind::usage, "construct: expected a task: assoc, dfa or utm");
  };
  return {sub, run};
}

}  // namespace mhla::cli
