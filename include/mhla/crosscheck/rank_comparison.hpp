// SPDX-License-Identifier: MIT
// What float rank tests conclude about a dataset beside the exact answer (Lemma X6,
// proofs-notes/09-crosscheck.md): per observed output coordinate a, the exact rank of Phi_a
// (rank_certified) and the identifiability verdict, NumPy's matrix_rank rule on the binary64
// and binary32 design matrices (singular values by Eigen in that format; rank = #{sigma >
// sigma_max max(rows, D) eps}, eps = 2^-52 resp. 2^-23), and the smallest singular value
// enclosed rigorously (sigma_min^2 = rows lambda_min(Lambda_a), Lemma C5). The floats decide
// nothing: disagreements are flagged with their reason.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "mhla/arith/scalar.hpp"
#include "mhla/features/dataset.hpp"

namespace mhla::crosscheck {

struct FloatRank {
  std::size_t rank = 0;
  double sigma_max = 0, sigma_min = 0, threshold = 0;  // float values, labelled as such
};

struct CoordinateRanks {
  std::size_t coordinate = 0, rows = 0, D = 0;
  std::size_t exact_rank = 0;
  bool identifiable = false;
  FloatRank f64, f32;
  bool sigma_enclosed = false;            // false: the enclosure was skipped (too large)
  Rational sigma_min_sq_lower, sigma_min_sq_upper;  // proven: lower <= sigma_min(Phi_a)^2 <= upper
  std::vector<std::string> disagreements;  // "float64: too optimistic ...", ...
};

// Every observed coordinate of ds. Preconditions (checked by the caller's memory estimate): the
// design matrices fit memory. Cost per coordinate: the exact rank (rank_certified), two SVDs
// (O(rows D^2) float operations), the lambda_min enclosure (Lemma C5). @proof X6
std::vector<CoordinateRanks> compare_ranks(const Dataset& ds);

}  // namespace mhla::crosscheck
