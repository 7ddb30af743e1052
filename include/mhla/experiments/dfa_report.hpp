// SPDX-License-Identifier: MIT
// The outputs of `mhla experiment dfa`: dfa.csv (one line per (sweep, S, A, L) cell of
// dfa_requirement.hpp), dfa.md (a summary against the paper's Figure 4, v4 Appendix G.4
// 6.3) and dfa.png (a matplotlib plot run by report.hpp's run_plot_script; floats only there).
// All counts in the CSV are exact integers; accuracies are exact fractions printed as
// count/total and as a 6-digit decimal for plotting.
#pragma once
#include <string>
#include <vector>

#include "mhla/experiments/dfa_requirement.hpp"
#include "mhla/experiments/report.hpp"

namespace mhla::experiments {

struct DfaCell {
  std::string sweep;  // "states", "alphabet" or "length": which of S, A, L varies
  DfaRequirementResult result;
};

CsvTable dfa_table(const std::vector<DfaCell>& cells);
std::string dfa_markdown(const std::vector<DfaCell>& cells, const std::string& command_line, const std::string& plot_note);

// The embedded plot script for run_plot_script (argv: csv path, png path; plt imported).
extern const char* const dfa_plot_script;

}  // namespace mhla::experiments
