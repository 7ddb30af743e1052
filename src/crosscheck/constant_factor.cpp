// SPDX-License-Identifier: MIT
#include "mhla/crosscheck/constant_factor.hpp"

#include <algorithm>

#include "mhla/crosscheck/rounding_bound.hpp"

namespace mhla::crosscheck {
namespace {

struct Named {
  const char* name;     // "H", "n", "sqrt(d)", "sqrt(d_k)"
  const char* symbol;   // for the sizes text: "H", "n", "d", "d_k"
  Rational square;      // the factor's square: H^2, n^2, d, d_k
  std::size_t size;
};

std::vector<Named> named_factors(const NamedSizes& s) {
  std::vector<Named> f;
  if (s.H > 1) f.push_back({"H", "H", Rational(Integer(s.H) * Integer(s.H)), s.H});
  if (s.n && *s.n > 1) f.push_back({"n", "n", Rational(Integer(*s.n) * Integer(*s.n)), *s.n});
  if (s.d > 1) f.push_back({"sqrt(d)", "d", Rational(Integer(s.d)), s.d});
  if (s.dk && *s.dk > 1) f.push_back({"sqrt(d_k)", "d_k", Rational(Integer(*s.dk)), *s.dk});
  return f;
}

Rational power(const Rational& x, int e) {
  return e == 0 ? Rational(1) : e > 0 ? x : Rational(1) / x;
}

// "1/(H sqrt(d))", "H/sqrt(d)", "1/n" from the exponent vector (-1: in the numerator).
std::string product_text(const std::vector<Named>& f, const std::vector<int>& e) {
  std::string num, den, sizes;
  std::size_t dens = 0;
  for (std::size_t i = 0; i < f.size(); ++i) {
    if (e[i] == 0) continue;
    std::string& side = e[i] > 0 ? den : num;
    side += (side.empty() ? "" : " ") + std::string(f[i].name);
    dens += e[i] > 0 ? 1 : 0;
    sizes += (sizes.empty() ? "" : ", ") + std::string(f[i].symbol) + " = " + std::to_string(f[i].size);
  }
  std::string t = num.empty() ? "1" : num;
  if (!den.empty()) t += dens > 1 ? "/(" + den + ")" : "/" + den;
  return t + " (" + sizes + ")";
}

// True when e has both signs: a factor in the numerator and one in the denominator (such
// products, e.g. sqrt(d_k)/(H sqrt(d)), are not what a slip looks like and are not listed).
bool mixed(const std::vector<int>& e) {
  bool up = false, down = false;
  for (int x : e) up = up || x > 0, down = down || x < 0;
  return up && down;
}

// Integer square root floor(sqrt(z)), z >= 0.
Integer isqrt(const Integer& z) { return boost::multiprecision::sqrt(z); }

// Exact sqrt of a rational when it is a rational square.
std::optional<Rational> rational_sqrt(const Rational& s) {
  const Integer p = numerator(s), q = denominator(s);
  const Integer rp = isqrt(p), rq = isqrt(q);
  if (rp * rp == p && rq * rq == q) return Rational(rp, rq);
  return std::nullopt;
}

// lo <= sqrt(s) <= hi with hi - lo <= 2^-100 / q (s = p/q > 0).
std::pair<Rational, Rational> sqrt_enclosure(const Rational& s) {
  const Integer p = numerator(s), q = denominator(s);
  const Integer scale = Integer(1) << 100;
  const Integer r = isqrt(p * q * scale * scale);  // r <= sqrt(pq) 2^100 < r + 1
  return {Rational(r, q * scale), Rational(r + 1, q * scale)};
}

// Every entry within |c| B of c y for every c in sign * [lo, hi] (Lemma X2).
bool verified(const std::vector<FactorEntry>& entries, const Rational& lo, const Rational& hi, bool negative) {
  const Rational l = negative ? Rational(-lo) : lo, h = negative ? Rational(-hi) : hi;
  for (const FactorEntry& x : entries) {
    const Rational el = absolute(x.theirs - l * x.exact), eh = lo == hi ? el : absolute(x.theirs - h * x.exact);
    if ((el > eh ? el : eh) > lo * x.bound) return false;
  }
  return true;
}

std::string rational_text(const Rational& c) { return to_string(c); }

}  // namespace

std::vector<std::string> named_decompositions(const Rational& c_squared, const NamedSizes& sizes) {
  const std::vector<Named> f = named_factors(sizes);
  std::vector<std::string> out;
  std::vector<int> e(f.size(), -1);
  // Every exponent vector in {-1, 0, 1}^k, fewest factors first.
  std::vector<std::pair<std::size_t, std::string>> found;
  for (;;) {
    Rational sq(1);
    std::size_t used = 0;
    for (std::size_t i = 0; i < f.size(); ++i) {
      sq *= power(f[i].square, -e[i]);
      used += e[i] != 0 ? 1 : 0;
    }
    if (used > 0 && sq == c_squared && !mixed(e)) found.emplace_back(used, product_text(f, e));
    std::size_t i = 0;
    while (i < e.size() && e[i] == 1) e[i++] = -1;
    if (i == e.size()) break;
    ++e[i];
  }
  std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [used, text] : found) out.push_back(std::move(text));
  return out;
}

