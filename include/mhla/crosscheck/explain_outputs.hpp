// SPDX-License-Identifier: MIT
// The usual implementation slips tried, exactly, as explanations of flagged output entries
// (proofs-notes/09-crosscheck.md, Remarks after Lemma X1).
#pragma once
#include <string>
#include <vector>

#include "mhla/crosscheck/check_outputs.hpp"

namespace mhla::crosscheck {

// Each returned sentence names a slip under which every entry of theirs is within the rounding
// bound of the slipped computation (decided exactly). Cost: one exact evaluation per slip.
// @proof X1
std::vector<std::string> explain_outputs(const TheirOutputs& theirs, const Model<Rational>& model, const Dataset& inputs,
                                         const ExactOutputs& exact, unsigned bits);

}  // namespace mhla::crosscheck
