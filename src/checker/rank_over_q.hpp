// SPDX-License-Identifier: MIT
// The checker's rank over Q of a list of vectors: plain Gaussian elimination on gmpxx
// fractions (no pivoting strategy, no modular shortcut), shared by the certificate and
// informational checks. Cost: O(rows^2 cols) fraction operations; the checker calls it on
// small lists only (kernel bases in free-column form fail fast before it, subspace bases of d
// vectors).
#pragma once
#include <gmpxx.h>

#include <cstddef>
#include <utility>
#include <vector>

namespace mhla::checker {

inline std::size_t rank_over_q(std::vector<std::vector<mpq_class>> M) {
  std::size_t rank = 0;
  const std::size_t cols = M.empty() ? 0 : M[0].size();
  for (std::size_t c = 0; c < cols && rank < M.size(); ++c) {
    std::size_t p = rank;
    while (p < M.size() && M[p][c] == 0) ++p;
    if (p == M.size()) continue;
    std::swap(M[p], M[rank]);
    for (std::size_t i = rank + 1; i < M.size(); ++i) {
      if (M[i][c] == 0) continue;
      const mpq_class f = M[i][c] / M[rank][c];
      for (std::size_t j = c; j < cols; ++j) M[i][j] -= f * M[rank][j];
    }
    ++rank;
  }
  return rank;
}

}  // namespace mhla::checker
