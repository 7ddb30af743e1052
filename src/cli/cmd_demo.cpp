// SPDX-License-Identifier: MIT
// mhla demo: the main job on bundled data (interface.md). This first version evaluates the
// paper's associative-memory model exactly on bundled inputs, compares with binary64 under
// the rigorous bound of Lemma F1, and shows the folded features and Lemma L1 at work. The
// certificate and learning steps join when `certify` and `learn` land (issues 3 and 4).
#include <cstdio>
#include <iostream>
#include <sstream>

#include "command.hpp"
#include "demo_data.hpp"
#include "mhla/features/exact_fast.hpp"
#include "mhla/io/dataset_file.hpp"
#include "mhla/io/model_file.hpp"

namespace mhla::cli {

namespace {

// A float for display only, 3 significant digits.
std::string short_float(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", x);
  return buf;
}

std::string pair_text(const Rational& a, const Rational& b) { return "(" + to_string(a) + ", " + to_string(b) + ")"; }

// The column of a token of Z as "(z0, z1, ...)".
std::string token_text(const Matrix<Rational>& Z, std::size_t t) {
  std::string s = "(";
  for (std::size_t i = 0; i < Z.rows(); ++i) s += (i ? ", " : "") + to_string(Z(i, t));
  return s + ")";
}

int run_demo(const GlobalOptions&) {
  const Model<Rational> model = parse_model_text(demo_data::assoc_model, "bundled assoc-model.json");
  const Dataset data = parse_dataset_text(demo_data::assoc_inputs, "bundled assoc-inputs.json");
  const std::size_t d = model.d, D = feature_dim(d);
  std::ostringstream out;

  out << "mhla demo: exact multi-head linear attention on bundled data\n\n"
      << "Model: the paper's associative memory (section 5.1), d = " << d << ", " << model.heads.size()
      << " head. Q reads the key half of a token, V writes the value half:\n"
      << "  y = sum_j <q, k_j> v_j + |q|^2 zeta   at the query token (q; zeta).\n"
      << "Inputs: " << data.samples.size() << " samples of tokens (k_1; v_1), (k_2; v_2), (q; zeta); the value "
      << "coordinates 2 and 3 are the targets.\n\n"
      << "Exact outputs at the query token, coordinates 2 and 3:\n";
  for (std::size_t s = 0; s < data.samples.size(); ++s) {
    const Sample& sample = data.samples[s];
    const std::size_t b = sample.Z.cols() - 1;
    const Matrix<Rational> Y = evaluate_exact(model, sample.Z);
    const Target& t = sample.targets.at(0);
    const bool equal = t.y[2] && t.y[3] && *t.y[2] == Y(2, b) && *t.y[3] == Y(3, b);
    if (!equal) fail(ErrorKind::internal, "demo: the bundled targets differ from the model's exact output");
    out << "  sample " << s << "  query token " << token_text(sample.Z, b) << "\n"
        << "            y = " << pair_text(Y(2, b), Y(3, b)) << "  equals the target exactly\n";
  }

  // binary64 on sample 0: the same algorithm, with Lemma F1's bound (exact, shown rounded).
  {
    const Sample& sample = data.samples[0];
    const std::size_t b = sample.Z.cols() - 1, n = sample.Z.cols();
    const auto round = [](const Rational& q) { return to_binary64(q); };
    const Matrix<double> Yf = evaluate(convert_model<double>(model, round), convert<double>(sample.Z, round));
    const Matrix<Rational> Y = evaluate_exact(model, sample.Z);
    const Rational error = abs(to_rational(Yf(2, b)) - Y(2, b));
    const std::size_t K = rounding_count(d, n, model.heads.size());
    out << "\nbinary64 (the same algorithm in doubles) on sample 0, coordinate 2: " << to_decimal_string(Yf(2, b))
        << "\n  differs from the exact " << to_string(Y(2, b)) << " by " << short_float(to_binary64(error))
        << "; Lemma F1 bounds the error by gamma_" << K << " * Yabs, about " << short_float(K * 0x1p-53)
        << " relative.\n";
  }

  // Features and Lemma L1.
  const Matrix<Rational> w = weights(model);
  std::size_t nonzero_w = 0;
  for (const Rational& x : w.data()) nonzero_w += x != 0;
  std::size_t checks = 0, agreements = 0;
  for (const Sample& sample : data.samples) {
    const std::size_t b = sample.Z.cols() - 1;
    const std::vector<Rational> phi = features(sample.Z, b, model.causal);
    const Matrix<Rational> Y = evaluate_exact(model, sample.Z);
    for (std::size_t a = 0; a < d; ++a, ++checks) agreements += dot(w.row_vector(a), phi) == Y(a, b);
  }
  const std::vector<Rational> phi0 = features(data.samples[0].Z, data.samples[0].Z.cols() - 1, model.causal);
  out << "\nFeatures: phi(Z, b)[(j,k,l)] = G[j][k] * Z[l][b] for j <= k, D = feature_dim(" << d << ") = " << D
      << " per (input, position).\n  sample 0, b = 2: phi[(0,0,0)] = " << to_string(phi0[feature_index(d, 0, 0, 0)])
      << ", phi[(0,1,2)] = " << to_string(phi0[feature_index(d, 0, 1, 2)])
      << ", phi[(2,3,3)] = " << to_string(phi0[feature_index(d, 2, 3, 3)]) << "\n"
      << "  The model's weight vectors w_a have " << nonzero_w << " nonzero entries out of " << d * D << ".\n"
      << "  Lemma L1, y[a] = <w_a, phi(Z, b)> exactly: " << agreements << " of " << checks
      << " (sample, coordinate) pairs agree.\n";
  if (agreements != checks) fail(ErrorKind::internal, "demo: Lemma L1 failed on bundled data");

  out << "\nTry: mhla eval --model data/demo/assoc-model.json --input data/demo/assoc-inputs.json [--arith binary64]\n"
      << "     mhla features --dataset data/demo/assoc-inputs.json --coordinate 2\n";
  std::cout << out.str();
  return 0;
}

}  // namespace

Subcommand add_demo_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("demo", "The main job on bundled data: the associative-memory model, exactly");
  return {sub, [](const GlobalOptions& global) { return run_demo(global); }};
}

}  // namespace mhla::cli
