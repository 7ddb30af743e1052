// SPDX-License-Identifier: MIT
// mhla generate random|assoc|dfa|utm ... --samples N --seed S [-o FILE]
// Datasets for the paper's tasks (interface.md, "Generator options"), seeded: the same seed
// gives a byte-identical file on every machine (tasks/rng.hpp). Every size is checked, and the
// estimated memory is refused up front when it exceeds the limit (--memory-limit).
#include <cmath>
#include <memory>

#include "command.hpp"
#include "mhla/arith/scalar_text.hpp"
#include "mhla/io/dataset_file.hpp"
#include "mhla/io/files.hpp"
#include "mhla/io/json_output.hpp"
#include "mhla/io/memory_limit.hpp"
#include "mhla/io/model_file.hpp"
#include "mhla/tasks/assoc.hpp"
#include "mhla/tasks/dfa.hpp"
#include "mhla/tasks/orthogonal.hpp"
#include "mhla/tasks/random_task.hpp"
#include "mhla/tasks/size_options.hpp"
#include "mhla/tasks/utm.hpp"

namespace mhla::cli {
namespace {

using tasks::parse_count;
inline constexpr std::uint64_t max_size = 1'000'000'000'000;  // beyond this the memory check refuses anyway

struct Common {
  std::string samples, seed, output = "-";
};

struct RandomOptions {
  Common common;
  std::string d, heads = "1", tokens, positions = "last", entries = "int:3", noise = "0", model_out;
  bool causal = false;
};

struct AssocOptions {
  Common common;
  std::string pairs, keys = "orthogonal";
};

struct DfaOptions {
  Common common;
  std::string states, alphabet, length, dfa_in, dfa_out, format = "json";
};

struct UtmOptions {
  Common common;
  std::string states, alphabet, input_length, steps, format = "json";
};

void add_common(CLI::App* sub, Common& c) {
  sub->add_option("--samples", c.samples, "Number of samples N (for dfa: of words)")->required();
  sub->add_option("--seed", c.seed, "Seed S (0 to 2^64 - 1): the same seed gives the same file")->required();
  sub->add_option("-o,--output", c.output, "Output file, written atomically (default - = standard output)");
}

// The dataset document with a "generator" object (task, options, seed) after the header keys.
OrderedJson with_generator(const Dataset& ds, OrderedJson generator) {
  const OrderedJson doc = dataset_json(ds);
  OrderedJson out;
  for (const auto& [key, value] : doc.items()) {
    if (key == "samples") out["generator"] = generator;
    out[key] = value;
  }
  return out;
}

double as_double(std::uint64_t v) { return static_cast<double>(v); }

int run_random(const RandomOptions& o, const GlobalOptions& global) {
  tasks::RandomTaskOptions t;
  t.d = parse_count("--d", o.d, 1, max_size);
  t.heads = parse_count("--heads", o.heads, 0, max_size);
  t.tokens = parse_count("--tokens", o.tokens, 1, max_size);
  t.samples = parse_count("--samples", o.common.samples, 0, max_size);
  t.seed = parse_count("--seed", o.common.seed, 0, UINT64_MAX);
  t.causal = o.causal;
  if (o.positions != "last" && o.positions != "all")
    fail(ErrorKind::usage, "--positions " + o.positions + ": expected last or all");
  t.all_positions = o.positions == "all";
  t.entries = tasks::parse_entry_spec(o.entries);
  {
    const ScalarParse sigma = parse_binary64_scalar(o.noise);
    if (!sigma || *sigma.value < 0 || *sigma.value > Rational(Integer(1) << 100))
      fail(ErrorKind::usage, "--noise " + o.noise + ": expected a number from 0 to 2^100");
    t.noise = to_binary64(*sigma.value);
  }
  const double d = as_double(t.d), n = as_double(t.tokens), N = as_double(t.samples), H = as_double(t.heads);
  const double targets = t.all_positions ? n : 1;
  check_memory_estimate("generate random: the dataset",
                        (N * (d * n + targets * d + d * n) + 2 * H * d * d + 2 * d * d) * 2 * estimated_bytes_per_rational,
                        std::to_string(t.samples) + " samples of " + std::to_string(t.tokens) + " tokens, d = " +
                            std::to_string(t.d) + ", H = " + std::to_string(t.heads));
  const tasks::RandomTask task = tasks::generate_random(t);
  OrderedJson gen;
  gen["task"] = "random";
  gen["seed"] = std::to_string(t.seed);
  gen["heads"] = t.heads;
  gen["tokens"] = t.tokens;
  gen["positions"] = o.positions;
  gen["entries"] = o.entries;
  gen["noise"] = to_decimal_string(t.noise);
  const OrderedJson doc = with_generator(task.dataset, gen);
  std::string model_text;
  if (!o.model_out.empty()) model_text = render_json(model_json(task.model));
  write_json_file(o.common.output, doc);
  if (!o.model_out.empty()) write_file_atomically(o.model_out, model_text);
  print_summary(global, "generate",
                std::to_string(t.samples) + " samples (random model, d = " + std::to_string(t.d) + ", H = " +
                    std::to_string(t.heads) + (t.causal ? ", causal" : ", non-causal") + ") written to " +
                    output_description(o.common.output) +
                    (o.model_out.empty() ? "" : "; model written to " + output_description(o.model_out)));
  return 0;
}

int run_assoc(const AssocOptions& o, const GlobalOptions& global) {
  const std::size_t m = parse_count("--pairs", o.pairs, 1, max_size);
  const std::size_t N = parse_count("--samples", o.common.samples, 0, max_size);
  const std::uint64_t seed = parse_count("--seed", o.common.seed, 0, UINT64_MAX);
  const tasks::KeySpec spec = tasks::parse_key_spec(o.keys);
  const double dm = as_double(m);
  check_memory_estimate("generate assoc: the dataset",
                        (as_double(N) * (2 * dm * (dm + 1) + 2 * dm) + 8 * dm * dm) * 4 * estimated_bytes_per_rational,
                        std::to_string(N) + " samples, embedding " + std::to_string(2 * m));
  const Dataset ds = tasks::generate_assoc(m, spec, N, seed);
  OrderedJson gen;
  gen["task"] = "assoc";
  gen["seed"] = std::to_string(seed);
  gen["pairs"] = m;
  gen["keys"] = o.keys;
  if (spec.kind == tasks::KeyKind::normalized || spec.kind == tasks::KeyKind::mixture)
    gen["normalization"] = "inverse stereographic image of g/|g| with coordinates rounded to multiples of 2^-" +
                           std::to_string(tasks::normalized_resolution_bits) + " (exactly unit length)";
  write_json_file(o.common.output, with_generator(ds, gen));
  print_summary(global, "generate",
                std::to_string(N) + " samples (associative memory, " + std::to_string(m) + " pairs, " + o.keys +
                    " keys) written to " + output_description(o.common.output));
  return 0;
}

int run_dfa(const DfaOptions& o, const GlobalOptions& global) {
  if (o.format != "json" && o.format != "text") fail(ErrorKind::usage, "--format " + o.format + ": expected json or text");
  const std::size_t L = parse_count("--length", o.length, 1, max_size);
  // --samples all: every word of length L (the whole domain of valid traces), A^L of them.
  const bool every = o.common.samples == "all";
  std::size_t N = every ? 0 : parse_count("--samples", o.common.samples, 0, max_size);
  const std::uint64_t seed = parse_count("--seed", o.common.seed, 0, UINT64_MAX);
  std::size_t S = 0, A = 0;
  if (!o.states.empty()) S = parse_count("--states", o.states, 1, 1'000'000);
  if (!o.alphabet.empty()) A = parse_count("--alphabet", o.alphabet, 1, 1'000'000);
  tasks::Rng rng(seed);
  tasks::Dfa dfa;
  if (!o.dfa_in.empty()) {
    dfa = tasks::read_dfa(o.dfa_in);
    if ((S != 0 && S != dfa.states) || (A != 0 && A != dfa.alphabet))
      fail(ErrorKind::usage, "--states/--alphabet disagree with the DFA file " + input_display_name(o.dfa_in));
  } else {
    if (S == 0 || A == 0) fail(ErrorKind::usage, "generate dfa: --states and --alphabet are required without --dfa");
    check_memory_estimate("generate dfa: the transition table", as_double(S) * as_double(A) * 16, "");
    dfa = tasks::random_dfa(rng, S, A);
  }
  if (every) {
    const double count = std::pow(as_double(dfa.alphabet), as_double(L));
    if (count > 1e7)
      fail(ErrorKind::resource_limit, "generate dfa --samples all: A^L = " + std::to_string(count) + " words exceed 10^7");
    N = static_cast<std::size_t>(count);
  }
  const double s = as_double(dfa.states), a = as_double(dfa.alphabet), l = as_double(L);
  const double d = s * a + s + l * a + (l + 1) * s + l * s * a, n = s * a + 3 * l + 1;
  if (o.format == "json")
    check_memory_estimate("generate dfa: the dataset", as_double(N) * 2 * l * (d * n + d) * 2 * estimated_bytes_per_rational,
                          std::to_string(N) + " words x " + std::to_string(2 * L) + " prefixes, d = " +
                              std::to_string(static_cast<std::uint64_t>(d)) + ", up to " +
                              std::to_string(static_cast<std::uint64_t>(n)) + " tokens");
  else
    check_memory_estimate("generate dfa: the text", as_double(N) * (s * a + 2 * l) * 40, std::to_string(N) + " words");
  const auto words = every ? tasks::every_word(dfa.alphabet, L) : tasks::random_words(rng, dfa.alphabet, L, N);
  std::string dfa_text;
  if (!o.dfa_out.empty()) dfa_text = render_json(tasks::dfa_json(dfa));
  if (o.format == "text") {
    std::string text;
    for (const auto& w : words) text += tasks::dfa_text_line(dfa, w);
    write_file_atomically(o.common.output, text);
  } else {
    const tasks::DfaLayout layout{dfa.states, dfa.alphabet, L};
    Dataset ds{layout.dim(), false, {}};
    for (const auto& w : words) tasks::append_dfa_samples(ds, dfa, layout, w);
    OrderedJson gen;
    gen["task"] = "dfa";
    gen["seed"] = std::to_string(seed);
    gen["states"] = dfa.states;
    gen["alphabet"] = dfa.alphabet;
    gen["length"] = L;
    gen["words"] = N;
    gen["dfa"] = tasks::dfa_json(dfa);
    write_json_file(o.common.output, with_generator(ds, gen));
  }
  if (!o.dfa_out.empty()) write_file_atomically(o.dfa_out, dfa_text);
  print_summary(global, "generate",
                std::to_string(N) + " traces (DFA with " + std::to_string(dfa.states) + " states, " +
                    std::to_string(dfa.alphabet) + " letters, length " + std::to_string(L) + ", " + o.format +
                    ") written to " + output_description(o.common.output));
  return 0;
}

// generate utm: N (machine, input) pairs, each a uniform machine of the class (random_tm) then a
// uniform input, both from the seeded Rng in that order; their histories as (prefix, next token)
// samples of the construction (Lemma T7), or as the paper's text lines.
int run_utm(const UtmOptions& o, const GlobalOptions& global) {
  if (o.format != "json" && o.format != "text") fail(ErrorKind::usage, "--format " + o.format + ": expected json or text");
  const std::size_t Q = parse_count("--states", o.states, 1, 1'000'000);
  const std::size_t S = parse_count("--alphabet", o.alphabet, 1, 1'000'000);
  const std::size_t n = parse_count("--input-length", o.input_length, 1, 1'000'000);
  const std::size_t T = parse_count("--steps", o.steps, 1, 1'000'000);
  const std::size_t N = parse_count("--samples", o.common.samples, 0, max_size);
  const std::uint64_t seed = parse_count("--seed", o.common.seed, 0, UINT64_MAX);
  const double q = as_double(Q), s = as_double(S), w = as_double(n + T), t = as_double(T);
  const double d = 3 * q * s + (t + 1) * w * (s + q + 1) + t * w * q * s + 2 * t * q * s + 2 * t * w * q * s;
  const double prompt = q * s + w, steps = t * (w + 3);
  if (d > 1e9)  // even an empty dataset names d; keep every size_t index of the layout exact
    fail(ErrorKind::usage, "generate utm: the embedding dimension d (about 10^" +
                               std::to_string(static_cast<int>(std::floor(std::log10(d)))) + ") exceeds 10^9");
  check_memory_estimate("generate utm: the transition tables", as_double(N) * q * s * 24 + 1, "");
  if (o.format == "json")
    check_memory_estimate("generate utm: the dataset",
                          as_double(N) * steps * (d * (prompt + steps) + d) * 2 * estimated_bytes_per_rational,
                          std::to_string(N) + " histories x " + std::to_string(static_cast<std::uint64_t>(steps)) +
                              " prefixes, d = " + std::to_string(static_cast<std::uint64_t>(d)) + ", up to " +
                              std::to_string(static_cast<std::uint64_t>(prompt + steps)) + " tokens");
  else
    check_memory_estimate("generate utm: the text", as_double(N) * (q * s * 24 + (t + 1) * w * 8 + 8), "");
  tasks::Rng rng(seed);
  const tasks::UtmLayout layout{Q, S, n, T};
  std::vector<tasks::Tm> machines;
  std::vector<std::vector<std::size_t>> inputs;
  for (std::size_t k = 0; k < N; ++k) {
    machines.push_back(tasks::random_tm(rng, Q, S));
    inputs.push_back(tasks::random_words(rng, S, n, 1)[0]);
  }
  if (o.format == "text") {
    std::string text;
    for (std::size_t k = 0; k < N; ++k) text += tasks::utm_text_line(machines[k], inputs[k], T);
    write_file_atomically(o.common.output, text);
  } else {
    Dataset ds{layout.dim(), false, {}};
    for (std::size_t k = 0; k < N; ++k) tasks::append_utm_samples(ds, machines[k], layout, inputs[k]);
    OrderedJson gen;
    gen["task"] = "utm";
    gen["seed"] = std::to_string(seed);
    gen["states"] = Q;
    gen["alphabet"] = S;
    gen["input_length"] = n;
    gen["steps"] = T;
    gen["histories"] = N;
    write_json_file(o.common.output, with_generator(ds, gen));
  }
  print_summary(global, "generate",
                std::to_string(N) + " histories (random machines with " + std::to_string(Q) + " states, " +
                    std::to_string(S) + " letters, input length " + std::to_string(n) + ", " + std::to_string(T) +
                    " steps, " + o.format + ") written to " + output_description(o.common.output));
  return 0;
}

}  // namespace

Subcommand add_generate_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("generate", "Write a seeded dataset for one of the paper's tasks: random, assoc, dfa, utm");
  sub->require_subcommand(1);

