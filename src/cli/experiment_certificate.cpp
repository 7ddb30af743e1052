// SPDX-License-Identifier: MIT
// mhla experiment certificate (placeholder until the experiment lands).
#include "experiments.hpp"
#include "mhla/support/error.hpp"

namespace mhla::cli {

Subcommand add_experiment_certificate(CLI::App& experiment) {
  CLI::App* sub = experiment.add_subcommand("certificate", "(not yet available)");
  return {sub, [](const GlobalOptions&) -> int { fail(ErrorKind::usage, "experiment certificate: not yet available"); }};
}

}  // namespace mhla::cli
