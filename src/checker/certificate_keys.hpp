// SPDX-License-Identifier: MIT
// The keys of a certificate file (interface.md, "Keys in JSON files"), checked by the reading
// phase of the checker before any claim is checked, so that exit 2 never depends on which claim
// is wrong.
#pragma once
#include "mhla/io/json.hpp"

namespace mhla::checker {

// Fails (Error(bad_input): file, JSON path, the key and the known key it resembles) on the first
// key of any object of the certificate that the format does not define, at every level: top
// level, coordinates, witness, rank_witness and its rank_minor and dependent_rows, distinguishing_input,
// lambda_min, advice and token_subspace, the domain fields (domain_witness, its points and
// minors), alternative_model, its base, heads and differs_at. Each level accepts the union of the
// keys of its variants (a "kernel-vector" witness carrying "prime" is a wrong certificate, judged
// by the claims, not an unknown key). "description" and "comment" are ignored at the top level.
// Values that are not objects (or not arrays where entries are walked) are left to the reader,
// which names the expected kind. Precondition: none. Cost: one pass over the document's members.
void check_certificate_keys(const json::Located& root);

}  // namespace mhla::checker