  auto r = std::make_shared<RandomOptions>();
  CLI::App* random = sub->add_subcommand("random", "A random model and inputs; targets = the model's exact outputs");
  random->add_option("--d", r->d, "Embedding dimension d")->required();
  random->add_option("--heads", r->heads, "Number of heads H (default 1)");
  random->add_option("--tokens", r->tokens, "Tokens per input n")->required();
  random->add_flag("--causal", r->causal, "Causal model (prefix Gram matrices); the dataset is marked causal");
  random->add_option("--positions", r->positions, "Targets at the last position (default) or at all positions");
  random->add_option("--entries", r->entries, "int:R (uniform integers in [-R, R], default int:3) or gaussian (binary64 N(0,1), taken exactly)");
  random->add_option("--noise", r->noise, "Add sigma * N(0,1) (binary64, taken exactly) to every target (default 0)");
  random->add_option("--model-out", r->model_out, "Also write the generating model to this file");
  add_common(random, r->common);

  auto as = std::make_shared<AssocOptions>();
  CLI::App* assoc = sub->add_subcommand("assoc", "The associative-memory task (embedding 2m, m pairs and a query)");
  assoc->add_option("--pairs", as->pairs, "Number of key/value pairs m (key dimension m)")->required();
  assoc->add_option("--keys", as->keys, "orthogonal (default), gaussian, normalized or mixture:P");
  add_common(assoc, as->common);

