// SPDX-License-Identifier: MIT
// The outputs of `mhla experiment dfa`: dfa.csv (one line per (sweep, S, A, L) cell of
// dfa_requirement.hpp), dfa.md (a summary against the paper's Figure 4, reference-paper-notes
// 6.3) and dfa.png (a matplotlib plot run through /usr/bin/python3; floats only in the plot).
// All counts in the CSV are exact integers; accuracies are exact fractions printed as
// count/total and as a 6-digit decimal for plotting.
#pragma once
#include <string>
#include <vector>

#include "mhla/experiments/dfa_requirement.hpp"

namespace mhla::experiments {

struct DfaCell {
  std::string sweep;  // "states", "alphabet" or "length": which of S, A, L varies
  DfaRequirementResult result;
};

std::string dfa_csv(const std::vector<DfaCell>& cells);
std::string dfa_markdown(const std::vector<DfaCell>& cells, const std::string& command_line, const std::string& plot_note);

// The embedded plot script (argv: csv path, png path).
extern const char* const dfa_plot_script;

// Runs /usr/bin/python3 -c script csv png; returns "" on success, else a one-line note (python3
// or matplotlib missing, or the script failed) and no PNG is claimed.
std::string run_python_plot(const char* script, const std::string& csv_path, const std::string& png_path);

}  // namespace mhla::experiments
