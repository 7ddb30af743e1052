// SPDX-License-Identifier: MIT
// The witness minor read off the streamed elimination (EchelonModP::pivot_minor, Lemma E1)
// against the reference det_mod_p of the same submatrix, on random matrices with dependent rows
// interleaved (they are discarded and must not change the minor), deficient ones (minor on
// pivot rows x pivot columns), shapes across the kernel's 128-row blocks, every instruction set.
#include <catch2/catch.hpp>

#include <random>

#include "mhla/cert/det_mod_p.hpp"
#include "mhla/linalg/echelon_mod_p.hpp"

using namespace mhla;

namespace {

// m x n residues mod p: `independent` random rows, and after each of them, with probability
// 1/3, a random combination of the rows so far (dependent over F_p, discarded by the echelon).
// When columns < rows, the last n - r_col columns are combinations of the others, so the rank
// is at most r_col and the pivot columns are a proper subset.
std::vector<std::vector<std::uint64_t>> random_rows(std::mt19937_64& rng, const PrimeField& F, std::size_t independent,
                                                    std::size_t n, std::size_t r_col) {
  std::uniform_int_distribution<std::uint64_t> e(0, F.p - 1);
  std::uniform_int_distribution<int> coin(0, 2);
  std::vector<std::vector<std::uint64_t>> rows;
  for (std::size_t i = 0; i < independent; ++i) {
    std::vector<std::uint64_t> x(n);
    for (auto& v : x) v = e(rng);
    if (coin(rng) == 0)  // a zero prefix: leading columns out of order, so the sign matters
      for (std::size_t j = 0, k = std::uniform_int_distribution<std::size_t>(0, r_col - 1)(rng); j < k; ++j) x[j] = 0;
    rows.push_back(x);
    if (coin(rng) == 0) {
      std::vector<std::uint64_t> y(n, 0);
      for (const auto& row : rows) {
        const std::uint64_t c = e(rng);
        for (std::size_t j = 0; j < n; ++j) y[j] = F.add(y[j], F.mul(c, row[j]));
      }
      rows.push_back(y);
    }
  }
  for (auto& x : rows)
    for (std::size_t j = r_col; j < n; ++j) x[j] = F.add(x[j % r_col], F.mul(3, x[(j * 7) % r_col]));
  return rows;
}

std::uint64_t reference_minor(const PrimeField& F, const std::vector<std::vector<std::uint64_t>>& rows,
                              const std::vector<std::size_t>& ri, const std::vector<std::size_t>& ci) {
  std::vector<std::uint64_t> sub;
  for (std::size_t i : ri)
    for (std::size_t j : ci) sub.push_back(rows[i][j]);
  return det_mod_p(F, sub, ri.size());
}

}  // namespace

TEST_CASE("EchelonModP::pivot_minor equals det_mod_p on the pivot rows and columns", "[cert][minor]") {
  const auto isa = GENERATE(KernelIsa::generic, KernelIsa::avx2, KernelIsa::avx512);
  if (!echelon_mod_p_select_kernel(isa)) return;  // the CPU lacks it
  std::mt19937_64 rng(404);
  // (independent rows, columns, column rank bound): square, tall with dependent rows, rank
  // deficient by columns, and sizes across the 128-row blocks and 24-column panels.
  const std::vector<std::tuple<std::size_t, std::size_t, std::size_t>> shapes = {
      {1, 1, 1}, {2, 2, 2}, {7, 7, 7}, {30, 30, 30}, {40, 25, 25}, {30, 40, 20}, {140, 140, 140}, {300, 260, 260},
      {200, 150, 131}};
  std::size_t checked = 0, with_dependent = 0;
  for (auto [m, n, rc] : shapes) {
    for (std::uint64_t p : {3ull, 7ull, 65521ull, 8388593ull}) {
      const PrimeField F(p);
      const auto rows = random_rows(rng, F, m, n, rc);
      EchelonModP E(F, n);
      for (const auto& x : rows) E.add_row_residues(x);
      const std::vector<std::size_t> pr = E.pivot_rows(), pc = E.pivot_cols();
      INFO("m=" << m << " n=" << n << " p=" << p << " isa=" << static_cast<int>(isa) << " rank=" << pr.size());
      REQUIRE(pr.size() == pc.size());
      const std::uint64_t minor = E.pivot_minor();
      CHECK(minor != 0);
      CHECK(minor == reference_minor(F, rows, pr, pc));
      // Swapping the first two pivot rows negates the reference; the echelon's value must match
      // only the given order (so the sign is tested, not just the product of leading values).
      if (pr.size() >= 2 && p > 3) {
        std::vector<std::size_t> swapped = pr;
        std::swap(swapped[0], swapped[1]);
        CHECK(reference_minor(F, rows, swapped, pc) == F.neg(minor));
      }
      ++checked;
      with_dependent += rows.size() > pr.size();
    }
  }
  CHECK(checked == shapes.size() * 4);
  CHECK(with_dependent > 0);
  echelon_mod_p_select_kernel(KernelIsa::automatic);
}

TEST_CASE("EchelonModP::pivot_minor: identity, a transposition, the empty minor, saturation", "[cert][minor]") {
  const PrimeField F(8388593);
  {
    EchelonModP E(F, 3);  // rows e_1, e_0, 5 e_2: det of [[0,1,0],[1,0,0],[0,0,5]] = -5
    E.add_row(std::vector<std::int64_t>{0, 1, 0});
    E.add_row(std::vector<std::int64_t>{1, 0, 0});
    E.add_row(std::vector<std::int64_t>{0, 0, 5});
    CHECK(E.pivot_minor() == F.neg(5));
  }
  {
    EchelonModP E(F, 2);  // no rows: the 0 x 0 minor
    CHECK(E.pivot_minor() == 1);
    E.add_row(std::vector<std::int64_t>{0, 0});  // a zero row is discarded
    CHECK(E.rank() == 0);
    CHECK(E.pivot_minor() == 1);
  }
  {
    EchelonModP E(F, 2);  // [[2, 3], [4, 6] (dependent), [1, 1]]: minor on rows 0, 2 = 2 - 3 = -1
    E.add_row(std::vector<std::int64_t>{2, 3});
    E.add_row(std::vector<std::int64_t>{4, 6});
    E.add_row(std::vector<std::int64_t>{1, 1});
    E.add_row(std::vector<std::int64_t>{9, 9});  // after saturation: only counted
    CHECK(E.pivot_rows() == std::vector<std::size_t>{0, 2});
    CHECK(E.pivot_minor() == F.neg(1));
  }
}
