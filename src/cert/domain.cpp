// SPDX-License-Identifier: MIT
#include "mhla/cert/domain.hpp"

#include <utility>

#include "mhla/cert/certify.hpp"

namespace mhla {

std::vector<std::pair<std::size_t, std::size_t>> domain_points(const Dataset& domain) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  for (std::size_t s = 0; s < domain.samples.size(); ++s) {
    const Sample& sample = domain.samples[s];
    if (sample.targets.empty())
      for (std::size_t b = 0; b < sample.Z.cols(); ++b) out.emplace_back(s, b);
    else
      for (const Target& t : sample.targets) out.emplace_back(s, t.position);
  }
  return out;
}

bool certify_domain(const Dataset& ds, const Dataset& domain, Certificate& cert, PrimeStream primes,
                    const std::function<void(std::string_view, double, const std::string&)>& check_memory) {
  // One domain path: certify itself, with the domain (Lemma C11).
  CertifyOptions options;
  options.primes = primes;
  options.check_memory = check_memory;
  options.domain = &domain;
  cert = certify(ds, options);
  return domain_verdict(cert);
}

bool domain_verdict(const Certificate& cert) {
  bool all = true;
  for (const CoordinateCertificate& c : cert.coordinates)
    if (c.observed) all = all && c.domain && c.domain->identifiable_on_domain;
  return all;
}

}  // namespace mhla
