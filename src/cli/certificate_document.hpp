// SPDX-License-Identifier: MIT
// The certificate of a dataset as the JSON document `mhla certify` writes (interface.md,
// "Certificate file"), shared by `certify` and `demo`: the engine's verdicts and witnesses, the
// informational lambda_min, domain fields when a domain is given, and the alternative model of
// a non-identifiable dataset.
#pragma once
#include <string>

#include "mhla/cert/certify.hpp"
#include "mhla/io/json_output.hpp"

namespace mhla::cli {

struct CertificateRun {
  Certificate cert;
  OrderedJson document;
  bool on_domain = true;  // identifiable on the domain (true when no domain is given)
  std::string summary;    // the one-line human summary (short decimals; advice per deficient group)
};

// bytes: the dataset file's bytes (hashed into the document); ds: those bytes parsed.
// domain_bytes / domain: the domain file and its parse, or both null.
CertificateRun certify_to_document(const std::string& bytes, const Dataset& ds, const std::string* domain_bytes,
                                   const Dataset* domain, bool with_lambda_min, bool with_alternative_model = true);

}  // namespace mhla::cli
