// SPDX-License-Identifier: MIT
#include "mhla/crosscheck/rank_comparison.hpp"

#include <eigen3/Eigen/Core>
#include <eigen3/Eigen/SVD>

#include <algorithm>
#include <cmath>

#include "mhla/arith/scalar_text.hpp"
#include "mhla/cert/lambda_min.hpp"
#include "mhla/features/features.hpp"
#include "mhla/linalg/rank_certified.hpp"

namespace mhla::crosscheck {
namespace {

// NumPy's matrix_rank rule on the matrix rounded to T (via binary64 for binary32).
template <class T>
FloatRank numpy_rank(const Matrix<Rational>& phi, double eps) {
  using M = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
  M A(static_cast<Eigen::Index>(phi.rows()), static_cast<Eigen::Index>(phi.cols()));
  for (std::size_t i = 0; i < phi.rows(); ++i)
    for (std::size_t j = 0; j < phi.cols(); ++j)
      A(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = static_cast<T>(to_binary64(phi(i, j)));
  FloatRank r;
  if (A.size() == 0) return r;
  const Eigen::BDCSVD<M> svd(A);
  const auto& s = svd.singularValues();
  r.sigma_max = static_cast<double>(s.maxCoeff());
  r.sigma_min = phi.rows() < phi.cols() ? 0.0 : static_cast<double>(s.minCoeff());
  r.threshold = r.sigma_max * static_cast<double>(std::max(phi.rows(), phi.cols())) * eps;
  for (Eigen::Index i = 0; i < s.size(); ++i) r.rank += static_cast<double>(s(i)) > r.threshold ? 1 : 0;
  return r;
}

std::string verdict_reason(const char* format, const FloatRank& f, const CoordinateRanks& c) {
  const std::string rule = std::string(format) + " (NumPy's rule, threshold " + short_decimal(to_rational(f.threshold), 3) + ")";
  if (f.rank == c.D && !c.identifiable)
    return rule + " says full rank, exact rank is " + std::to_string(c.exact_rank) + " < D = " + std::to_string(c.D) +
           ": float too optimistic (rounding the entries perturbs an exactly singular matrix into one whose float sigma_min " +
           short_decimal(to_rational(f.sigma_min), 3) + " is above the threshold; sigma_min is exactly 0)";
  if (f.rank < c.D && c.identifiable)
    return rule + " says rank " + std::to_string(f.rank) + " < D = " + std::to_string(c.D) +
           ", exact rank is full: float too pessimistic (ill-conditioned but nonsingular: a nonzero D x D minor proves it; " +
           (c.sigma_enclosed && c.sigma_min_sq_lower > 0
                ? "sigma_min^2 >= " + short_decimal(c.sigma_min_sq_lower, 3) + " is proven"
                : std::string("sigma_min^2 <= ") + (c.sigma_enclosed ? short_decimal(c.sigma_min_sq_upper, 3) : "?") +
                      ", too small for the enclosure's lower end to leave 0") +
           "; sigma_min is below the float threshold)";
  if (f.rank != c.exact_rank)
    return rule + " says rank " + std::to_string(f.rank) + ", exact rank " + std::to_string(c.exact_rank) +
           " (the verdict agrees: both deficient)";
  return "";
}

}  // namespace

std::vector<CoordinateRanks> compare_ranks(const Dataset& ds) {
  std::vector<CoordinateRanks> out;
  const std::size_t D = feature_dim(ds.d);
  for (std::size_t a = 0; a < ds.d; ++a) {
    const DesignMatrix dm = design_matrix(ds, a);
    if (dm.phi.rows() == 0) continue;  // coordinate never observed
    CoordinateRanks c;
    c.coordinate = a;
    c.rows = dm.phi.rows();
    c.D = D;
    const RankCertified r = rank_certified(dm.phi);
    c.exact_rank = r.rank;
    c.identifiable = r.status == RankStatus::full_column_rank;
    c.f64 = numpy_rank<double>(dm.phi, std::ldexp(1.0, -52));
    c.f32 = numpy_rank<float>(dm.phi, std::ldexp(1.0, -23));
    const LambdaMinEnclosure lam =
        lambda_min_of_coordinate(ds, a, r.kernel.empty() ? std::vector<Rational>{} : r.kernel.front());
    if (lam.computed) {
      c.sigma_enclosed = true;
      c.sigma_min_sq_lower = lam.lower * Rational(Integer(c.rows));
      c.sigma_min_sq_upper = lam.upper * Rational(Integer(c.rows));
    }
    for (const auto& [name, f] : {std::pair<const char*, const FloatRank*>{"float64", &c.f64}, {"float32", &c.f32}}) {
      const std::string why = verdict_reason(name, *f, c);
      if (!why.empty()) c.disagreements.push_back(why);
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace mhla::crosscheck
