// SPDX-License-Identifier: MIT
// The independent certificate checker (verify_certificate.hpp). Two phases: read the whole
// certificate into plain structs (every malformation throws Error(bad_input) with the JSON
// path, so exit 2 never depends on which claim is wrong), then check every claim against the
// dataset, stopping at the first false one (an ordinary INVALID result).
#include "mhla/checker/verify_certificate.hpp"
#include "mhla/checker/verify_informational.hpp"

#include <gmpxx.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <tuple>
#include <vector>

#include "certificate_keys.hpp"
#include "rank_over_q.hpp"
#include "mhla/io/dataset_file.hpp"
#include "mhla/io/files.hpp"
#include "mhla/io/json.hpp"
#include "mhla/io/json_scalars.hpp"

namespace mhla::checker {
namespace {

__extension__ typedef unsigned __int128 u128;
static_assert(sizeof(unsigned long) == 8, "mpz_fdiv_ui must take a 64-bit modulus");

using Q = mpq_class;
using QMatrix = std::vector<std::vector<Q>>;  // d rows of n entries: column t is token t

// ---- The parsing boundary: the only place engine types (Boost rationals) are seen. ----------

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

struct Point {  // an input and a position
  QMatrix Z;
  std::size_t position = 0;
};

struct Witness {
  std::string type;                // "nonzero-minor" or "kernel-vector"
  Q prime, minor;                  // nonzero-minor
  std::vector<std::size_t> rows;   // nonzero-minor
  std::vector<Q> vector;           // kernel-vector
};

// An r x r minor of Phi_a on rows x columns, claimed nonzero mod prime: rank(Phi_a) >= r.
struct RankMinor {
  Q prime, minor;
  std::vector<std::size_t> rows, columns;
  bool operator==(const RankMinor&) const = default;
};

// The proof of a deficient coordinate's rank: the minor (rank >= r) and an upper bound:
// "rows" (r = rows), "kernel-vector" (r = D - 1), "kernel-basis" (D - r independent kernel
// vectors) or "none" (rank is a lower bound; rank_upper_bound states what is claimed above).
// A row of Phi_a (or a domain point) claimed equal to another row (same_as) or to the exact
// combination sum terms[k].second * (row terms[k].first of Phi_a).
struct Combination {
  std::size_t index = 0;
  std::optional<std::size_t> same_as;
  std::vector<std::pair<std::size_t, Q>> terms;
  bool operator==(const Combination&) const = default;
};

struct RankWitness {
  RankMinor minor;
  std::string upper;
  std::vector<std::vector<Q>> basis;
  std::vector<Combination> dependent;  // "row-space"
  bool operator==(const RankWitness&) const = default;
};

struct Coordinate {
  std::size_t a = 0;
  bool observed = true;
  std::optional<std::size_t> rows, rank, rank_upper_bound;
  std::optional<RankWitness> rank_witness;
  std::optional<std::size_t> zero_features;  // with zero_gram_pairs (Lemma C10)
  std::vector<std::pair<std::size_t, std::size_t>> zero_gram_pairs;
  std::optional<bool> identifiable;
  std::optional<Witness> witness;
  std::optional<Point> distinguishing;
};

struct Certificate {
  std::string sha256;
  std::size_t d = 0, feature_dim = 0;
  bool identifiable = false;
  std::vector<Coordinate> coordinates;
};

constexpr std::size_t kMax = static_cast<std::size_t>(-1);

// A count or index as written (d, a, rows, rank, row indices, positions, ...). Any exact number
// is read; one that is not an integer in [0, 2^63) becomes kMax, which no range check accepts:
// a negative or absurd index makes the certificate INVALID (exit 1), not unreadable.
std::size_t read_count(const json::Located& at) {
  const Q q = to_q(read_scalar(at, NumberSemantics::exact));
  if (q.get_den() != 1 || q < 0 || mpz_sizeinbase(q.get_num_mpz_t(), 2) > 63) return kMax;
  return static_cast<std::size_t>(mpz_get_ui(q.get_num_mpz_t()));
}

// A count for a reason line.
std::string show(std::size_t n) { return n == kMax ? "<not an integer in [0, 2^63)>" : std::to_string(n); }

std::vector<Q> read_q_vector(const json::Located& at) {
  std::vector<Q> v;
  for (std::size_t i = 0; i < at.array_size(); ++i) v.push_back(read_q(at.element(i)));
  return v;
}

std::vector<std::size_t> read_indices(const json::Located& at) {
  std::vector<std::size_t> v;
  for (std::size_t i = 0; i < at.array_size(); ++i) v.push_back(read_count(at.element(i)));
  return v;
}

RankMinor read_rank_minor(const json::Located& m) {
  return {read_q(m.member("prime")), read_q(m.member("minor_mod_prime")), read_indices(m.member("rows")),
          read_indices(m.member("columns"))};
}

Combination read_combination(const json::Located& at, const char* key) {
  Combination out;
  out.index = read_count(at.member(key));
  if (auto s = at.optional_member("same_as")) {
    out.same_as = read_count(*s);
    return out;
  }
  const json::Located terms = at.member("terms");
  for (std::size_t k = 0; k < terms.array_size(); ++k) {
    const json::Located term = terms.element(k);
    if (term.array_size() != 2) term.fail("a term is [row, coefficient]");
    out.terms.emplace_back(read_count(term.element(0)), read_q(term.element(1)));
  }
  return out;
}

RankWitness read_rank_witness(const json::Located& w) {
  RankWitness out{read_rank_minor(w.member("rank_minor")), w.member("upper_bound").as_string(), {}, {}};
  if (out.upper == "row-space") {
    const json::Located dep = w.member("dependent_rows");
    for (std::size_t k = 0; k < dep.array_size(); ++k) out.dependent.push_back(read_combination(dep.element(k), "row"));
  } else if (out.upper == "kernel-basis") {
    const json::Located basis = w.member("kernel_basis");
    for (std::size_t k = 0; k < basis.array_size(); ++k) out.basis.push_back(read_q_vector(basis.element(k)));
  } else if (out.upper != "rows" && out.upper != "kernel-vector" && out.upper != "none") {
    w.member("upper_bound").fail("unknown upper_bound \"" + out.upper +
                                 "\" (expected \"rows\", \"kernel-vector\", \"kernel-basis\", \"row-space\" or \"none\")");
  }
  return out;
}

Witness read_witness(const json::Located& w) {
  Witness out;
  out.type = w.member("type").as_string();
  if (out.type == "nonzero-minor") {
    out.prime = read_q(w.member("prime"));
    out.minor = read_q(w.member("minor_mod_prime"));
    const json::Located rows = w.member("rows");
    for (std::size_t i = 0; i < rows.array_size(); ++i) out.rows.push_back(read_count(rows.element(i)));
  } else if (out.type == "kernel-vector") {
    const json::Located v = w.member("vector");
    for (std::size_t i = 0; i < v.array_size(); ++i) out.vector.push_back(read_q(v.element(i)));
  } else {
    w.member("type").fail("unknown witness type \"" + out.type + "\" (expected \"nonzero-minor\" or \"kernel-vector\")");
  }
  return out;
}

Point read_point(const json::Located& at) {
  const json::Located Z = at.member("Z");
  const std::size_t rows = Z.array_size();
  if (rows == 0) Z.fail("Z has no rows");
  Point p{to_q(read_matrix(Z, "Z", rows, std::nullopt, NumberSemantics::exact)), 0};
  p.position = read_count(at.member("position"));
  return p;
}

Coordinate read_coordinate(const json::Located& c) {
  Coordinate out;
  out.a = read_count(c.member("a"));
  if (auto o = c.optional_member("observed")) out.observed = o->as_bool();
  // An observed coordinate must state its claims and their witness; an unobserved one may.
  auto field = [&](const char* key) { return out.observed ? std::optional(c.member(key)) : c.optional_member(key); };
  if (auto m = field("rows")) out.rows = read_count(*m);
  if (auto m = field("rank")) out.rank = read_count(*m);
  if (auto m = field("identifiable")) out.identifiable = m->as_bool();
  if (auto m = field("witness")) out.witness = read_witness(*m);
  if (auto m = c.optional_member("distinguishing_input")) out.distinguishing = read_point(*m);
  if (auto m = c.optional_member("rank_upper_bound")) out.rank_upper_bound = read_count(*m);
  if (auto m = c.optional_member("rank_witness")) out.rank_witness = read_rank_witness(*m);
  if (auto m = c.optional_member("zero_features")) {
    out.zero_features = read_count(*m);
    const json::Located pairs = c.member("zero_gram_pairs");
    for (std::size_t k = 0; k < pairs.array_size(); ++k) {
      const json::Located pr = pairs.element(k);
      if (pr.array_size() != 2) pr.fail("a Gram pair is [j, k]");
      out.zero_gram_pairs.emplace_back(read_count(pr.element(0)), read_count(pr.element(1)));
    }
  }
  return out;
}

Certificate read_certificate(std::string_view text, const std::string& name) {
  const json::Value doc = json::parse_json(text, name);
  const json::Located root(doc, std::make_shared<const std::string>(name));
  check_format_header(root, "mhla-certificate", 1);
  check_certificate_keys(root);  // every level, the informational and domain fields included
  Certificate cert;
  cert.sha256 = root.member("dataset_sha256").as_string();
  cert.d = read_count(root.member("d"));
  cert.feature_dim = read_count(root.member("feature_dim"));
  cert.identifiable = root.member("identifiable").as_bool();
  const json::Located coords = root.member("coordinates");
  for (std::size_t i = 0; i < coords.array_size(); ++i) cert.coordinates.push_back(read_coordinate(coords.element(i)));
  return cert;
}

struct Data {
  std::size_t d = 0;
  bool causal = false;
  std::vector<QMatrix> inputs;
  struct Row {
    std::size_t sample, position;
    std::vector<bool> observed;  // per coordinate
  };
  std::vector<Row> rows;  // every (sample, target), in file order
};

Data read_data(std::string_view bytes, const std::string& name) {
  const Dataset ds = parse_dataset_text(bytes, name);
  Data out{ds.d, ds.causal, {}, {}};
  for (std::size_t s = 0; s < ds.samples.size(); ++s) {
    out.inputs.push_back(to_q(ds.samples[s].Z));
    for (const Target& t : ds.samples[s].targets) {
      Data::Row row{s, t.position, {}};
      for (const auto& y : t.y) row.observed.push_back(y.has_value());
      out.rows.push_back(std::move(row));
    }
  }
  return out;
}

// ---- The mathematics, in gmpxx and machine words only. -------------------------------------

// phi(Z, b)[(j,k,l)] = G[j][k] * Z[l][b], j <= k, lexicographic in (j,k,l); G = sum of z_t z_t^T
// over t < n, or over t <= b when causal (math.md, "The feature map"). G is given as its
// upper triangle, row-major (d(d+1)/2 entries).
std::vector<Q> phi_from_gram(const std::vector<Q>& G, const QMatrix& Z, std::size_t b) {
  const std::size_t d = Z.size();
  std::vector<Q> f;
  f.reserve(d * d * (d + 1) / 2);
  for (std::size_t jk = 0; jk < G.size(); ++jk)
    for (std::size_t l = 0; l < d; ++l) f.push_back(G[jk] * Z[l][b]);
  return f;
}

// G += z_t z_t^T (upper triangle).
void add_token(std::vector<Q>& G, const QMatrix& Z, std::size_t t) {
  std::size_t jk = 0;
  for (std::size_t j = 0; j < Z.size(); ++j)
    for (std::size_t k = j; k < Z.size(); ++k) G[jk++] += Z[j][t] * Z[k][t];
}

std::vector<Q> phi(const QMatrix& Z, std::size_t b, bool causal) {
  std::vector<Q> G(Z.size() * (Z.size() + 1) / 2);
  for (std::size_t t = 0, end = causal ? b + 1 : Z[0].size(); t < end; ++t) add_token(G, Z, t);
  return phi_from_gram(G, Z, b);
}

using Points = std::vector<std::pair<std::size_t, std::size_t>>;  // (input, position), positions < n

// visit(i, phi(inputs[points[i].first], points[i].second)) for every i, in the order of the
// points sorted by (input, position): one Gram matrix per input, grown token by token when
// causal, so an input with m positions costs O(d^2 n + m D), not O(m d^2 n).
template <class Visit>
void for_each_phi(const std::vector<QMatrix>& inputs, const Points& points, bool causal, Visit visit) {
  std::vector<std::size_t> order(points.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return points[x] < points[y]; });
  for (std::size_t k = 0; k < order.size();) {
    const std::size_t s = points[order[k]].first;
    const QMatrix& Z = inputs[s];
    std::vector<Q> G(Z.size() * (Z.size() + 1) / 2), f;
    std::size_t summed = 0;  // tokens 0..summed-1 are in G
    if (!causal)
      for (; summed < Z[0].size(); ++summed) add_token(G, Z, summed);
    std::size_t last = kMax;
    for (; k < order.size() && points[order[k]].first == s; ++k) {
      const std::size_t b = points[order[k]].second;
      if (causal)
        for (; summed <= b; ++summed) add_token(G, Z, summed);
      if (b != last) f = phi_from_gram(G, Z, b), last = b;
      visit(order[k], f);
    }
  }
}

// The points of the given rows of the dataset (indices into Data::rows).
Points row_points(const Data& data, const std::vector<std::size_t>& rows) {
  Points out;
  out.reserve(rows.size());
  for (std::size_t r : rows) out.emplace_back(data.rows[r].sample, data.rows[r].position);
  return out;
}

Q dot(const std::vector<Q>& u, const std::vector<Q>& v) {
  Q s = 0;
  for (std::size_t i = 0; i < u.size(); ++i) s += u[i] * v[i];
  return s;
}

// Residues mod p (2 <= p < 2^64), all operands in [0, p). For p < 2^32 a product x = a b < p^2
// fits in 64 bits and is reduced by Barrett's method with m = floor((2^64 - 1) / p): then
// x m / 2^64 > x/p - x (p + 1) / (p 2^64) > x/p - 1, so q = floor(x m / 2^64) > x/p - 2 and
// x - q p lies in [0, 2p): one subtraction finishes, no division. Larger p: 128-bit products.
struct Mod {
  std::uint64_t p, m;
  explicit Mod(std::uint64_t prime) : p(prime), m(~std::uint64_t(0) / prime) {}
  std::uint64_t mul(std::uint64_t a, std::uint64_t b) const {
    if (p >> 32) return static_cast<std::uint64_t>(static_cast<u128>(a) * b % p);
    const std::uint64_t x = a * b, r = x - static_cast<std::uint64_t>((static_cast<u128>(x) * m) >> 64) * p;
    return r >= p ? r - p : r;
  }
  std::uint64_t sub(std::uint64_t a, std::uint64_t b) const { return a >= b ? a - b : a + (p - b); }
  std::uint64_t pow(std::uint64_t a, std::uint64_t e) const {
    std::uint64_t r = 1 % p;
    for (a %= p; e; e >>= 1, a = mul(a, a))
      if (e & 1) r = mul(r, a);
    return r;
  }
};

// det(M) mod p by Gaussian elimination with row swaps, any prime p < 2^64; entries < p.
std::uint64_t det_mod_any(std::vector<std::vector<std::uint64_t>> M, const Mod& F) {
  std::uint64_t det = 1;
  const std::size_t n = M.size();
  for (std::size_t c = 0; c < n; ++c) {
    std::size_t r = c;
    while (r < n && M[r][c] == 0) ++r;
    if (r == n) return 0;
    if (r != c) std::swap(M[r], M[c]), det = F.sub(0, det);
    det = F.mul(det, M[c][c]);
    const std::uint64_t inverse = F.pow(M[c][c], F.p - 2);  // Fermat: p is prime
    for (std::size_t i = c + 1; i < n; ++i) {
      if (M[i][c] == 0) continue;
      const std::uint64_t f = F.mul(M[i][c], inverse);
      for (std::size_t j = c; j < n; ++j) M[i][j] = F.sub(M[i][j], F.mul(f, M[c][j]));
    }
  }
  return det;
}

// x += g u on columns [from, n): products of two values below 2^32, summed in 64 bits.
void add_multiple(std::uint64_t* __restrict x, const std::uint32_t* __restrict u, std::uint32_t g, std::size_t from,
                  std::size_t n) {
  for (std::size_t l = from; l < n; ++l) x[l] += static_cast<std::uint64_t>(g) * u[l];
}

// det(M) mod p for a prime p < 2^32, the same value as det_mod_any, faster: rows are reduced
// one after another by the earlier ones, which keeps the determinant. Row i, reduced by the
// rows u_0..u_{k-1} found so far (u_j has first nonzero entry 1 at column c_j and 0 at c_0..c_{j-1}),
// has its first nonzero entry lambda at column c_k; it is stored as u_k = row / lambda, which
// divides the determinant by lambda. At the end det(U) = sign of the permutation j -> c_j
// (its columns reordered by c it is unit upper triangular), so det M = sign * prod lambda_k;
// a row that reduces to zero means det M = 0.
// Speed: residues are not reduced after each step. A row adds (p - f) u_j, a product below
// 2^64 / room, so `room` additions fit in 64 bits on top of a reduced entry, after which the row
// is reduced (%). Rows are reduced in blocks of 16, so each u_j is read once per block.
std::uint64_t det_mod_word(const std::vector<std::vector<std::uint64_t>>& M, const Mod& F) {
  const std::size_t n = M.size();
  const std::uint64_t p = F.p, q = p - 1, room = (~std::uint64_t(0) - q) / (q * q);  // room >= 1 for p < 2^32
  std::vector<std::vector<std::uint32_t>> U;
  std::vector<std::size_t> lead;
  std::uint64_t det = 1 % p;
  constexpr std::size_t kBlock = 16;
  std::vector<std::vector<std::uint64_t>> X;
  std::vector<std::uint64_t> added;  // additions each block row received since its last reduction
  // x <- x - x[c_j] u_j (mod p), reducing x first if it has no room left.
  auto eliminate = [&](std::vector<std::uint64_t>& x, std::uint64_t& count, std::size_t j) {
    const std::uint64_t f = x[lead[j]] % p;
    if (f == 0) return;
    if (count == room) {
      for (std::uint64_t& e : x) e %= p;
      count = 0;
    }
    add_multiple(x.data(), U[j].data(), static_cast<std::uint32_t>(p - f), lead[j], n);
    ++count;
  };
  for (std::size_t i0 = 0; i0 < n; i0 += kBlock) {
    const std::size_t rows = std::min(kBlock, n - i0), known = U.size();
    X.assign(M.begin() + static_cast<std::ptrdiff_t>(i0), M.begin() + static_cast<std::ptrdiff_t>(i0 + rows));
    added.assign(rows, 0);
    for (std::size_t j = 0; j < known; ++j)  // the rows found before this block
      for (std::size_t t = 0; t < rows; ++t) eliminate(X[t], added[t], j);
    for (std::size_t t = 0; t < rows; ++t) {
      std::vector<std::uint64_t>& x = X[t];
      for (std::size_t j = known; j < U.size(); ++j) eliminate(x, added[t], j);  // rows of this block
      for (std::uint64_t& e : x) e %= p;
      std::size_t c = 0;
      while (c < n && x[c] == 0) ++c;
      if (c == n) return 0;  // row i0 + t is a combination of the rows before it
      det = F.mul(det, x[c]);
      const std::uint64_t inverse = F.pow(x[c], p - 2);
      std::vector<std::uint32_t> u(n);
      for (std::size_t l = c; l < n; ++l) u[l] = static_cast<std::uint32_t>(F.mul(x[l], inverse));
      U.push_back(std::move(u));
      lead.push_back(c);
    }
  }
  std::vector<bool> visited(n, false);  // the sign: a cycle of even length is an odd permutation
  for (std::size_t j = 0; j < n; ++j) {
    std::size_t length = 0;
    for (std::size_t k = j; !visited[k]; k = lead[k]) visited[k] = true, ++length;
    if (length % 2 == 0 && length > 0) det = F.sub(0, det);
  }
  return det;
}

// det(M) mod p; p prime, M square with entries < p.
std::uint64_t det_mod(std::vector<std::vector<std::uint64_t>> M, const Mod& F) {
  return F.p >> 32 ? det_mod_any(std::move(M), F) : det_mod_word(M, F);
}

struct Invalid {
  std::string reason;
};
void require(bool ok, const std::string& reason) {
  if (!ok) throw Invalid{reason};
}

// The integer value of q if it is an integer in [0, 2^64), else nullopt.
std::optional<std::uint64_t> as_u64(const Q& q) {
  if (q.get_den() != 1 || q < 0 || mpz_sizeinbase(q.get_num_mpz_t(), 2) > 64) return std::nullopt;
  return static_cast<std::uint64_t>(mpz_get_ui(q.get_num_mpz_t()));
}

// The vectors are linearly independent: each has a column where it alone is nonzero (the
// free-column form the engine writes; a quick sufficient test), else by rank_over_q.
bool independent(const std::vector<std::vector<Q>>& vs) {
  bool private_columns = true;
  for (std::size_t k = 0; k < vs.size() && private_columns; ++k) {
    bool found = false;
    for (std::size_t c = 0; c < vs[k].size() && !found; ++c) {
      if (vs[k][c] == 0) continue;
      found = true;
      for (std::size_t j = 0; j < vs.size() && found; ++j) found = j == k || vs[j][c] == 0;
    }
    private_columns = found;
  }
  return private_columns || rank_over_q(vs) == vs.size();
}

// Every vector annihilates every row of Phi_a exactly (Phi_a v = 0 over Q). what(k) names
// vector k in the reason.
template <class Name>
void check_annihilate(const Data& data, const std::vector<std::size_t>& rows_a, const std::vector<std::vector<Q>>& vs,
                      Name what) {
  for_each_phi(data.inputs, row_points(data, rows_a), data.causal, [&](std::size_t r, const std::vector<Q>& f) {
    for (std::size_t k = 0; k < vs.size(); ++k)
      require(dot(f, vs[k]) == 0, what(k) + " does not annihilate row " + show(r) + " of Phi_a");
  });
}

// The minor of Phi_a on m.rows x m.columns is m.minor and nonzero mod m.prime, a prime:
// rank(Phi_a) >= the number of rows cited. `name` prefixes the reasons ("" or "rank_minor ").
void check_rank_minor(const Data& data, const std::vector<std::size_t>& rows_a, const RankMinor& m, std::size_t D,
                      const std::string& at, const std::string& name) {
  const std::optional<std::uint64_t> p = as_u64(m.prime);
  require(p.has_value(), at + name + "prime " + m.prime.get_str() + " is not an integer in [0, 2^64)");
  require(is_prime_u64(*p), at + name + "prime " + show(*p) + " is not prime");
  require(m.columns.size() == m.rows.size(), at + name + "cites " + show(m.rows.size()) + " rows but " +
                                                 show(m.columns.size()) + " columns");
  const Mod F(*p);
  std::set<std::size_t> seen_rows, seen_cols;
  for (std::size_t col : m.columns) {
    require(col < D, at + name + "column " + show(col) + " out of range (feature_dim = " + show(D) + ")");
    require(seen_cols.insert(col).second, at + name + "column " + show(col) + " cited twice");
  }
  std::vector<std::size_t> cited;
  for (std::size_t r : m.rows) {
    require(r < rows_a.size(), at + name + "row index " + show(r) + " out of range (Phi_a has " + show(rows_a.size()) +
                                   " rows)");
    require(seen_rows.insert(r).second, at + name + "row index " + show(r) + " cited twice");
    cited.push_back(rows_a[r]);
  }
  std::vector<std::vector<std::uint64_t>> M(cited.size());
  for_each_phi(data.inputs, row_points(data, cited), data.causal, [&](std::size_t i, const std::vector<Q>& f) {
    for (std::size_t col : m.columns) {
      const Q& x = f[col];
      const std::uint64_t num = mpz_fdiv_ui(x.get_num_mpz_t(), *p);
      if (mpz_cmp_ui(x.get_den_mpz_t(), 1) == 0) {  // an integer: no inverse needed
        M[i].push_back(num);
        continue;
      }
      const std::uint64_t den = mpz_fdiv_ui(x.get_den_mpz_t(), *p);
      require(den != 0, at + name + "prime " + show(*p) + " divides a denominator of row " + show(m.rows[i]));
      M[i].push_back(F.mul(num, F.pow(den, *p - 2)));
    }
  });
  const std::uint64_t det = det_mod(std::move(M), F);
  require(as_u64(m.minor) == det, at + name + "minor_mod_prime is " + m.minor.get_str() + " but the minor is " +
                                      show(det) + " mod " + show(*p));
  require(det != 0, at + name + "minor_mod_prime is 0 mod " + show(*p) + ", which proves nothing");
}

void check_minor(const Data& data, const std::vector<std::size_t>& rows_a, const Witness& w, std::size_t D,
                 const std::string& at) {
  require(w.rows.size() == D, at + "minor cites " + show(w.rows.size()) + " rows; expected feature_dim = " + show(D));
  RankMinor m{w.prime, w.minor, w.rows, {}};
  for (std::size_t c = 0; c < D; ++c) m.columns.push_back(c);
  check_rank_minor(data, rows_a, m, D, at, "");
}

void check_kernel(const Data& data, const std::vector<std::size_t>& rows_a, const Coordinate& c, std::size_t D,
                  const std::string& at, bool annihilation_passed) {
  const std::vector<Q>& v = c.witness->vector;
  require(v.size() == D, at + "kernel vector has " + show(v.size()) + " entries; expected feature_dim = " + show(D));
  bool nonzero = false;
  for (const Q& x : v) nonzero = nonzero || x != 0;
  require(nonzero, at + "kernel vector is zero");
  if (!annihilation_passed)
    for_each_phi(data.inputs, row_points(data, rows_a), data.causal, [&](std::size_t r, const std::vector<Q>& f) {
      require(dot(f, v) == 0, at + "kernel vector does not annihilate row " + show(r));
    });
  if (!c.distinguishing) return;
  const Point& x = *c.distinguishing;
  require(x.Z.size() == data.d, at + "distinguishing_input: Z has " + show(x.Z.size()) + " rows; expected d = " +
                                     show(data.d));
  require(x.position < x.Z[0].size(), at + "distinguishing_input: position " + show(x.position) +
                                          " out of range (n = " + show(x.Z[0].size()) + ")");
  require(dot(phi(x.Z, x.position, data.causal), v) != 0,
          at + "distinguishing_input: <v, phi(Z, position)> = 0, so it does not distinguish");
}


// A feature row by its nonzero entries.
using SparseQ = std::vector<std::pair<std::size_t, Q>>;
SparseQ sparse_of(const std::vector<Q>& f) {
  SparseQ out;
  for (std::size_t j = 0; j < f.size(); ++j)
    if (f[j] != 0) out.emplace_back(j, f[j]);
  return out;
}

// f == sum_k c_k rows[k] exactly (rows given sparse, keyed by row of Phi_a).
bool equals_combination(const std::vector<Q>& f, const std::vector<std::pair<std::size_t, Q>>& terms,
                        const std::map<std::size_t, SparseQ>& rows) {
  std::vector<Q> acc(f.size());
  for (const auto& [row, coef] : terms)
    for (const auto& [j, x] : rows.at(row)) acc[j] += coef * x;
  return acc == f;
}

// The sparse feature rows of the given rows of Phi_a (indices into rows_a).
std::map<std::size_t, SparseQ> rows_sparse(const Data& data, const std::vector<std::size_t>& rows_a,
                                           const std::set<std::size_t>& which) {
  std::vector<std::size_t> cited(which.begin(), which.end()), dataset_rows;
  for (std::size_t r : cited) dataset_rows.push_back(rows_a[r]);
  std::map<std::size_t, SparseQ> out;
  for_each_phi(data.inputs, row_points(data, dataset_rows), data.causal,
               [&](std::size_t i, const std::vector<Q>& f) { out[cited[i]] = sparse_of(f); });
  return out;
}

// The "row-space" upper bound (Lemma C7): every row of Phi_a outside the minor's rows is listed
// once, equal to an earlier row (same_as, Lemma C9) or an exact combination of the minor's rows;
// then every row lies in the span of r rows and rank <= r. A same_as must name a minor row or a
// row listed with terms (no chains).
void check_row_space(const Data& data, const std::vector<std::size_t>& rows_a, const RankWitness& w,
                     const std::string& at) {
  const std::set<std::size_t> base(w.minor.rows.begin(), w.minor.rows.end());
  std::map<std::size_t, const Combination*> entry;
  for (const Combination& e : w.dependent) {
    require(e.index < rows_a.size(), at + "dependent row " + show(e.index) + " out of range");
    require(!base.count(e.index), at + "dependent row " + show(e.index) + " is a rank_minor row");
    require(entry.emplace(e.index, &e).second, at + "dependent row " + show(e.index) + " listed twice");
  }
  require(entry.size() + base.size() == rows_a.size(),
          at + "dependent_rows and rank_minor cover " + show(entry.size() + base.size()) + " of " +
              show(rows_a.size()) + " rows");
  for (const Combination& e : w.dependent) {
    if (e.same_as) {
      const std::size_t j = *e.same_as;
      require(j < rows_a.size() && j != e.index, at + "row " + show(e.index) + ": same_as " + show(j) + " is not another row");
      require(base.count(j) || !entry.at(j)->same_as,
              at + "row " + show(e.index) + ": same_as " + show(j) + ", which is itself a same_as");
    } else {
      for (const auto& [row, coef] : e.terms)
        require(base.count(row), at + "row " + show(e.index) + ": term row " + show(row) + " is not a rank_minor row");
    }
  }
  const std::map<std::size_t, SparseQ> U = rows_sparse(data, rows_a, base);
  std::vector<std::size_t> listed;
  for (const auto& [row, e] : entry) listed.push_back(rows_a[row]);
  std::vector<std::size_t> index;
  for (const auto& [row, e] : entry) index.push_back(row);
  for_each_phi(data.inputs, row_points(data, listed), data.causal, [&](std::size_t i, const std::vector<Q>& f) {
    const Combination* e = entry.at(index[i]);
    std::vector<std::pair<std::size_t, Q>> terms = e->terms;
    if (e->same_as) terms = base.count(*e->same_as) ? std::vector<std::pair<std::size_t, Q>>{{*e->same_as, Q(1)}}
                                                    : entry.at(*e->same_as)->terms;
    require(equals_combination(f, terms, U), at + "row " + show(index[i]) + " of Phi_a is not the stated combination");
  });
}

// zero_features / zero_gram_pairs (Lemma C10): exactly these many features vanish on every row of
// Phi_a, and exactly these Gram pairs (j <= k) have G_jk = 0 in every row's Gram matrix.
void check_zero_features(const Data& data, const std::vector<std::size_t>& rows_a, const Coordinate& c, std::size_t D,
                         const std::string& at) {
  const std::size_t d = data.d;
  std::vector<char> support(D, 0), pair_used(d * (d + 1) / 2, 0);
  for_each_phi(data.inputs, row_points(data, rows_a), data.causal, [&](std::size_t, const std::vector<Q>& f) {
    for (std::size_t j = 0; j < D; ++j)
      if (f[j] != 0) support[j] = 1;
  });
  for (std::size_t r : rows_a) {
    const QMatrix& Z = data.inputs[data.rows[r].sample];
    std::vector<Q> G(d * (d + 1) / 2);
    for (std::size_t t = 0, end = data.causal ? data.rows[r].position + 1 : Z[0].size(); t < end; ++t) add_token(G, Z, t);
    for (std::size_t jk = 0; jk < G.size(); ++jk)
      if (G[jk] != 0) pair_used[jk] = 1;
  }
  std::size_t zero = 0;
  for (char s : support) zero += s ? 0 : 1;
  require(*c.zero_features == zero, at + "zero_features = " + show(*c.zero_features) + " but " + show(zero) +
                                        " features vanish on every row");
  std::vector<std::pair<std::size_t, std::size_t>> pairs;
  for (std::size_t j = 0, jk = 0; j < d; ++j)
    for (std::size_t k = j; k < d; ++k, ++jk)
      if (!pair_used[jk]) pairs.emplace_back(j, k);
  require(c.zero_gram_pairs == pairs, at + "zero_gram_pairs is not the set of pairs with G_jk = 0 on every row (" +
                                          show(pairs.size()) + " such pairs)");
}

// The rank claimed for a deficient coordinate (proofs-notes Lemma C6): rank >= r by the minor;
// rank <= r by the row count, by the kernel vector (r = D - 1) or by D - r independent kernel
// vectors; with upper_bound "none" only rank >= r is claimed, and rank_upper_bound must be one
// that holds for every deficient coordinate (>= min(rows, D - 1)).
void check_rank(const Data& data, const std::vector<std::size_t>& rows_a, const Coordinate& c, std::size_t D,
                const std::string& at) {
  require(c.rank_witness.has_value(), at + "rank = " + show(*c.rank) + " comes without a rank_witness");
  const RankWitness& w = *c.rank_witness;
  const std::size_t r = w.minor.rows.size();
  require(*c.rank == r, at + "rank = " + show(*c.rank) + " but rank_minor cites " + show(r) + " rows");
  check_rank_minor(data, rows_a, w.minor, D, at, "rank_minor ");
  if (c.rank_upper_bound)
    require(*c.rank_upper_bound >= std::min(rows_a.size(), D - 1) && *c.rank_upper_bound != kMax,
            at + "rank_upper_bound = " + show(*c.rank_upper_bound) + " is not implied by the witnesses");
  if (w.upper == "rows") {
    require(r == rows_a.size(), at + "upper_bound \"rows\" but rank " + show(r) + " < rows " + show(rows_a.size()));
  } else if (w.upper == "kernel-vector") {
    require(r + 1 == D, at + "upper_bound \"kernel-vector\" proves rank <= D - 1, not rank <= " + show(r));
  } else if (w.upper == "kernel-basis") {
    require(w.basis.size() == D - r, at + "kernel_basis has " + show(w.basis.size()) + " vectors; expected D - rank = " +
                                         show(D - r));
    for (std::size_t k = 0; k < w.basis.size(); ++k)
      require(w.basis[k].size() == D, at + "kernel_basis vector " + show(k) + " has the wrong length");
    require(independent(w.basis), at + "the kernel_basis vectors are linearly dependent");
    check_annihilate(data, rows_a, w.basis, [&](std::size_t k) { return at + "kernel_basis vector " + show(k); });
  } else if (w.upper == "row-space") {
    check_row_space(data, rows_a, w, at);
  } else {
    require(c.rank_upper_bound.has_value(), at + "upper_bound \"none\" needs rank_upper_bound");
  }
}

void check(const Data& data, const std::string& dataset_hash, const Certificate& cert) {
  require(cert.sha256 == dataset_hash, "dataset_sha256 " + cert.sha256 + " is not the dataset's " + dataset_hash);
  require(cert.d == data.d, "d = " + show(cert.d) + " but the dataset has d = " + show(data.d));
  const std::size_t d = data.d, D = d * d * (d + 1) / 2;
  require(cert.feature_dim == D, "feature_dim = " + show(cert.feature_dim) + "; expected d^2(d+1)/2 = " +
                                     show(D));
  std::vector<bool> listed(d, false);
  bool all_identifiable = true;
  // Coordinates observed on the same rows usually cite the same witness: a check already passed
  // on identical inputs (rows of Phi_a, witness) is not repeated.
  std::set<std::tuple<std::vector<std::size_t>, Q, std::vector<std::size_t>, Q>> minors_passed;
  std::set<std::pair<std::vector<std::size_t>, std::vector<Q>>> kernels_passed;
  std::vector<std::pair<std::vector<std::size_t>, RankWitness>> ranks_passed;
  for (const Coordinate& c : cert.coordinates) {
    const std::string at = "coordinate " + show(c.a) + ": ";
    require(c.a < d, at + "a is out of range (d = " + show(d) + ")");
    require(!listed[c.a], at + "listed twice");
    listed[c.a] = true;
    std::vector<std::size_t> rows_a;  // Phi_a: indices of the observing rows
    for (std::size_t r = 0; r < data.rows.size(); ++r)
      if (data.rows[r].observed[c.a]) rows_a.push_back(r);
    require(c.observed == !rows_a.empty(), at + "\"observed\" is " + (c.observed ? "true" : "false") + " but " +
                                                show(rows_a.size()) + " rows observe it");
    require(!c.rows || *c.rows == rows_a.size(), at + "rows = " + show(c.rows.value_or(0)) + " but Phi_a has " +
                                                      show(rows_a.size()) + " rows");
    require(!c.rank || *c.rank <= rows_a.size(), at + "rank = " + show(c.rank.value_or(0)) +
                                                     " exceeds the number of rows");
    if (!c.observed) {
      require(!c.identifiable.value_or(false), at + "identifiable is true for a coordinate never observed");
      require(!c.witness, at + "a witness for a coordinate never observed");
      require(!c.distinguishing, at + "distinguishing_input given for a coordinate never observed");
      continue;
    }
    if (c.witness->type == "nonzero-minor") {
      require(*c.rank == D, at + "rank = " + show(*c.rank) + " but a nonzero minor proves rank " +
                                show(D));
      require(*c.identifiable, at + "identifiable is false but a nonzero minor proves full rank");
      require(!c.distinguishing, at + "distinguishing_input given for a full-rank coordinate");
      auto key = std::tuple(rows_a, c.witness->prime, c.witness->rows, c.witness->minor);
      if (!minors_passed.count(key)) check_minor(data, rows_a, *c.witness, D, at), minors_passed.insert(std::move(key));
    } else {
      require(*c.rank < D, at + "rank = " + show(*c.rank) + " but a kernel vector proves rank < " +
                               show(D));
      require(!*c.identifiable, at + "identifiable is true but a kernel vector proves rank < feature_dim");
      auto key = std::pair(rows_a, c.witness->vector);
      check_kernel(data, rows_a, c, D, at, kernels_passed.count(key) > 0);
      kernels_passed.insert(std::move(key));
      // The rank claim and its proof; a proof already checked on the same rows is not repeated.
      bool rank_passed = false;
      for (const auto& [rows, witness] : ranks_passed)
        rank_passed = rank_passed || (rows == rows_a && c.rank_witness && witness == *c.rank_witness &&
                                      c.rank_witness->minor.rows.size() == *c.rank && !c.rank_upper_bound);
      if (!rank_passed) {
        check_rank(data, rows_a, c, D, at);
        ranks_passed.emplace_back(rows_a, *c.rank_witness);
      }
    }
    if (c.zero_features) check_zero_features(data, rows_a, c, D, at);
    all_identifiable = all_identifiable && *c.identifiable;
  }
  for (std::size_t a = 0; a < d; ++a) require(listed[a], "coordinate " + show(a) + " is not listed");
  require(cert.identifiable == all_identifiable, std::string("identifiable is ") + (cert.identifiable ? "true" : "false") +
                                                     " but the AND over observed coordinates is " +
                                                     (all_identifiable ? "true" : "false"));
}

// ---- Domain-relative certificates (`certify --domain`, Lemma C4). ---------------------------

struct DomainClaim {
  std::size_t a = 0;
  bool observed = true;
  std::size_t domain_rank = 0;
  bool on_domain = false;
  std::string type;  // "full-rank", "row-space" or "domain-input-outside"
  RankMinor minor;                         // row-space: the r x r rank minor
  std::vector<std::vector<Q>> nullspace;   // row-space
  std::size_t sample = 0, position = 0, vector_index = 0;  // domain-input-outside, domain-row-outside
  std::vector<Q> vector;                                   // domain-input-outside
  std::vector<Combination> points;                         // row-combinations
  std::optional<bool> rank_exact;                          // domain_rank_exact (domain-row-outside)
};

struct DomainClaims {
  std::string sha256;
  bool on_domain = false;
  std::vector<DomainClaim> coordinates;
};

DomainClaims read_domain_claims(std::string_view text, const std::string& name) {
  const json::Value doc = json::parse_json(text, name);
  const json::Located root(doc, std::make_shared<const std::string>(name));
  DomainClaims out;
  out.sha256 = root.member("domain_sha256").as_string();
  out.on_domain = root.member("identifiable_on_domain").as_bool();
  const json::Located coords = root.member("coordinates");
  for (std::size_t i = 0; i < coords.array_size(); ++i) {
    const json::Located c = coords.element(i);
    DomainClaim dc;
    dc.a = read_count(c.member("a"));
    if (auto o = c.optional_member("observed")) dc.observed = o->as_bool();
    if (!dc.observed) {
      out.coordinates.push_back(std::move(dc));
      continue;
    }
    dc.domain_rank = read_count(c.member("domain_rank"));
    dc.on_domain = c.member("identifiable_on_domain").as_bool();
    const json::Located w = c.member("domain_witness");
    dc.type = w.member("type").as_string();
    if (dc.type == "row-space") {
      dc.minor = read_rank_minor(w.member("rank_minor"));
      const json::Located basis = w.member("nullspace");
      for (std::size_t k = 0; k < basis.array_size(); ++k) dc.nullspace.push_back(read_q_vector(basis.element(k)));
    } else if (dc.type == "domain-input-outside") {
      dc.sample = read_count(w.member("sample"));
      dc.position = read_count(w.member("position"));
      dc.vector_index = read_count(w.member("vector_index"));
      dc.vector = read_q_vector(w.member("vector"));
    } else if (dc.type == "row-combinations") {
      const json::Located pts = w.member("points");
      for (std::size_t k = 0; k < pts.array_size(); ++k) dc.points.push_back(read_combination(pts.element(k), "point"));
    } else if (dc.type == "domain-row-outside") {
      dc.sample = read_count(w.member("sample"));
      dc.position = read_count(w.member("position"));
      dc.minor = read_rank_minor(w.member("minor"));
      if (auto e = c.optional_member("domain_rank_exact")) dc.rank_exact = e->as_bool();
    } else if (dc.type != "full-rank") {
      w.member("type").fail("unknown domain witness type \"" + dc.type +
                            "\" (expected \"full-rank\", \"row-space\", \"row-combinations\", \"domain-input-outside\" or \"domain-row-outside\")");
    }
    out.coordinates.push_back(std::move(dc));
  }
  return out;
}

// The domain: its inputs and (sample, position) points, interface.md's convention.
struct Domain {
  std::size_t d = 0;
  std::vector<QMatrix> inputs;
  std::vector<std::pair<std::size_t, std::size_t>> points;
};

Domain read_domain(std::string_view bytes, const std::string& name) {
  const Dataset ds = parse_dataset_text(bytes, name);
  Domain out;
  out.d = ds.d;
  for (std::size_t s = 0; s < ds.samples.size(); ++s) {
    out.inputs.push_back(to_q(ds.samples[s].Z));
    if (ds.samples[s].targets.empty())
      for (std::size_t b = 0; b < ds.samples[s].Z.cols(); ++b) out.points.emplace_back(s, b);
    for (const Target& t : ds.samples[s].targets) out.points.emplace_back(s, t.position);
  }
  return out;
}

void check_domain_coordinate(const Data& data, const Domain& domain, const Coordinate& c, const DomainClaim& dc,
                             std::size_t D) {
  const std::string at = "coordinate " + show(c.a) + ": domain: ";
  std::vector<std::size_t> rows_a;
  for (std::size_t r = 0; r < data.rows.size(); ++r)
    if (data.rows[r].observed[c.a]) rows_a.push_back(r);
  if (dc.type == "full-rank") {
    // The coordinate's own nonzero-minor witness (checked by check()) proves rank D: R = Q^D.
    require(c.witness->type == "nonzero-minor", at + "full-rank witness but the coordinate has no nonzero minor");
    require(dc.domain_rank == D, at + "domain_rank = " + show(dc.domain_rank) + " but rank is D = " +
                                     show(D));
    require(dc.on_domain, at + "identifiable_on_domain is false for a full-rank coordinate");
  } else if (dc.type == "row-space") {
    const std::size_t r = dc.minor.rows.size();
    check_rank_minor(data, rows_a, dc.minor, D, at, "rank_minor ");  // rank >= r
    require(*c.rank == r, at + "rank = " + show(*c.rank) + " but the witness proves rank " + show(r));
    require(dc.nullspace.size() == D - r, at + show(dc.nullspace.size()) + " nullspace vectors; expected D - r = " +
                                              show(D - r));
    for (std::size_t k = 0; k < dc.nullspace.size(); ++k)
      require(dc.nullspace[k].size() == D, at + "nullspace vector " + show(k) + " has the wrong length");
    check_annihilate(data, rows_a, dc.nullspace, [&](std::size_t k) { return at + "nullspace vector " + show(k); });
    // D - r independent kernel vectors: rank <= r, so rank = r and they span the kernel N.
    require(independent(dc.nullspace), at + "the nullspace vectors are linearly dependent");
    // Every domain row is orthogonal to N, hence in N^perp = the row space of Phi_a. Repeated
    // feature rows are checked once; the dot products run over the row's nonzero entries
    // (one-hot traces have few).
    std::set<std::vector<Q>> done;
    for_each_phi(domain.inputs, domain.points, data.causal, [&](std::size_t i, const std::vector<Q>& f) {
      if (!done.insert(f).second) return;
      std::vector<std::size_t> nonzero;
      for (std::size_t j = 0; j < f.size(); ++j)
        if (f[j] != 0) nonzero.push_back(j);
      for (std::size_t k = 0; k < dc.nullspace.size(); ++k) {
        Q s = 0;
        for (std::size_t j : nonzero) s += f[j] * dc.nullspace[k][j];
        require(s == 0, at + "domain sample " + show(domain.points[i].first) + " position " +
                            show(domain.points[i].second) + " is not orthogonal to nullspace vector " + show(k));
      }
    });
    require(dc.domain_rank == r, at + "domain_rank = " + show(dc.domain_rank) + " but the witness proves " +
                                     show(r));
    require(dc.on_domain, at + "identifiable_on_domain is false but the witness proves it true");
  } else if (dc.type == "row-combinations") {
    // Every domain point's row is a combination of rows of Phi_a (or equal to an earlier point's,
    // itself given by terms): inside the row space, so identifiable on the domain (Lemma C11).
    require(!c.rank_upper_bound, at + "row-combinations need an exact rank (rank_upper_bound is given)");
    require(dc.points.size() == domain.points.size(), at + show(dc.points.size()) + " point entries for " +
                                                          show(domain.points.size()) + " domain points");
    std::set<std::size_t> cited;
    for (std::size_t i = 0; i < dc.points.size(); ++i) {
      const Combination& e = dc.points[i];
      require(e.index == i, at + "point entry " + show(i) + " names point " + show(e.index));
      if (e.same_as) {
        require(*e.same_as < i && !dc.points[*e.same_as].same_as,
                at + "point " + show(i) + ": same_as " + show(*e.same_as) + " is not an earlier point given by terms");
      } else {
        for (const auto& [row, coef] : e.terms) {
          require(row < rows_a.size(), at + "point " + show(i) + ": term row " + show(row) + " out of range");
          cited.insert(row);
        }
      }
    }
    const std::map<std::size_t, SparseQ> U = rows_sparse(data, rows_a, cited);
    for_each_phi(domain.inputs, domain.points, data.causal, [&](std::size_t i, const std::vector<Q>& f) {
      const Combination& e = dc.points[i].same_as ? dc.points[*dc.points[i].same_as] : dc.points[i];
      require(equals_combination(f, e.terms, U), at + "domain sample " + show(domain.points[i].first) + " position " +
                                                     show(domain.points[i].second) + " is not the stated combination");
    });
    require(dc.domain_rank == *c.rank, at + "domain_rank = " + show(dc.domain_rank) + " but the rows stay in the row space of rank " +
                                           show(*c.rank));
    require(dc.on_domain, at + "identifiable_on_domain is false but the witness proves it true");
  } else if (dc.type == "domain-row-outside") {
    // rank(Phi_a) <= r (the coordinate's exact rank, checked by check()) and an (r+1)-minor of
    // [Phi_a; the domain row] nonzero mod p: the domain row leaves the row space (Lemma C11).
    require(!c.rank_upper_bound && c.witness->type == "kernel-vector",
            at + "domain-row-outside needs the exact rank of a deficient coordinate");
    const std::size_t r = *c.rank;
    require(dc.minor.rows.size() == r, at + "minor cites " + show(dc.minor.rows.size()) + " rows of Phi_a; expected rank = " + show(r));
    require(dc.minor.columns.size() == r + 1, at + "minor cites " + show(dc.minor.columns.size()) + " columns; expected rank + 1");
    bool cited = false;
    for (const auto& pt : domain.points) cited = cited || (pt.first == dc.sample && pt.second == dc.position);
    require(cited, at + "sample " + show(dc.sample) + " position " + show(dc.position) + " is not a point of the domain");
    const std::optional<std::uint64_t> p = as_u64(dc.minor.prime);
    require(p && is_prime_u64(*p), at + "minor prime " + dc.minor.prime.get_str() + " is not a prime below 2^64");
    std::set<std::size_t> seen_rows, seen_cols;
    for (std::size_t r0 : dc.minor.rows)
      require(r0 < rows_a.size() && seen_rows.insert(r0).second, at + "minor row " + show(r0) + " out of range or repeated");
    for (std::size_t col : dc.minor.columns)
      require(col < D && seen_cols.insert(col).second, at + "minor column " + show(col) + " out of range or repeated");
    const Mod F(*p);
    auto residues = [&](const std::vector<Q>& f, const std::string& what) {
      std::vector<std::uint64_t> out;
      for (std::size_t col : dc.minor.columns) {
        const Q& x = f[col];
        const std::uint64_t num = mpz_fdiv_ui(x.get_num_mpz_t(), *p), den = mpz_fdiv_ui(x.get_den_mpz_t(), *p);
        require(den != 0, at + "minor prime divides a denominator of " + what);
        out.push_back(F.mul(num, F.pow(den, *p - 2)));
      }
      return out;
    };
    std::vector<std::size_t> cited_rows;
    for (std::size_t r0 : dc.minor.rows) cited_rows.push_back(rows_a[r0]);
    std::vector<std::vector<std::uint64_t>> Mx(r);
    for_each_phi(data.inputs, row_points(data, cited_rows), data.causal,
                 [&](std::size_t i, const std::vector<Q>& f) { Mx[i] = residues(f, "row " + show(dc.minor.rows[i])); });
    Mx.push_back(residues(phi(domain.inputs[dc.sample], dc.position, data.causal), "the domain row"));
    const std::uint64_t det = det_mod(std::move(Mx), F);
    require(as_u64(dc.minor.minor) == det, at + "minor_mod_prime is " + dc.minor.minor.get_str() +
                                                         " but the minor is " + show(det) + " mod " + show(*p));
    require(det != 0, at + "the minor is 0 mod " + show(*p) + ", which proves nothing");
    require(!dc.on_domain, at + "identifiable_on_domain is true but a domain row leaves the row space");
    require(dc.domain_rank > r && dc.domain_rank <= D, at + "domain_rank = " + show(dc.domain_rank) + " is not in (rank, D]");
  } else {
    require(dc.vector.size() == D, at + "vector has the wrong length");
    check_annihilate(data, rows_a, {dc.vector}, [&](std::size_t) { return at + "vector"; });
    require(dc.vector_index < D - std::min(*c.rank, D), at + "vector_index " + show(dc.vector_index) +
                                                         " out of range (D - rank = " + show(D - *c.rank) + ")");
    bool cited = false;
    for (const auto& pt : domain.points) cited = cited || (pt.first == dc.sample && pt.second == dc.position);
    require(cited, at + "sample " + show(dc.sample) + " position " + show(dc.position) +
                       " is not a point of the domain");
    require(dot(phi(domain.inputs[dc.sample], dc.position, data.causal), dc.vector) != 0,
            at + "<v, phi> = 0 at the cited domain input, so it is not outside the row space");
    require(!dc.on_domain, at + "identifiable_on_domain is true but a domain input leaves the row space");
    require(dc.domain_rank > *c.rank && dc.domain_rank <= D,
            at + "domain_rank = " + show(dc.domain_rank) + " is not in (rank, D]");
  }
}

void check_domain(const Data& data, const Certificate& cert, const DomainClaims& claims, const Domain& domain,
                  const std::string& domain_hash) {
  require(claims.sha256 == domain_hash, "domain_sha256 " + claims.sha256 + " is not the domain's " + domain_hash);
  require(domain.d == data.d, "the domain has d = " + show(domain.d) + " but the dataset has d = " +
                                  show(data.d));
  const std::size_t D = data.d * data.d * (data.d + 1) / 2;
  require(claims.coordinates.size() == cert.coordinates.size(), "coordinates changed between readings");
  bool all = true;
  for (std::size_t i = 0; i < cert.coordinates.size(); ++i) {
    if (!cert.coordinates[i].observed) continue;
    check_domain_coordinate(data, domain, cert.coordinates[i], claims.coordinates[i], D);
    all = all && claims.coordinates[i].on_domain;
  }
  require(claims.on_domain == all, std::string("identifiable_on_domain is ") + (claims.on_domain ? "true" : "false") +
                                       " but the AND over observed coordinates is " + (all ? "true" : "false"));
}

}  // namespace

