// SPDX-License-Identifier: MIT
// `mhla verify` recomputes the witness minor with its own determinant mod p (delayed reduction
// for p < 2^32, where a row is reduced after `room` = (2^64 - p) / (p - 1)^2 additions; 128-bit
// products above). Here the engine's certificate is restated for primes whose room is 262144,
// 4096, 16, 4 and 1 (so the delayed reductions happen every so many rows, or after every one),
// and above 2^32, with the minor computed independently (Bareiss over Z, then mod p): the
// checker must accept the true value and reject a changed one.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <random>

#include "cli/cli_harness.hpp"
#include "mhla/cert/certify.hpp"
#include "mhla/features/exact_fast.hpp"
#include "mhla/io/dataset_file.hpp"
#include "mhla/io/json_output.hpp"
#include "mhla/linalg/bareiss.hpp"
#include "mhla/modp/prime_test.hpp"
#include "mhla/modp/reduce.hpp"

using namespace mhla;

TEST_CASE("mhla verify: the minor mod p for primes across the delayed-reduction bounds", "[cert][verify]") {
  std::mt19937_64 rng(77);
  std::uniform_int_distribution<int> e(-3, 3);
  const std::size_t d = 4, D = feature_dim(d);  // D = 40 rows: more additions than a room of 16 or 4
  Dataset ds{d, false, {}};
  for (std::size_t s = 0; s < 2 * D; ++s) {
    Matrix<Rational> Z(d, 3);
    for (Rational& x : Z.data()) x = e(rng);
    Target t{2, {}};
    for (std::size_t a = 0; a < d; ++a) t.y.push_back(Rational(e(rng)));
    ds.samples.push_back({Z, {t}});
  }
  mhla_test::TempDir dir;
  const std::string data = dir.write("d.json", render_json(dataset_json(ds)));
  const mhla_test::RunResult made = mhla_test::run_mhla({"certify", "--dataset", data, "-o", dir.file("c.json")});
  REQUIRE(made.status == 0);
  const nlohmann::json good = nlohmann::json::parse(mhla_test::slurp(dir.file("c.json")));
  const std::vector<std::size_t> rows = good["coordinates"][0]["witness"]["rows"].get<std::vector<std::size_t>>();
  REQUIRE(rows.size() == D);
  Matrix<Integer> N(D, D);  // integer Z: the rows of Phi_a are integers (L_s = 1)
  for (std::size_t i = 0; i < D; ++i) {
    const ScaledIntegerMatrix f = feature_rows_scaled(ds.samples[rows[i]].Z, {2}, false);
    std::copy(f.numerators.row(0), f.numerators.row(0) + D, N.row(i));
  }
  const Integer det = det_bareiss(N);
  REQUIRE(det != 0);
  for (std::uint64_t p : {8388593ull, 67108859ull, 1073741789ull, 2147483647ull, 4294967291ull, 1152921504606846883ull}) {
    REQUIRE(is_prime_miller_rabin(p));
    const std::uint64_t minor = reduce_mod(PrimeField(p), det);
    if (minor == 0) continue;  // p divides the minor: not a witness for this prime
    INFO("p = " << p);
    for (std::uint64_t claimed : {minor, minor ^ 1}) {
      nlohmann::json c = good;
      for (auto& coordinate : c["coordinates"]) {
        coordinate["witness"]["prime"] = std::to_string(p);
        coordinate["witness"]["minor_mod_prime"] = std::to_string(claimed);
      }
      const mhla_test::RunResult run = mhla_test::run_mhla(
          {"verify", "--dataset", data, "--certificate", dir.write("p.json", c.dump())});
      CHECK(run.status == (claimed == minor ? 0 : 1));
    }
  }
}