std::optional<FactorMatch> find_constant_factor(const std::vector<FactorEntry>& entries, const NamedSizes& sizes) {
  const FactorEntry* largest = nullptr;
  for (const FactorEntry& x : entries)
    if (x.exact != 0 && (!largest || absolute(x.exact) > absolute(largest->exact))) largest = &x;
  if (!largest || largest->theirs == 0) return std::nullopt;
  const Rational r = largest->theirs / largest->exact;
  const bool negative = r < 0;
  const Rational ar = absolute(r);
  auto rational_match = [&](const Rational& c) -> std::optional<FactorMatch> {
    if (c == 1 || c == 0 || !verified(entries, c, c, negative)) return std::nullopt;
    FactorMatch m;
    m.negative = negative;
    m.c = negative ? Rational(-c) : c;
    m.c_squared = c * c;
    m.lo = m.hi = c;
    m.value_text = (negative ? "-" : "") + rational_text(c);
    m.decompositions = named_decompositions(m.c_squared, sizes);
    return m;
  };
  // 1. The named products, rational or not, each verified (first, so that a convergent close to
  // an irrational named factor does not stand in for it).
  const std::vector<Named> f = named_factors(sizes);
  std::vector<int> e(f.size(), -1);
  std::vector<Rational> tried;
  for (;;) {
    Rational sq(1);
    bool any = false;
    for (std::size_t i = 0; i < f.size(); ++i) {
      sq *= power(f[i].square, -e[i]);
      any = any || e[i] != 0;
    }
    if (any && !mixed(e) && std::find(tried.begin(), tried.end(), sq) == tried.end()) {
      tried.push_back(sq);
      if (const std::optional<Rational> c = rational_sqrt(sq)) {
        if (auto m = rational_match(*c)) return m;
      } else {
        const auto [lo, hi] = sqrt_enclosure(sq);
        if (verified(entries, lo, hi, negative)) {
          FactorMatch m;
          m.negative = negative;
          m.c_squared = sq;
          m.lo = lo, m.hi = hi;
          // sqrt(p/q) written as sqrt(p)/sqrt(q) with the square parts taken out.
          m.value_text = std::string(negative ? "-" : "") +
                         (numerator(sq) == 1 ? "1/sqrt(" + to_string(denominator(sq)) + ")" : "sqrt(" + to_string(sq) + ")");
          m.decompositions = named_decompositions(sq, sizes);
          return m;
        }
      }
    }
    std::size_t i = 0;
    while (i < e.size() && e[i] == 1) e[i++] = -1;
    if (i == e.size()) break;
    ++e[i];
  }
  // 2. A simple rational near |r|: its continued-fraction convergents (the best rational
  // approximations) with numerator and denominator up to 1000.
  {
    Integer h0 = 0, h1 = 1, k0 = 1, k1 = 0;  // h_{-2}, h_{-1}, k_{-2}, k_{-1}
    Rational x = ar;
    for (int step = 0; step < 60; ++step) {
      const Integer a = numerator(x) / denominator(x);
      const Integer h2 = a * h1 + h0, k2 = a * k1 + k0;
      if (k2 > 1000 || h2 > 1000) break;
      if (auto m = rational_match(Rational(h2, k2))) return m;
      h0 = h1, h1 = h2, k0 = k1, k1 = k2;
      const Rational frac = x - Rational(a);
      if (frac == 0) break;
      x = Rational(1) / frac;
    }
  }
  return std::nullopt;
}

}  // namespace mhla::crosscheck
