// SPDX-License-Identifier: MIT
// Dataset files (interface.md, "Dataset file"):
//   {"format": "mhla-dataset", "version": 1, "d": 2, "causal": false,
//    "samples": [{"Z": [[...d rows of n scalars...]], "y": [...]}, 
//                {"Z": [...], "targets": [{"position": 0, "y": [1, null]}]}, {"Z": [...]}]}
// Z has exactly d rows of the same length n >= 1 (column t is token t). "y" is shorthand for
// one target at the last position; a target's y has d entries, null = not observed; a sample
// with neither "y" nor "targets" is an input only; "y" and "targets" together are an error.
// Positions are in 0..n-1. Unknown extra keys are ignored. Errors as in model_file.hpp.
// NumPy input (io/npz.hpp): bytes starting with the zip magic "PK\x03\x04" (whatever the file
// name) are an .npz with Z of shape (N, n, d) (the framework convention: the file's Z[i] is
// n x d, token t is its row t; the dataset's Z is its transpose, d x n), optional Y of shape
// (N, d) (one target at the last position, all entries observed) or (N, n, d) (a target at every
// position), and an optional 0-d array causal (bool or 0/1; default false). Other arrays are
// refused. Every value is exact (floats as the rationals they encode).
#pragma once
#include <string>
#include <string_view>

#include "mhla/features/dataset.hpp"
#include "mhla/io/json_output.hpp"

namespace mhla {

inline constexpr const char* dataset_format_name = "mhla-dataset";
inline constexpr std::size_t dataset_format_version = 1;

// The dataset in a file ("-" = standard input).
Dataset read_dataset(const std::string& path);
// The dataset in text (or .npz bytes); source_name names it in messages.
Dataset parse_dataset_text(std::string_view text, const std::string& source_name);

// Refuses (Error(bad_input), one line naming the file) a dataset in which no sample has a
// target: certifying or learning from it would be vacuous. The message suggests the cause: a
// forgotten "y" / Y, or a file of inputs only, which belongs to --domain (domain files need no
// targets and are not checked here). For an .npz it states how Z was read, (N, n, d), and the
// transposition to apply when the array is (N, d, n). text: the file's bytes (.npz or JSON).
void require_targets(const Dataset& ds, std::string_view text, const std::string& source_name);

// The dataset file document, exact strings; a sample with one target at its last position is
// written with the "y" shorthand.
OrderedJson dataset_json(const Dataset& ds);

}  // namespace mhla
