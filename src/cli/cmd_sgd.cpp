// SPDX-License-Identifier: MIT
// mhla sgd (placeholder until it lands).
#include "command.hpp"
#include "mhla/support/error.hpp"

namespace mhla::cli {

Subcommand add_sgd_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("sgd", "(not yet available)");
  sub->allow_extras();
  return {sub, [](const GlobalOptions&) -> int { fail(ErrorKind::usage, "sgd: not yet available"); }};
}

}  // namespace mhla::cli