  auto df = std::make_shared<DfaOptions>();
  CLI::App* dfa = sub->add_subcommand("dfa", "DFA execution traces: prefixes with the next token as target");
  dfa->add_option("--states", df->states, "Number of states S (random DFA)");
  dfa->add_option("--alphabet", df->alphabet, "Alphabet size A (random DFA)");
  dfa->add_option("--length", df->length, "Word length L")->required();
  CLI::Option* in = dfa->add_option("--dfa", df->dfa_in, "Use this DFA file instead of a random DFA");
  CLI::Option* out = dfa->add_option("--dfa-out", df->dfa_out, "Write the random DFA to this file");
  in->excludes(out);
  dfa->add_option("--format", df->format, "json (default: an mhla dataset) or text (the paper's trace format)");
  add_common(dfa, df->common);
  auto um = std::make_shared<UtmOptions>();
  CLI::App* utm = sub->add_subcommand("utm", "Turing machine histories: random machines and inputs, next token as target");
  utm->add_option("--states", um->states, "Number of states Q")->required();
  utm->add_option("--alphabet", um->alphabet, "Alphabet size S (blank = letter 0)")->required();
  utm->add_option("--input-length", um->input_length, "Input length n")->required();
  utm->add_option("--steps", um->steps, "Machine steps T (tape of n + T cells)")->required();
  utm->add_option("--format", um->format, "json (default: an mhla dataset) or text (the paper's history format)");
  add_common(utm, um->common);
  sub->footer(
      "random: d x d integer or binary64 matrices V_h, Q_h and inputs; targets = exact outputs (last or all positions).\n"
      "assoc: tokens (k_j; v_j), j < m, then (q; zeta); q a uniform key, zeta ~ N(0, I) fresh; only the value\n"
      "coordinates m..2m-1 of the last position observed; targets include the |q|^2 zeta term. orthogonal keys:\n"
      "exactly orthogonal rational matrices (Cayley transform times random signs); normalized: exactly unit\n"
      "columns (inverse stereographic image of g/|g| rounded to multiples of 2^-16).\n"
      "dfa: --samples all writes every word of length L (A^L traces: the domain of valid traces).\n"
      "dfa: per word, 2L samples (trace prefixes, next token as target at the last position); d = SA + S + LA +\n"
      "(L+1)S + LSA (tasks/dfa.hpp). --format text writes one line per word: rules, word, history.\n"
      "utm: --samples N histories; per history T(n+T+3) samples (prefixes of the history of `construct utm`,\n"
      "tasks/utm.hpp). --format text: one line per history: rules, input, configurations.");

  auto run = [sub, random, assoc, dfa, utm, r, as, df, um](const GlobalOptions& global) {
    if (utm->parsed()) return run_utm(*um, global);
    if (random->parsed()) return run_random(*r, global);
    if (assoc->parsed()) return run_assoc(*as, global);
    if (dfa->parsed()) return run_dfa(*df, global);
    (void)sub;
    fail(ErrorKind::usage, "generate: expected a task: random, assoc, dfa or utm");
  };
  return {sub, run};
}

}  // namespace mhla::cli
