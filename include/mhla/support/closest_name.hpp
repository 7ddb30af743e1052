// SPDX-License-Identifier: MIT
// "Did you mean ...?" for misspelt keys, options and subcommands: the candidate nearest to a
// word in Levenshtein distance, ASCII case ignored, if it is within max_edits and the edit is
// not a complete rewrite (distance < the longer length). Ties go to the first candidate.
// Cost: O(|word| |candidate|) per candidate; names are short.
#pragma once
#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mhla {

inline std::size_t edit_distance_ignoring_case(std::string_view a, std::string_view b) {
  const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({above + 1, row[j - 1] + 1, diagonal + (lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

template <class Names>
std::string closest_name(std::string_view word, const Names& candidates, std::size_t max_edits = 2) {
  std::string best;
  std::size_t best_distance = max_edits + 1;
  for (const auto& candidate : candidates) {
    const std::string_view c(candidate);
    const std::size_t e = edit_distance_ignoring_case(word, c);
    if (e < best_distance && e < std::max(word.size(), c.size())) {
      best_distance = e;
      best = std::string(c);
    }
  }
  return best;
}

}  // namespace mhla
