// SPDX-License-Identifier: MIT
// mhla crosscheck (placeholder until it lands).
#include "command.hpp"
#include "mhla/support/error.hpp"

namespace mhla::cli {

Subcommand add_crosscheck_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("crosscheck", "(not yet available)");
  sub->allow_extras();
  return {sub, [](const GlobalOptions&) -> int { fail(ErrorKind::usage, "crosscheck: not yet available"); }};
}

}  // namespace mhla::cli
