// SPDX-License-Identifier: MIT
// The checker's checks of the informational parts of a certificate (verify_certificate.hpp
// calls them after the verdict checks): they never change a verdict, but a false claim in
// them makes the certificate INVALID. gmpxx and the io parser only, like the rest of the checker.
//   * "alternative_model" (when the certificate is not identifiable and the object is not
//     {"skipped": ...}): both models ("base" and the alternative itself) are evaluated exactly
//     with a plain loop (Y[a][b] = <w_a, phi(Z, b)>, the weights w_a formed from the heads by
//     math.md's formula, phi re-derived from the (prefix, when causal) Gram matrix), their empirical risks on the dataset are equal and equal to the stated
//     base_loss / alternative_loss, and at every deficient coordinate's distinguishing input
//     the outputs are the stated ones and differ (each deficient coordinate listed once);
//     an identifiable certificate has no alternative_model;
//   * "lambda_min" (when not {"skipped": ...}): 0 <= lower <= upper; lower = 0 for a deficient
//     coordinate (lambda_min = 0 there); lower <= min_i Lambda_ii (the Rayleigh quotients of
//     the unit vectors); and upper >= x^T Lambda x / x^T x for the stated upper_vector x != 0
//     (Lambda = Phi_a^T Phi_a / rows, exact). The lower end's own proof (Lemmas B4, C5, C14)
//     is not re-derived: an understated lower end is not caught, only a contradicted one;
//   * "advice" (deficient coordinates): more_rows_at_least = D - rank (D - rank_upper_bound
//     when the rank is a lower bound); a token_subspace claim: k independent basis vectors,
//     every token entering Phi_a in their span, d - k independent missing directions
//     orthogonal to them, k < d, rank_bound = k^2(k+1)/2; features_never_occurring: each such
//     feature is 0 on every row of Phi_a; cases from the documented list, "token-subspace" iff
//     the subspace is given. "text" is informational.
// Cost: O(rows D) exact products per coordinate group checked (features re-derived once per
// sample), plus O(H d^4) to form each model's weights and O(D) per observed entry.
#pragma once
#include <string>
#include <string_view>

namespace mhla::checker {

// Empty when every informational claim holds; else the reason ("coordinate 2: lambda_min ...").
// Malformed fields throw Error(bad_input) naming the JSON path.
std::string check_informational(std::string_view dataset_bytes, const std::string& dataset_name,
                                std::string_view certificate_text, const std::string& certificate_name);

}  // namespace mhla::checker
