// SPDX-License-Identifier: MIT
// mhla experiment dfa (placeholder until the experiment lands).
#include "experiments.hpp"
#include "mhla/support/error.hpp"

namespace mhla::cli {

Subcommand add_experiment_dfa(CLI::App& experiment) {
  CLI::App* sub = experiment.add_subcommand("dfa", "(not yet available)");
  return {sub, [](const GlobalOptions&) -> int { fail(ErrorKind::usage, "experiment dfa: not yet available"); }};
}

}  // namespace mhla::cli
