// SPDX-License-Identifier: MIT
// The experiments of `mhla experiment NAME` (interface.md; issue 5): one file each,
// experiment_<name>.cpp, adding its options to the `experiment` subcommand and returning the
// function that runs it. cmd_experiment.cpp lists them.
#pragma once
#include "command.hpp"

namespace mhla::cli {

Subcommand add_experiment_heads(CLI::App& experiment);        // Figure 1: heads vs SGD convergence
Subcommand add_experiment_certificate(CLI::App& experiment);  // Figure 2: certificate vs unitary fraction
Subcommand add_experiment_dfa(CLI::App& experiment);          // Figure 4: data requirement on DFA traces

}  // namespace mhla::cli
