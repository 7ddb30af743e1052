// SPDX-License-Identifier: MIT
// The informational checks of verify (verify_informational.hpp).
#include "mhla/checker/verify_informational.hpp"

#include <gmpxx.h>

#include <memory>
#include <optional>
#include <set>

#include "rank_over_q.hpp"
#include "mhla/io/dataset_file.hpp"
#include "mhla/io/json.hpp"
#include "mhla/io/json_scalars.hpp"

namespace mhla::checker {
namespace {

using Q = mpq_class;
using QMatrix = std::vector<std::vector<Q>>;  // rows x cols

struct Fail {
  std::string reason;
};
void require(bool ok, const std::string& reason) {
  if (!ok) throw Fail{reason};
}

Q to_q(const Rational& r) {
  Q q;
  mpq_set(q.get_mpq_t(), r.backend().data());
  return q;
}
QMatrix to_q(const Matrix<Rational>& m) {
  QMatrix out(m.rows(), std::vector<Q>(m.cols()));
  for (std::size_t i = 0; i < m.rows(); ++i)
    for (std::size_t j = 0; j < m.cols(); ++j) out[i][j] = to_q(m(i, j));
  return out;
}
Q read_q(const json::Located& at) { return to_q(read_scalar(at, NumberSemantics::exact)); }
std::vector<Q> read_q_vector(const json::Located& at) {
  std::vector<Q> v;
  for (std::size_t i = 0; i < at.array_size(); ++i) v.push_back(read_q(at.element(i)));
  return v;
}

struct Row {
  std::size_t sample, position;
  std::vector<std::optional<Q>> y;
};
struct Data {
  std::size_t d = 0;
  bool causal = false;
  std::vector<QMatrix> Z;  // d x n
  std::vector<Row> rows;   // file order
};

// Upper-triangle Gram of tokens 0..end-1; phi[(j,k,l)] = G[j][k] Z[l][b], j <= k, l inner.
std::vector<Q> phi(const QMatrix& Z, std::size_t b, bool causal) {
  const std::size_t d = Z.size(), end = causal ? b + 1 : Z[0].size();
  std::vector<Q> f;
  f.reserve(d * d * (d + 1) / 2);
  for (std::size_t j = 0; j < d; ++j)
    for (std::size_t k = j; k < d; ++k) {
      Q g = 0;
      for (std::size_t t = 0; t < end; ++t) g += Z[j][t] * Z[k][t];
      for (std::size_t l = 0; l < d; ++l) f.push_back(g * Z[l][b]);
    }
  return f;
}

// A model's output Y[a][b] = sum_h (V_h G Q_h z_b)[a] (math.md) = <w_a, phi(Z, b)> with
// w_a[(j,k,l)] = sum_h V_h[a][j] Q_h[k][l] + (j != k ? sum_h V_h[a][k] Q_h[j][l] : 0) (math.md,
// "Weights"; the expansion of G = sum_t z_t z_t^T over the pairs j <= k). The weights are formed
// once per model; an output then costs D products.
struct QModel {
  std::vector<QMatrix> V, Qm;
  // w_a = wn[a] / wden: integer numerators over one denominator (formed without rational
  // normalisations: V_h = Vn_h / LV, Q_h = Qn_h / LQ with LV, LQ the lcm of all denominators).
  std::vector<std::vector<mpz_class>> wn;  // d x D
  mpz_class wden = 1;
};
void form_weights(QModel& m, std::size_t d) {
  const std::size_t D = d * d * (d + 1) / 2, H = m.V.size();
  mpz_class LV = 1, LQ = 1;
  for (std::size_t h = 0; h < H; ++h)
    for (std::size_t i = 0; i < d; ++i)
      for (std::size_t j = 0; j < d; ++j) {
        mpz_lcm(LV.get_mpz_t(), LV.get_mpz_t(), m.V[h][i][j].get_den_mpz_t());
        mpz_lcm(LQ.get_mpz_t(), LQ.get_mpz_t(), m.Qm[h][i][j].get_den_mpz_t());
      }
  auto scaled = [](const Q& q, const mpz_class& L) { return mpz_class(q.get_num() * (L / q.get_den())); };
  std::vector<std::vector<std::vector<mpz_class>>> Vn(H), Qn(H);
  for (std::size_t h = 0; h < H; ++h) {
    Vn[h].assign(d, std::vector<mpz_class>(d));
    Qn[h].assign(d, std::vector<mpz_class>(d));
    for (std::size_t i = 0; i < d; ++i)
      for (std::size_t j = 0; j < d; ++j) Vn[h][i][j] = scaled(m.V[h][i][j], LV), Qn[h][i][j] = scaled(m.Qm[h][i][j], LQ);
  }
  m.wden = LV * LQ;
  m.wn.assign(d, std::vector<mpz_class>(D));
  std::vector<mpz_class> T(d * d * d);
  for (std::size_t a = 0; a < d; ++a) {
    // T[j][k][l] = sum_h Vn_h[a][j] Qn_h[k][l]
    for (mpz_class& t : T) t = 0;
    for (std::size_t h = 0; h < H; ++h)
      for (std::size_t j = 0; j < d; ++j) {
        const mpz_class& v = Vn[h][a][j];
        if (v == 0) continue;
        for (std::size_t k = 0; k < d; ++k)
          for (std::size_t l = 0; l < d; ++l)
            if (Qn[h][k][l] != 0) mpz_addmul(T[(j * d + k) * d + l].get_mpz_t(), v.get_mpz_t(), Qn[h][k][l].get_mpz_t());
      }
    std::size_t i = 0;
    for (std::size_t j = 0; j < d; ++j)
      for (std::size_t k = j; k < d; ++k)
        for (std::size_t l = 0; l < d; ++l, ++i)
          m.wn[a][i] = T[(j * d + k) * d + l] + (j != k ? T[(k * d + j) * d + l] : mpz_class(0));
  }
}
// phi as integer numerators over one denominator.
struct IntPhi {
  std::vector<mpz_class> num;
  mpz_class den = 1;
};
IntPhi integer_phi(const std::vector<Q>& f) {
  IntPhi p;
  for (const Q& x : f) mpz_lcm(p.den.get_mpz_t(), p.den.get_mpz_t(), x.get_den_mpz_t());
  p.num.reserve(f.size());
  for (const Q& x : f) p.num.emplace_back(x.get_num() * (p.den / x.get_den()));
  return p;
}
Q output_from_phi(const QModel& m, std::size_t a, const IntPhi& f) {
  mpz_class y = 0;
  for (std::size_t i = 0; i < f.num.size(); ++i)
    if (f.num[i] != 0) mpz_addmul(y.get_mpz_t(), m.wn[a][i].get_mpz_t(), f.num[i].get_mpz_t());
  Q out(y, m.wden * f.den);
  out.canonicalize();
  return out;
}
Q output(const QModel& m, const QMatrix& Z, std::size_t a, std::size_t b, bool causal) {
  return output_from_phi(m, a, integer_phi(phi(Z, b, causal)));
}

QModel read_model_object(const json::Located& at, std::size_t d, bool causal, const std::string& what) {
  const ShapeHeader header = read_shape_header(at, "mhla-model", 1);
  require(header.d == d, what + ": d = " + std::to_string(header.d) + " but the dataset has d = " + std::to_string(d));
  require(header.causal == causal, what + ": the causal flag differs from the dataset's");
  QModel m;
  const json::Located heads = at.member("heads");
  for (std::size_t h = 0; h < heads.array_size(); ++h) {
    const json::Located head = heads.element(h);
    head.expect_object();
    m.V.push_back(to_q(read_matrix(head.member("V"), "V", d, d, header.semantics)));
    m.Qm.push_back(to_q(read_matrix(head.member("Q"), "Q", d, d, header.semantics)));
  }
  form_weights(m, d);
  return m;
}

// The empirical risks of two models on the dataset (features formed once per row).
std::pair<Q, Q> risks(const Data& data, const QModel& m1, const QModel& m2) {
  Q r1 = 0, r2 = 0;
  for (const Row& row : data.rows) {
    bool any = false;
    for (const auto& y : row.y) any = any || y.has_value();
    if (!any) continue;
    const IntPhi f = integer_phi(phi(data.Z[row.sample], row.position, data.causal));
    for (std::size_t a = 0; a < data.d; ++a)
      if (row.y[a]) {
        const Q e1 = output_from_phi(m1, a, f) - *row.y[a], e2 = output_from_phi(m2, a, f) - *row.y[a];
        r1 += e1 * e1;
        r2 += e2 * e2;
      }
  }
  return {r1, r2};
}


// q rounded up (up) or down to a dyadic rational with 256 significant bits.
Q dyadic(const Q& q, bool up) {
  if (q == 0) return q;
  const long e = 256 - (static_cast<long>(mpz_sizeinbase(q.get_num_mpz_t(), 2)) -
                        static_cast<long>(mpz_sizeinbase(q.get_den_mpz_t(), 2)));
  mpz_class num = q.get_num(), den = q.get_den(), r;
  if (e >= 0) mpz_mul_2exp(num.get_mpz_t(), num.get_mpz_t(), static_cast<mp_bitcnt_t>(e));
  else mpz_mul_2exp(den.get_mpz_t(), den.get_mpz_t(), static_cast<mp_bitcnt_t>(-e));
  if (up) mpz_cdiv_q(r.get_mpz_t(), num.get_mpz_t(), den.get_mpz_t());
  else mpz_fdiv_q(r.get_mpz_t(), num.get_mpz_t(), den.get_mpz_t());
  Q out(r);
  if (e >= 0) mpq_div_2exp(out.get_mpq_t(), out.get_mpq_t(), static_cast<mp_bitcnt_t>(e));
  else mpq_mul_2exp(out.get_mpq_t(), out.get_mpq_t(), static_cast<mp_bitcnt_t>(-e));
  return out;
}

// The sums over the rows of Phi_a of (phi . x)^2 and of phi_i^2. Summing rationals with many
// different denominators exactly grows quadratically (the lcm of all of them), so each term is
// first rounded outward to a 256-bit dyadic (up for the upper-end test, down for the lower-end
// test): a bound that passes with rounded terms passes exactly. Only when a rounded test fails
// is it repeated exactly.
struct LambdaSums {
  Q xLx, xx;
  std::vector<Q> diag;
  std::size_t N = 0;
};
// phi(Z, b) = num / L^3 with num integer, L = lcm of the denominators of Z (a plain loop).
std::vector<mpz_class> integer_phi_of(const QMatrix& Z, std::size_t b, bool causal, mpz_class& L3) {
  const std::size_t d = Z.size(), n = Z[0].size(), end = causal ? b + 1 : n;
  mpz_class L = 1;
  for (const auto& r : Z)
    for (const Q& q : r) mpz_lcm(L.get_mpz_t(), L.get_mpz_t(), q.get_den_mpz_t());
  std::vector<std::vector<mpz_class>> Zi(d, std::vector<mpz_class>(n));
  for (std::size_t i = 0; i < d; ++i)
    for (std::size_t t = 0; t < n; ++t) Zi[i][t] = Z[i][t].get_num() * (L / Z[i][t].get_den());
  std::vector<mpz_class> f;
  f.reserve(d * d * (d + 1) / 2);
  for (std::size_t j = 0; j < d; ++j)
    for (std::size_t k = j; k < d; ++k) {
      mpz_class g = 0;
      for (std::size_t t = 0; t < end; ++t) mpz_addmul(g.get_mpz_t(), Zi[j][t].get_mpz_t(), Zi[k][t].get_mpz_t());
      for (std::size_t l = 0; l < d; ++l) f.push_back(g * Zi[l][b]);
    }
  L3 = L * L * L;
  return f;
}

LambdaSums lambda_sums(const Data& data, std::size_t a, const std::vector<Q>& x, bool rounded) {
  const std::size_t D = x.size();
  LambdaSums out{0, 0, std::vector<Q>(D), 0};
  // x = xi / xden with xi integer.
  mpz_class xden = 1;
  for (const Q& v : x) mpz_lcm(xden.get_mpz_t(), xden.get_mpz_t(), v.get_den_mpz_t());
  std::vector<mpz_class> xi;
  for (const Q& v : x) xi.emplace_back(v.get_num() * (xden / v.get_den()));
  for (const Q& v : x) out.xx += v * v;
  mpz_class L3, s;
  for (const Row& row : data.rows) {
    if (!row.y[a]) continue;
    ++out.N;
    const std::vector<mpz_class> f = integer_phi_of(data.Z[row.sample], row.position, data.causal, L3);
    const mpz_class L6 = L3 * L3;
    s = 0;
    for (std::size_t i = 0; i < D; ++i) {
      if (f[i] == 0) continue;
      Q f2(mpz_class(f[i] * f[i]), L6);  // dyadic() needs no canonical form; exact sums do
      if (!rounded) f2.canonicalize();
      out.diag[i] += rounded ? dyadic(f2, false) : f2;
      mpz_addmul(s.get_mpz_t(), f[i].get_mpz_t(), xi[i].get_mpz_t());
    }
    Q s2(mpz_class(s * s), mpz_class(L6 * xden * xden));
    if (!rounded) s2.canonicalize();
    out.xLx += rounded ? dyadic(s2, true) : s2;
  }
  return out;
}

void check_lambda(const Data& data, std::size_t a, bool identifiable, const json::Located& lm, const std::string& at) {
  if (lm.optional_member("skipped")) return;
  const Q lower = read_q(lm.member("lower")), upper = read_q(lm.member("upper"));
  require(0 <= lower && lower <= upper, at + "lambda_min: not 0 <= lower <= upper");
  require(identifiable || lower == 0, at + "lambda_min: lower end > 0 for a coordinate whose rank is below feature_dim");
  const std::vector<Q> x = read_q_vector(lm.member("upper_vector"));
  const std::size_t D = data.d * data.d * (data.d + 1) / 2;
  require(x.size() == D, at + "lambda_min: upper_vector does not have feature_dim entries");
  LambdaSums sums = lambda_sums(data, a, x, true);
  require(sums.xx != 0, at + "lambda_min: upper_vector is zero");
  auto passes = [&](const LambdaSums& s) {
    if (s.xLx > upper * s.xx * s.N) return false;
    for (std::size_t i = 0; i < D; ++i)
      if (lower * s.N > s.diag[i]) return false;
    return true;
  };
  if (!passes(sums)) sums = lambda_sums(data, a, x, false);  // the exact sums decide
  require(sums.xLx <= upper * sums.xx * sums.N, at + "lambda_min: the Rayleigh quotient of upper_vector exceeds the upper end");
  for (std::size_t i = 0; i < D; ++i)
    require(lower * sums.N <= sums.diag[i], at + "lambda_min: lower end above Lambda_ii for feature " + std::to_string(i));
}

void check_advice(const Data& data, std::size_t a, std::size_t rank, std::optional<std::size_t> rank_upper,
                  const json::Located& adv, const std::string& at) {
  const std::size_t d = data.d, D = d * d * (d + 1) / 2;
  const std::size_t more = adv.member("more_rows_at_least").as_size(0, D);
  require(more == D - rank_upper.value_or(rank), at + "advice: more_rows_at_least is not D - rank");
  static const std::set<std::string> known{"single-token", "token-subspace", "features-never-occur", "rank-equals-rows",
                                           "dependent-rows"};
  std::set<std::string> cases;
  const json::Located cl = adv.member("cases");
  for (std::size_t i = 0; i < cl.array_size(); ++i) {
    const std::string c = cl.element(i).as_string();
    require(known.count(c) > 0, at + "advice: unknown case '" + c + "'");
    cases.insert(c);
  }
  const auto sub = adv.optional_member("token_subspace");
  require(cases.count("token-subspace") == (sub ? 1u : 0u), at + "advice: case token-subspace without its subspace or vice versa");
  const auto zero = adv.optional_member("features_never_occurring");
  require(cases.count("features-never-occur") == (zero ? 1u : 0u),
          at + "advice: case features-never-occur without its features or vice versa");
  if (sub) {
    const std::size_t k = sub->member("dimension").as_size(0, d);
    std::vector<std::vector<Q>> basis, missing;
    const json::Located b = sub->member("basis"), m = sub->member("missing_directions");
    for (std::size_t i = 0; i < b.array_size(); ++i) basis.push_back(read_q_vector(b.element(i)));
    for (std::size_t i = 0; i < m.array_size(); ++i) missing.push_back(read_q_vector(m.element(i)));
    for (const auto& v : basis) require(v.size() == d, at + "advice: a basis vector does not have d entries");
    for (const auto& v : missing) require(v.size() == d, at + "advice: a missing direction does not have d entries");
    require(k < d && basis.size() == k && rank_over_q(basis) == k, at + "advice: the subspace basis is not k < d independent vectors");
    require(missing.size() == d - k && rank_over_q(missing) == d - k, at + "advice: not d - k independent missing directions");
    for (const auto& u : missing)
      for (const auto& v : basis) {
        Q s = 0;
        for (std::size_t i = 0; i < d; ++i) s += u[i] * v[i];
        require(s == 0, at + "advice: a missing direction is not orthogonal to the subspace");
      }
    require(sub->member("rank_bound").as_size(0, D) == k * k * (k + 1) / 2, at + "advice: rank_bound is not k^2(k+1)/2");
    // Every token entering Phi_a is orthogonal to every missing direction (so lies in U = (U^perp)^perp).
    for (const Row& row : data.rows) {
      if (!row.y[a]) continue;
      const QMatrix& Z = data.Z[row.sample];
      const std::size_t end = data.causal ? row.position + 1 : Z[0].size();
      for (std::size_t t = 0; t < end; ++t)
        for (const auto& u : missing) {
          Q s = 0;
          for (std::size_t i = 0; i < d; ++i) s += u[i] * Z[i][t];
          require(s == 0, at + "advice: token " + std::to_string(t) + " of sample " + std::to_string(row.sample) +
                              " lies outside the claimed subspace");
        }
    }
  }
  if (zero) {
    std::vector<std::size_t> idx;
    for (std::size_t i = 0; i < zero->array_size(); ++i) idx.push_back(zero->element(i).as_size(0, D - 1));
    for (const Row& row : data.rows) {
      if (!row.y[a]) continue;
      const std::vector<Q> f = phi(data.Z[row.sample], row.position, data.causal);
      for (std::size_t i : idx)
        require(f[i] == 0, at + "advice: feature " + std::to_string(i) + " claimed never to occur is nonzero on a row");
    }
  }
}

}  // namespace

// @proof C16
std::string check_informational(std::string_view dataset_bytes, const std::string& dataset_name,
                                std::string_view certificate_text, const std::string& certificate_name) {
  const Dataset ds = parse_dataset_text(dataset_bytes, dataset_name);
  Data data{ds.d, ds.causal, {}, {}};
  for (std::size_t s = 0; s < ds.samples.size(); ++s) {
    data.Z.push_back(to_q(ds.samples[s].Z));
    for (const Target& t : ds.samples[s].targets) {
      Row row{s, t.position, {}};
      for (const auto& y : t.y) row.y.push_back(y ? std::optional<Q>(to_q(*y)) : std::nullopt);
      data.rows.push_back(std::move(row));
    }
  }
  const json::Value doc = json::parse_json(certificate_text, certificate_name);
  const json::Located root(doc, std::make_shared<const std::string>(certificate_name));
  try {
    const bool identifiable = root.member("identifiable").as_bool();
    struct Deficient {
      std::size_t a;
      QMatrix Z;
      std::size_t position;
    };
    std::vector<Deficient> deficient;
    const json::Located coords = root.member("coordinates");
    for (std::size_t i = 0; i < coords.array_size(); ++i) {
      const json::Located c = coords.element(i);
      const std::size_t a = c.member("a").as_size(0, ds.d - 1);
      const std::string at = "coordinate " + std::to_string(a) + ": ";
      const auto observed = c.optional_member("observed");
      if (observed && !observed->as_bool()) continue;
      const bool id = c.member("identifiable").as_bool();
      if (auto lm = c.optional_member("lambda_min")) check_lambda(data, a, id, *lm, at);
      const auto adv = c.optional_member("advice");
      require(!(id && adv), at + "advice given for an identifiable coordinate");
      if (adv) {
        std::optional<std::size_t> upper;
        if (auto u = c.optional_member("rank_upper_bound")) upper = u->as_size(0, SIZE_MAX / 2);
        check_advice(data, a, c.member("rank").as_size(0, SIZE_MAX / 2), upper, *adv, at);
      }
      if (!id)
        if (auto di = c.optional_member("distinguishing_input"))
          deficient.push_back({a, to_q(read_matrix(di->member("Z"), "Z", ds.d, std::nullopt, NumberSemantics::exact)),
                               di->member("position").as_size(0, SIZE_MAX / 2)});
    }
    const auto alt = root.optional_member("alternative_model");
    if (identifiable) {
      require(!alt, "alternative_model given for an identifiable dataset");
      return "";
    }
    if (!alt || alt->optional_member("skipped")) return "";
    const QModel alternative = read_model_object(*alt, ds.d, ds.causal, "alternative_model");
    const QModel base = read_model_object(alt->member("base"), ds.d, ds.causal, "alternative_model.base");
    const auto [base_risk, alt_risk] = risks(data, base, alternative);
    require(base_risk == alt_risk, "alternative_model: the two models' empirical risks differ");
    require(base_risk == read_q(alt->member("base_loss")), "alternative_model: base_loss is not the base model's risk");
    require(alt_risk == read_q(alt->member("alternative_loss")),
            "alternative_model: alternative_loss is not the alternative's risk");
    const json::Located differs = alt->member("differs_at");
    std::set<std::size_t> listed;
    for (std::size_t i = 0; i < differs.array_size(); ++i) {
      const json::Located e = differs.element(i);
      const std::size_t a = e.member("a").as_size(0, ds.d - 1), position = e.member("position").as_size(0, SIZE_MAX / 2);
      const std::string at = "alternative_model: differs_at a = " + std::to_string(a) + ": ";
      const Deficient* di = nullptr;
      for (const Deficient& x : deficient)
        if (x.a == a) di = &x;
      require(di != nullptr && di->position == position && position < di->Z[0].size(),
              at + "not a deficient coordinate's distinguishing input");
      require(listed.insert(a).second, at + "listed twice");
      const Q yb = output(base, di->Z, a, position, ds.causal), ya = output(alternative, di->Z, a, position, ds.causal);
      require(yb == read_q(e.member("base_output")) && ya == read_q(e.member("alternative_output")),
              at + "the stated outputs are not the models' outputs");
      require(yb != ya, at + "the two models agree at the distinguishing input");
    }
    require(listed.size() == deficient.size(), "alternative_model: a deficient coordinate's input is not in differs_at");
  } catch (const Fail& f) {
    return f.reason;
  }
  return "";
}

}  // namespace mhla::checker
