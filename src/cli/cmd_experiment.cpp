// SPDX-License-Identifier: MIT
// mhla experiment heads|certificate|dfa [options]
// Reproduces one of the paper's experiments (v4 Section 4 and Appendix G), writing CSV, a
// PNG plot and a markdown summary. Each experiment is in its own experiment_<name>.cpp.
#include <array>

#include "command.hpp"
#include "mhla/support/error.hpp"
#include "experiments.hpp"
#include "mhla/support/error.hpp"

namespace mhla::cli {

Subcommand add_experiment_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("experiment", "Reproduce one of the paper's experiments: heads, certificate, dfa");
  sub->require_subcommand(1);
  const std::array<Subcommand, 3> experiments{add_experiment_heads(*sub), add_experiment_certificate(*sub),
                                              add_experiment_dfa(*sub)};
  auto run = [experiments](const GlobalOptions& global) {
    for (const Subcommand& e : experiments)
      if (e.app->parsed()) return e.run(global);
    fail(ErrorKind::usage, "experiment: expected a name: heads, certificate or dfa");
  };
  return {sub, run};
}

}  // namespace mhla::cli
