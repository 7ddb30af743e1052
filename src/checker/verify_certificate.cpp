// SPDX-License-Identifier: MIT
// The independent certificate checker (verify_certificate.hpp). Two phases: read the whole
// certificate into plain structs (every malformation throws Error(bad_input) with the JSON
// path, so exit 2 never depends on which claim is wrong), then check every claim against the
// dataset, stopping at the first false one (an ordinary INVALID result).
#include "mhla/checker/verify_certificate.hpp"

#include <gmpxx.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <set>
#include <tuple>
#include <vector>

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

struct Coordinate {
  std::size_t a = 0;
  bool observed = true;
  std::optional<std::size_t> rows, rank;
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

Witness read_witness(const json::Located& w) {
  Witness out;
  out.type = w.member("type").as_string();
  if (out.type == "nonzero-minor") {
    out.prime = read_q(w.member("prime"));
    out.minor = read_q(w.member("minor_mod_prime"));
    const json::Located rows = w.member("rows");
    for (std::size_t i = 0; i < rows.array_size(); ++i) out.rows.push_back(rows.element(i).as_size(0, kMax));
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
  p.position = at.member("position").as_size(0, kMax);
  return p;
}

Coordinate read_coordinate(const json::Located& c) {
  Coordinate out;
  out.a = c.member("a").as_size(0, kMax);
  if (auto o = c.optional_member("observed")) out.observed = o->as_bool();
  // An observed coordinate must state its claims and their witness; an unobserved one may.
  auto field = [&](const char* key) { return out.observed ? std::optional(c.member(key)) : c.optional_member(key); };
  if (auto m = field("rows")) out.rows = m->as_size(0, kMax);
  if (auto m = field("rank")) out.rank = m->as_size(0, kMax);
  if (auto m = field("identifiable")) out.identifiable = m->as_bool();
  if (auto m = field("witness")) out.witness = read_witness(*m);
  if (auto m = c.optional_member("distinguishing_input")) out.distinguishing = read_point(*m);
  return out;
}

Certificate read_certificate(std::string_view text, const std::string& name) {
  const json::Value doc = json::parse_json(text, name);
  const json::Located root(doc, std::make_shared<const std::string>(name));
  check_format_header(root, "mhla-certificate", 1);
  Certificate cert;
  cert.sha256 = root.member("dataset_sha256").as_string();
  cert.d = root.member("d").as_size(0, kMax);
  cert.feature_dim = root.member("feature_dim").as_size(0, kMax);
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
// over t < n, or over t <= b when causal (math.md, "The feature map").
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

void check_minor(const Data& data, const std::vector<std::size_t>& rows_a, const Witness& w, std::size_t D,
                 const std::string& at) {
  const std::optional<std::uint64_t> p = as_u64(w.prime);
  require(p.has_value(), at + "prime " + w.prime.get_str() + " is not an integer in [0, 2^64)");
  require(is_prime_u64(*p), at + "prime " + std::to_string(*p) + " is not prime");
  require(w.rows.size() == D, at + "minor cites " + std::to_string(w.rows.size()) + " rows; expected feature_dim = " +
                                  std::to_string(D));
  const Mod F(*p);
  std::set<std::size_t> seen;
  std::vector<std::vector<std::uint64_t>> M;
  for (std::size_t r : w.rows) {
    require(r < rows_a.size(), at + "row index " + std::to_string(r) + " out of range (Phi_a has " +
                                   std::to_string(rows_a.size()) + " rows)");
    require(seen.insert(r).second, at + "row index " + std::to_string(r) + " cited twice");
    const Data::Row& row = data.rows[rows_a[r]];
    std::vector<std::uint64_t> residues;
    for (const Q& x : phi(data.inputs[row.sample], row.position, data.causal)) {
      const std::uint64_t num = mpz_fdiv_ui(x.get_num_mpz_t(), *p);
      if (mpz_cmp_ui(x.get_den_mpz_t(), 1) == 0) {  // an integer: no inverse needed
        residues.push_back(num);
        continue;
      }
      const std::uint64_t den = mpz_fdiv_ui(x.get_den_mpz_t(), *p);
      if (den == 0) require(false, at + "prime " + std::to_string(*p) + " divides a denominator of row " + std::to_string(r));
      residues.push_back(F.mul(num, F.pow(den, *p - 2)));
    }
    M.push_back(std::move(residues));
  }
  const std::uint64_t det = det_mod(std::move(M), F);
  require(as_u64(w.minor) == det, at + "minor_mod_prime is " + w.minor.get_str() + " but the minor is " +
                                      std::to_string(det) + " mod " + std::to_string(*p));
  require(det != 0, at + "the minor is 0 mod " + std::to_string(*p) + ", which proves nothing");
}

void check_kernel(const Data& data, const std::vector<std::size_t>& rows_a, const Coordinate& c, std::size_t D,
                  const std::string& at, bool annihilation_passed) {
  const std::vector<Q>& v = c.witness->vector;
  require(v.size() == D, at + "kernel vector has " + std::to_string(v.size()) + " entries; expected feature_dim = " +
                             std::to_string(D));
  bool nonzero = false;
  for (const Q& x : v) nonzero = nonzero || x != 0;
  require(nonzero, at + "kernel vector is zero");
  for (std::size_t r = 0; r < rows_a.size() && !annihilation_passed; ++r) {
    const Data::Row& row = data.rows[rows_a[r]];
    require(dot(phi(data.inputs[row.sample], row.position, data.causal), v) == 0,
            at + "kernel vector does not annihilate row " + std::to_string(r));
  }
  if (!c.distinguishing) return;
  const Point& x = *c.distinguishing;
  require(x.Z.size() == data.d, at + "distinguishing_input: Z has " + std::to_string(x.Z.size()) +
                                     " rows; expected d = " + std::to_string(data.d));
  require(x.position < x.Z[0].size(), at + "distinguishing_input: position " + std::to_string(x.position) +
                                          " out of range (n = " + std::to_string(x.Z[0].size()) + ")");
  require(dot(phi(x.Z, x.position, data.causal), v) != 0,
          at + "distinguishing_input: <v, phi(Z, position)> = 0, so it does not distinguish");
}

void check(const Data& data, const std::string& dataset_hash, const Certificate& cert) {
  require(cert.sha256 == dataset_hash, "dataset_sha256 " + cert.sha256 + " is not the dataset's " + dataset_hash);
  require(cert.d == data.d, "d = " + std::to_string(cert.d) + " but the dataset has d = " + std::to_string(data.d));
  const std::size_t d = data.d, D = d * d * (d + 1) / 2;
  require(cert.feature_dim == D, "feature_dim = " + std::to_string(cert.feature_dim) + "; expected d^2(d+1)/2 = " +
                                     std::to_string(D));
  std::vector<bool> listed(d, false);
  bool all_identifiable = true;
  // Coordinates observed on the same rows usually cite the same witness: a check already passed
  // on identical inputs (rows of Phi_a, witness) is not repeated.
  std::set<std::tuple<std::vector<std::size_t>, Q, std::vector<std::size_t>, Q>> minors_passed;
  std::set<std::pair<std::vector<std::size_t>, std::vector<Q>>> kernels_passed;
  for (const Coordinate& c : cert.coordinates) {
    const std::string at = "coordinate " + std::to_string(c.a) + ": ";
    require(c.a < d, at + "a is out of range (d = " + std::to_string(d) + ")");
    require(!listed[c.a], at + "listed twice");
    listed[c.a] = true;
    std::vector<std::size_t> rows_a;  // Phi_a: indices of the observing rows
    for (std::size_t r = 0; r < data.rows.size(); ++r)
      if (data.rows[r].observed[c.a]) rows_a.push_back(r);
    require(c.observed == !rows_a.empty(), at + "\"observed\" is " + (c.observed ? "true" : "false") + " but " +
                                                std::to_string(rows_a.size()) + " rows observe it");
    require(!c.rows || *c.rows == rows_a.size(), at + "rows = " + std::to_string(c.rows.value_or(0)) + " but Phi_a has " +
                                                      std::to_string(rows_a.size()) + " rows");
    require(!c.rank || *c.rank <= rows_a.size(), at + "rank = " + std::to_string(c.rank.value_or(0)) +
                                                     " exceeds the number of rows");
    if (!c.observed) {
      require(!c.identifiable.value_or(false), at + "identifiable is true for a coordinate never observed");
      require(!c.witness, at + "a witness for a coordinate never observed");
      continue;
    }
    if (c.witness->type == "nonzero-minor") {
      require(*c.rank == D, at + "rank = " + std::to_string(*c.rank) + " but a nonzero minor proves rank " +
                                std::to_string(D));
      require(*c.identifiable, at + "identifiable is false but a nonzero minor proves full rank");
      require(!c.distinguishing, at + "distinguishing_input given for a full-rank coordinate");
      auto key = std::tuple(rows_a, c.witness->prime, c.witness->rows, c.witness->minor);
      if (!minors_passed.count(key)) check_minor(data, rows_a, *c.witness, D, at), minors_passed.insert(std::move(key));
    } else {
      require(*c.rank < D, at + "rank = " + std::to_string(*c.rank) + " but a kernel vector proves rank < " +
                               std::to_string(D));
      require(!*c.identifiable, at + "identifiable is true but a kernel vector proves rank < feature_dim");
      auto key = std::pair(rows_a, c.witness->vector);
      check_kernel(data, rows_a, c, D, at, kernels_passed.count(key) > 0);
      kernels_passed.insert(std::move(key));
    }
    all_identifiable = all_identifiable && *c.identifiable;
  }
  for (std::size_t a = 0; a < d; ++a) require(listed[a], "coordinate " + std::to_string(a) + " is not listed");
  require(cert.identifiable == all_identifiable, std::string("identifiable is ") + (cert.identifiable ? "true" : "false") +
                                                     " but the AND over observed coordinates is " +
                                                     (all_identifiable ? "true" : "false"));
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
  return {true, ""};
}

CheckResult verify_certificate(const std::string& dataset_path, const std::string& certificate_path) {
  const std::string dataset = read_file_bytes(dataset_path), certificate = read_file_bytes(certificate_path);
  return verify_certificate_text(dataset, input_display_name(dataset_path), certificate,
                                 input_display_name(certificate_path));
}

}  // namespace mhla::checker
