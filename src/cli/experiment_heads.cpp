// SPDX-License-Identifier: MIT
// mhla experiment heads (placeholder until the experiment lands).
#include "experiments.hpp"
#include "mhla/support/error.hpp"

namespace mhla::cli {

Subcommand add_experiment_heads(CLI::App& experiment) {
  CLI::App* sub = experiment.add_subcommand("heads", "(not yet available)");
  return {sub, [](const GlobalOptions&) -> int { fail(ErrorKind::usage, "experiment heads: not yet available"); }};
}

}  // namespace mhla::cli
