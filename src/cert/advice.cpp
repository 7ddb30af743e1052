// SPDX-License-Identifier: MIT
// advise (advice.hpp): the case analysis of a non-identifiable coordinate.
#include "mhla/cert/advice.hpp"

#include <algorithm>
#include <sstream>

#include "mhla/arith/scalar_text.hpp"
#include "mhla/features/exact_fast.hpp"
#include "mhla/features/features.hpp"
#include "mhla/linalg/rows_scale_to_integer.hpp"
#include "mhla/support/error.hpp"

namespace mhla {
namespace {

// Reduces x against an echelon basis (rows with pivots); returns true when x becomes nonzero,
// after adding it (normalised) to the basis.
bool add_to_echelon(std::vector<std::vector<Rational>>& echelon, std::vector<std::size_t>& pivots, std::vector<Rational> x) {
  for (std::size_t r = 0; r < echelon.size(); ++r) {
    const Rational f = x[pivots[r]];
    if (f == 0) continue;
    for (std::size_t j = 0; j < x.size(); ++j)
      if (echelon[r][j] != 0) x[j] -= f * echelon[r][j];
  }
  std::size_t p = 0;
  while (p < x.size() && x[p] == 0) ++p;
  if (p == x.size()) return false;
  const Rational inv = 1 / x[p];
  for (Rational& v : x) v *= inv;
  // keep reduced form: eliminate the new pivot from the older rows
  for (std::vector<Rational>& row : echelon) {
    const Rational f = row[p];
    if (f == 0) continue;
    for (std::size_t j = 0; j < x.size(); ++j)
      if (x[j] != 0) row[j] -= f * x[j];
  }
  echelon.push_back(std::move(x));
  pivots.push_back(p);
  return true;
}

std::string list_text(const std::vector<Rational>& v) {
  std::string s = "(";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + to_string(v[i]);
  return s + ")";
}

}  // namespace

std::string feature_name(std::size_t index, std::size_t d) {
  const std::size_t l = index % d;
  std::size_t jk = index / d, j = 0;
  while (jk >= d - j) jk -= d - j, ++j;
  return "(" + std::to_string(j) + "," + std::to_string(j + jk) + "," + std::to_string(l) + ")";
}

std::string kernel_vector_summary(const std::vector<Rational>& v, std::size_t d, std::size_t shown) {
  std::vector<std::size_t> nz;
  for (std::size_t i = 0; i < v.size(); ++i)
    if (v[i] != 0) nz.push_back(i);
  if (nz.empty()) return "zero vector";
  std::stable_sort(nz.begin(), nz.end(), [&](std::size_t x, std::size_t y) { return abs(v[x]) > abs(v[y]); });
  const Rational scale = abs(v[nz[0]]);
  std::ostringstream s;
  s << nz.size() << " of " << v.size() << " entries nonzero; up to scale";
  for (std::size_t i = 0; i < std::min(shown, nz.size()); ++i)
    s << (i ? ", " : " ") << feature_name(nz[i], d) << " " << short_decimal(v[nz[i]] / scale);
  if (nz.size() > shown) s << ", ...";
  return s.str();
}

// @proof C13
TokenSubspace token_subspace(const Dataset& ds, std::size_t a) {
  const std::size_t d = ds.d;
  TokenSubspace out;
  std::vector<std::vector<Rational>> echelon;
  std::vector<std::size_t> pivots;
  for (const Sample& s : ds.samples) {
    std::size_t end = 0;  // tokens 0..end-1 enter the rows
    bool observed = false;
    for (const Target& t : s.targets)
      if (t.y.at(a)) observed = true, end = std::max(end, t.position + 1);
    if (!observed) continue;
    if (!ds.causal) end = s.Z.cols();
    for (std::size_t t = 0; t < end && echelon.size() < d; ++t) {
      std::vector<Rational> z(d);
      for (std::size_t i = 0; i < d; ++i) z[i] = s.Z(i, t);
      if (add_to_echelon(echelon, pivots, z)) out.basis.push_back(std::move(z));
    }
    if (echelon.size() == d) break;
  }
  out.dimension = echelon.size();
  out.rank_bound = out.dimension * out.dimension * (out.dimension + 1) / 2;
  // U^perp = {u : <b, u> = 0 for every basis row} = the nullspace of the reduced echelon rows:
  // one vector per free column f, u_f = 1, u_{pivot r} = -echelon[r][f].
  for (std::size_t f = 0; f < d; ++f) {
    if (std::find(pivots.begin(), pivots.end(), f) != pivots.end()) continue;
    std::vector<Rational> u(d, Rational(0));
    u[f] = 1;
    for (std::size_t r = 0; r < echelon.size(); ++r) u[pivots[r]] = -echelon[r][f];
    const std::vector<Integer> w = vector_primitive_integer(u);
    std::vector<Rational> q;
    for (const Integer& x : w) q.emplace_back(x);
    for (const std::vector<Rational>& b : out.basis) {
      Rational s = 0;
      for (std::size_t i = 0; i < d; ++i) s += b[i] * q[i];
      if (s != 0) fail(ErrorKind::internal, "token_subspace: a missing direction is not orthogonal to the tokens");
    }
    out.missing.push_back(std::move(q));
  }
  return out;
}

// @proof C13 @proof C15
CoordinateAdvice advise(const Dataset& ds, const CoordinateCertificate& c) {
  if (!c.observed || c.identifiable) fail(ErrorKind::internal, "advise: the coordinate is not deficient");
  const std::size_t d = ds.d, D = feature_dim(d), a = c.a;
  CoordinateAdvice out;
  out.a = a;
  // Needed rows: at least D - rank; with only a lower bound on the rank, D - its upper bound.
  out.more_rows_at_least = D - (c.rank_upper_bound ? *c.rank_upper_bound : c.rank);
  std::ostringstream text;
  if (c.single_token_rows) {
    out.cases.push_back("single-token");
    out.more_such_samples_help = false;
    text << "every row depends on one token (Lemma C3): rank <= " << d * (d + 1) * (d + 2) / 6
         << " < D whatever the number of such samples; use inputs of at least 2 tokens"
         << (ds.causal ? " with targets at positions >= 1" : "") << "; ";
  }
  TokenSubspace U = token_subspace(ds, a);
  if (U.dimension < d) {
    out.cases.push_back("token-subspace");
    out.more_such_samples_help = false;
    text << "the tokens span only a " << U.dimension << "-dimensional subspace of Q^" << d << ": rank <= " << U.rank_bound
         << " < D = " << D << " however many such samples (Lemma C13); add tokens outside it, e.g. along ";
    for (std::size_t i = 0; i < std::min<std::size_t>(U.missing.size(), 2); ++i) text << (i ? ", " : "") << list_text(U.missing[i]);
    if (U.missing.size() > 2) text << " (" << U.missing.size() << " missing directions)";
    text << "; ";
    out.subspace = std::move(U);
  }
  // Features that vanish on every row (exact numerators, one sample at a time).
  std::vector<bool> seen(D, false);
  std::size_t unseen = D;
  std::vector<std::size_t> positions;
  for (const Sample& s : ds.samples) {
    if (unseen == 0) break;
    positions.clear();
    for (const Target& t : s.targets)
      if (t.y.at(a)) positions.push_back(t.position);
    if (positions.empty()) continue;
    const ScaledIntegerMatrix phi = feature_rows_scaled(s.Z, positions, ds.causal);
    for (std::size_t r = 0; r < positions.size(); ++r)
      for (std::size_t i = 0; i < D; ++i)
        if (!seen[i] && phi.numerators(r, i) != 0) seen[i] = true, --unseen;
  }
  for (std::size_t i = 0; i < D; ++i)
    if (!seen[i]) out.zero_features.push_back(i);
  if (!out.zero_features.empty()) {
    out.cases.push_back("features-never-occur");
    text << out.zero_features.size() << " of " << D << " features are 0 on every row (e.g. "
         << feature_name(out.zero_features[0], d) << "; one-hot or sparse data): the data never exercise them (Lemma C15); ";
  }
  if (c.rank == c.rows) {
    out.cases.push_back("rank-equals-rows");
    text << "rank = rows = " << c.rank << ": every row is independent, ";
  } else if (out.cases.empty()) {
    out.cases.push_back("dependent-rows");
    text << "the " << c.rows << " rows are dependent (rank " << (c.rank_upper_bound ? ">= " : "") << c.rank
         << "; repeated or structured samples), ";
  }
  if (out.more_such_samples_help)
    text << "add at least " << out.more_rows_at_least << " more rows in general position";
  else
    text << "at least " << out.more_rows_at_least << " more rows are needed, of another kind";
  out.text = text.str();
  return out;
}

}  // namespace mhla
