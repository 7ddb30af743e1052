// SPDX-License-Identifier: MIT
#include "mhla/tasks/random_task.hpp"

#include <cmath>

#include "mhla/features/exact_fast.hpp"

namespace mhla::tasks {

EntrySpec parse_entry_spec(const std::string& text) {
  if (text == "gaussian") return {true, 0};
  if (text.rfind("int:", 0) == 0 && text.size() > 4 && text.size() <= 14) {
    std::int64_t r = 0;
    for (std::size_t i = 4; i < text.size(); ++i) {
      if (text[i] < '0' || text[i] > '9') r = -1;
      if (r < 0) break;
      r = r * 10 + (text[i] - '0');
    }
    if (r >= 0 && r <= 1'000'000'000) return {false, r};
  }
  fail(ErrorKind::usage, "--entries " + text + ": expected int:R (0 <= R <= 1000000000) or gaussian");
}

namespace {

Rational entry(Rng& rng, const EntrySpec& spec) {
  if (spec.gaussian) return to_rational(rng.gaussian());
  return Rational(rng.between(-spec.range, spec.range));
}

Matrix<Rational> random_matrix(Rng& rng, std::size_t rows, std::size_t cols, const EntrySpec& spec) {
  Matrix<Rational> M(rows, cols);
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = 0; j < cols; ++j) M(i, j) = entry(rng, spec);
  return M;
}

}  // namespace

RandomTask generate_random(const RandomTaskOptions& opts) {
  Rng rng(opts.seed);
  RandomTask task;
  task.model = Model<Rational>{opts.d, opts.causal, {}};
  for (std::size_t h = 0; h < opts.heads; ++h) {
    Matrix<Rational> V = random_matrix(rng, opts.d, opts.d, opts.entries);
    Matrix<Rational> Q = random_matrix(rng, opts.d, opts.d, opts.entries);
    task.model.heads.push_back({std::move(V), std::move(Q)});
  }
  task.dataset = Dataset{opts.d, opts.causal, {}};
  task.dataset.samples.reserve(opts.samples);
  for (std::size_t s = 0; s < opts.samples; ++s) {
    Matrix<Rational> Z(opts.d, opts.tokens);
    for (std::size_t t = 0; t < opts.tokens; ++t)
      for (std::size_t i = 0; i < opts.d; ++i) Z(i, t) = entry(rng, opts.entries);
    const Matrix<Rational> Y = evaluate_exact(task.model, Z);
    Sample sample{std::move(Z), {}};
    const std::size_t first = opts.all_positions ? 0 : opts.tokens - 1;
    for (std::size_t b = first; b < opts.tokens; ++b) {
      Target t{b, std::vector<std::optional<Rational>>(opts.d)};
      for (std::size_t a = 0; a < opts.d; ++a) {
        Rational y = Y(a, b);
        if (opts.noise != 0) y += to_rational(opts.noise * rng.gaussian());
        t.y[a] = std::move(y);
      }
      sample.targets.push_back(std::move(t));
    }
    task.dataset.samples.push_back(std::move(sample));
  }
  return task;
}

}  // namespace mhla::tasks
