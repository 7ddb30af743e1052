// SPDX-License-Identifier: MIT
// Model files (interface.md, "Model file"):
//   {"format": "mhla-model", "version": 1, "d": 2, "causal": false,
//    "heads": [{"V": [[...d rows of d scalars...]], "Q": [[...]]}, ...]}
// d >= 1 (a JSON integer), causal optional (default false), heads may be empty (the zero model).
// Unknown extra keys are ignored (forward compatibility). Every error is
// Error(bad_input, "<file>: <json path>: <reason>"); a d whose feature dimension overflows,
// or whose d x d work matrices exceed the memory limit, is Error(resource_limit)
// (read_shape_header in json_scalars.hpp).
// NumPy input (io/npz.hpp): bytes starting with the zip magic are an .npz with V and Q of shape
// (H, d, d) (V[h] is V_h with row a, column j; likewise Q) and an optional 0-d array causal.
#pragma once
#include <string>
#include <string_view>

#include "mhla/arith/scalar.hpp"
#include "mhla/io/json_output.hpp"
#include "mhla/model/model.hpp"

namespace mhla {

inline constexpr const char* model_format_name = "mhla-model";
inline constexpr std::size_t model_format_version = 1;

// The model in a file ("-" = standard input).
Model<Rational> read_model(const std::string& path);
// The model in text (or .npz bytes); source_name names it in messages.
Model<Rational> parse_model_text(std::string_view text, const std::string& source_name);

// The model file document for m, exact strings; write it with write_json_file.
OrderedJson model_json(const Model<Rational>& m);

}  // namespace mhla
