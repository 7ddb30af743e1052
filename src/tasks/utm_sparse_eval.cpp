// SPDX-License-Identifier: MIT
// Exact autoregressive runs of a 0/+-1 model on 0/1 tokens with sparse matrices (tasks/utm.hpp;
// proofs-notes Lemma T9).
#include <map>

#include "mhla/support/error.hpp"
#include "mhla/tasks/utm.hpp"

namespace mhla::tasks {

SparseIntModel sparse_int_model(const Model<Rational>& model) {
  SparseIntModel s;
  s.d = model.d;
  for (const Head<Rational>& h : model.heads) {
    std::vector<SparseIntModel::Column> v(model.d), q(model.d);
    for (std::size_t i = 0; i < model.d; ++i)
      for (std::size_t j = 0; j < model.d; ++j) {
        for (auto [m, out] : {std::pair{&h.V, &v}, std::pair{&h.Q, &q}}) {
          const Rational& x = (*m)(i, j);
          if (x == 0) continue;
          if (denominator(x) != 1 || x > 1 || x < -1)
            fail(ErrorKind::bad_input, "sparse_int_model: entry (" + std::to_string(i) + ", " + std::to_string(j) +
                                           ") is not an integer in [-1, 1]");
          (*out)[j].entries.push_back({i, x == 1 ? 1 : -1});
        }
      }
    s.V.push_back(std::move(v));
    s.Q.push_back(std::move(q));
  }
  return s;
}

std::vector<std::vector<std::size_t>> run_autoregressive_sparse(const SparseIntModel& model,
                                                                const std::vector<std::vector<std::size_t>>& prompt,
                                                                std::size_t steps, bool& exact) {  // @proof T9
  exact = true;
  // |y_o| <= H d^3 n for 0/1 tokens and entries in [-1, 1]; refuse sizes where that nears 2^62.
  const long double dd = static_cast<long double>(model.d);
  const long double bound = static_cast<long double>(model.V.size() + 1) * dd * dd * dd *
                            static_cast<long double>(prompt.size() + steps + 1);
  if (bound > 4e18L) fail(ErrorKind::usage, "run_autoregressive_sparse: sizes too large for 64-bit counts");
  std::vector<std::map<std::size_t, long long>> G(model.d);  // G[j][k] = sum_t z_t[j] z_t[k]
  auto add = [&](const std::vector<std::size_t>& z) {
    for (std::size_t j : z) {
      if (j >= model.d) fail(ErrorKind::usage, "run_autoregressive_sparse: token index out of range");
      for (std::size_t k : z) G[j][k] += 1;
    }
  };
  for (const auto& z : prompt) add(z);
  if (prompt.empty()) fail(ErrorKind::usage, "run_autoregressive_sparse: empty prompt");
  std::vector<std::size_t> last = prompt.back();
  std::vector<std::vector<std::size_t>> emitted;
  for (std::size_t s = 0; s < steps; ++s) {
    std::map<std::size_t, long long> y;
    for (std::size_t h = 0; h < model.V.size(); ++h) {
      std::map<std::size_t, long long> u, w;  // u = Q_h z, w = G u
      for (std::size_t x : last)
        for (auto [row, val] : model.Q[h][x].entries) u[row] += val;
      for (auto [k, uk] : u)
        if (uk != 0)
          for (auto [j, g] : G[k]) w[j] += g * uk;
      for (auto [j, wj] : w)
        if (wj != 0)
          for (auto [o, val] : model.V[h][j].entries) y[o] += val * wj;
    }
    std::vector<std::size_t> token;
    for (auto [o, v] : y) {
      if (v == 1) token.push_back(o);
      else if (v != 0) exact = false;
    }
    if (!exact) return emitted;
    emitted.push_back(token);
    add(token);
    last = token;
  }
  return emitted;
}

}  // namespace mhla::tasks