bool is_prime_u64(std::uint64_t n) {
  static constexpr std::uint64_t bases[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37};
  if (n < 2) return false;
  for (std::uint64_t q : bases)
    if (n % q == 0) return n == q;
  const Mod F(n);
  std::uint64_t odd = n - 1;
  int twos = 0;
  for (; odd % 2 == 0; odd /= 2) ++twos;
  for (std::uint64_t a : bases) {  // n - 1 = odd * 2^twos; a is a witness unless one of these holds
    std::uint64_t x = F.pow(a, odd);
    bool passes = x == 1 || x == n - 1;
    for (int i = 1; i < twos && !passes; ++i) passes = (x = F.mul(x, x)) == n - 1;
    if (!passes) return false;
  }
  return true;
}

CheckResult verify_certificate_text(std::string_view dataset_bytes, const std::string& dataset_name,
                                    std::string_view certificate_text, const std::string& certificate_name) {
  const Certificate cert = read_certificate(certificate_text, certificate_name);
  const Data data = read_data(dataset_bytes, dataset_name);
  try {
    check(data, sha256_hex(dataset_bytes), cert);
  } catch (const Invalid& e) {
    return {false, e.reason};
  }
  const std::string informational = check_informational(dataset_bytes, dataset_name, certificate_text, certificate_name);
  return {informational.empty(), informational};  // verify_informational.hpp
}

