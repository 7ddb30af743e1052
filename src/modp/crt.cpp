// SPDX-License-Identifier: MIT
#include "mhla/modp/crt.hpp"

#include "mhla/modp/reduce.hpp"
#include "mhla/support/error.hpp"

namespace mhla {

Integer crt_combine(const Integer& r, const Integer& M, const PrimeField& F, std::uint64_t a) {
  const std::uint64_t m_mod_p = reduce_mod(F, M);
  if (m_mod_p == 0) fail(ErrorKind::internal, "crt_combine: the prime divides the running modulus");
  const std::uint64_t r_mod_p = reduce_mod(F, r);
  // x = r + M t with t = (a - r) / M mod p; then x = r mod M and x = r + (a - r) = a mod p,
  // and 0 <= x <= (M - 1) + M (p - 1) < M p.
  const std::uint64_t t = F.mul(F.sub(a % F.p, r_mod_p), F.inv(m_mod_p));
  return r + M * Integer(t);
}

void crt_combine(CrtVector& acc, const PrimeField& F, const std::vector<std::uint64_t>& images) {
  if (acc.modulus == 1) {
    acc.residues.assign(images.begin(), images.end());
    for (auto& x : acc.residues) x = Integer(static_cast<unsigned long long>(reduce_mod(F, x)));
    acc.modulus = Integer(static_cast<unsigned long long>(F.p));
    return;
  }
  if (images.size() != acc.residues.size()) fail(ErrorKind::internal, "crt_combine: vector lengths differ");
  const std::uint64_t m_mod_p = reduce_mod(F, acc.modulus);
  if (m_mod_p == 0) fail(ErrorKind::internal, "crt_combine: the prime divides the running modulus");
  const std::uint64_t m_inv = F.inv(m_mod_p);
  for (std::size_t i = 0; i < images.size(); ++i) {
    const std::uint64_t t = F.mul(F.sub(images[i] % F.p, reduce_mod(F, acc.residues[i])), m_inv);
    acc.residues[i] += acc.modulus * Integer(static_cast<unsigned long long>(t));
  }
  acc.modulus *= Integer(static_cast<unsigned long long>(F.p));
}

}  // namespace mhla
