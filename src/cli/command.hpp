// SPDX-License-Identifier: MIT
// How a subcommand plugs into the mhla command line. Each subcommand lives in its own
// cmd_<name>.cpp, which defines
//   Subcommand add_<name>_command(CLI::App& app);
// adding its options to app (as an app.add_subcommand) and returning the function that runs it;
// command_list.hpp lists the names, one line each. run returns the exit status for a normal
// outcome (0, or 1 for a "no" verdict); errors are thrown as mhla::Error and main maps them
// to exit statuses (interface.md).
#pragma once
#include <CLI/CLI.hpp>

#include <functional>
#include <string>

namespace mhla::cli {

// Options that every subcommand sees.
struct GlobalOptions {
  bool quiet = false;  // no human summary on standard error
};

struct Subcommand {
  CLI::App* app = nullptr;
  std::function<int(const GlobalOptions&)> run;
};

// Writes "mhla <name>: <line>" to standard error unless --quiet.
void print_summary(const GlobalOptions& global, const std::string& name, const std::string& line);

// "standard output" for "-", else the path: where a result went, for summaries.
std::string output_description(const std::string& path);

}  // namespace mhla::cli