CheckResult verify_certificate_text_with_domain(std::string_view dataset_bytes, const std::string& dataset_name,
                                                std::string_view certificate_text, const std::string& certificate_name,
                                                std::string_view domain_bytes, const std::string& domain_name) {
  const Certificate cert = read_certificate(certificate_text, certificate_name);
  const DomainClaims claims = read_domain_claims(certificate_text, certificate_name);
  const Data data = read_data(dataset_bytes, dataset_name);
  const Domain domain = read_domain(domain_bytes, domain_name);
  try {
    check(data, sha256_hex(dataset_bytes), cert);
    check_domain(data, cert, claims, domain, sha256_hex(domain_bytes));
  } catch (const Invalid& e) {
    return {false, e.reason};
  }
  const std::string informational = check_informational(dataset_bytes, dataset_name, certificate_text, certificate_name);
  return {informational.empty(), informational};  // verify_informational.hpp
}

CheckResult verify_certificate_with_domain(const std::string& dataset_path, const std::string& certificate_path,
                                           const std::string& domain_path) {
  const std::string dataset = read_file_bytes(dataset_path), certificate = read_file_bytes(certificate_path),
                    domain = read_file_bytes(domain_path);
  return verify_certificate_text_with_domain(dataset, input_display_name(dataset_path), certificate,
                                             input_display_name(certificate_path), domain, input_display_name(domain_path));
}

CheckResult verify_certificate(const std::string& dataset_path, const std::string& certificate_path) {
  const std::string dataset = read_file_bytes(dataset_path), certificate = read_file_bytes(certificate_path);
  return verify_certificate_text(dataset, input_display_name(dataset_path), certificate,
                                 input_display_name(certificate_path));
}

}  // namespace mhla::checker
