// SPDX-License-Identifier: MIT
// The mhla command line (interface.md, "Command line"). Exit statuses: 0 success (or a "yes"
// verdict), 1 a "no" verdict, 2 bad usage / bad input / resource limit / I/O, with one line
// "mhla: <message>" on standard error and nothing else written, 3 an internal error.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <new>
#include <vector>

#include "command.hpp"
#include "mhla/io/files.hpp"
#include "mhla/io/memory_limit.hpp"
#include "mhla/support/closest_name.hpp"
#include "mhla/support/error.hpp"
#include "mhla/support/progress.hpp"

namespace mhla::cli {

#define MHLA_SUBCOMMAND(name) Subcommand add_##name##_command(CLI::App& app);
#include "command_list.hpp"
#undef MHLA_SUBCOMMAND

void print_summary(const GlobalOptions& global, const std::string& name, const std::string& line) {
  if (!global.quiet) std::cerr << "mhla " << name << ": " << line << "\n";
}

std::string output_description(const std::string& path) { return path == "-" ? "standard output" : path; }

namespace {

// One line for standard error: newlines in a message (from a library) become spaces.
std::string one_line(std::string message) {
  for (char& c : message)
    if (c == '\n' || c == '\r') c = ' ';
  while (!message.empty() && message.back() == ' ') message.pop_back();
  return message;
}

int report(int status, const std::string& message) {
  std::fflush(stdout);
  std::cerr << "mhla: " << one_line(message) << std::endl;
  return status;
}

// For a command line CLI11 refused: "unknown subcommand certfy (did you mean certify?)" or
// "unknown option --datset for certify (did you mean --dataset?)"; empty when neither applies.
std::string misspelling_hint(const CLI::App& app, int argc, char** argv) {
  const auto all = [](const CLI::App*) { return true; };
  int i = 1;
  while (i < argc && argv[i][0] == '-') {  // global options (and their values) before the subcommand
    const std::string word = argv[i++];
    if (word.find('=') != std::string::npos) continue;
    for (const CLI::Option* o : app.get_options())
      if (word.rfind("--", 0) == 0 && o->check_lname(word.substr(2)) && o->get_items_expected_min() > 0) ++i;
  }
  // The chain of (sub)commands named on the line: "generate random" is two levels.
  std::vector<const CLI::App*> chain{&app};
  std::string path;
  while (i < argc && argv[i][0] != '-') {
    const CLI::App* level = chain.back();
    const std::vector<const CLI::App*> subs = level->get_subcommands(all);
    if (subs.empty()) break;  // a positional argument of a leaf command
    const std::string word = argv[i++];
    const CLI::App* next = nullptr;
    std::vector<std::string> names;
    for (const CLI::App* s : subs) {
      names.push_back(s->get_name());
      if (s->get_name() == word) next = s;
    }
    if (!next) {
      const std::string close = closest_name(word, names);
      return "unknown " + (path.empty() ? std::string("subcommand ") : path + " task ") + word +
             (close.empty() ? "" : " (did you mean " + close + "?)");
    }
    chain.push_back(next);
    path += (path.empty() ? "" : " ") + word;
  }
  std::vector<std::string> options;
  for (const CLI::App* a : chain)
    for (const CLI::Option* o : a->get_options())
      for (const std::string& l : o->get_lnames()) options.push_back("--" + l);
  for (int k = 1; k < argc; ++k) {
    std::string word = argv[k];
    if (word.rfind("--", 0) != 0 || word == "--") continue;
    if (const std::size_t eq = word.find('='); eq != std::string::npos) word.resize(eq);
    if (std::find(options.begin(), options.end(), word) != options.end()) continue;
    const std::string close = closest_name(word, options);
    return "unknown option " + word + (path.empty() ? std::string() : " for " + path) +
           (close.empty() ? "" : " (did you mean " + close + "?)");
  }
  return {};
}

int run(int argc, char** argv) {
  install_signal_cleanup();  // SIGINT/SIGTERM/SIGHUP: no temporary output file left behind
  install_allocation_failure_exit();  // GMP out of memory: exit 2 with one line, never an abort
  CLI::App app{"mhla: exact multi-head linear attention (MHLA): evaluation, features, identifiability", "mhla"};
  app.set_version_flag("--version", std::string("mhla ") + MHLA_VERSION);
  app.require_subcommand(1);
  app.fallthrough();  // global options may also follow the subcommand
  app.footer(
      "Exit status: 0 success, 1 a 'no' verdict, 2 bad usage, bad input, resource limit or I/O error\n"
      "(one line on standard error, nothing written), 3 internal error.\n"
      "Run 'mhla SUBCOMMAND --help' for a subcommand's options.");
  GlobalOptions global;
  double memory_limit_gib = 0;
  app.add_flag("-q,--quiet", global.quiet, "Do not print the short summary or progress lines on standard error");
  app.add_option("--memory-limit", memory_limit_gib,
                 "Refuse work estimated to need more than this many GiB (default: 3/4 of MemTotal)")
      ->check(CLI::Validator(
          [](std::string& text) {
            char* end = nullptr;
            const double v = std::strtod(text.c_str(), &end);
            return std::isfinite(v) && v > 0 && end && *end == '\0' ? std::string() : "must be a positive number of GiB";
          },
          "GIB"));

  std::vector<Subcommand> subcommands{
#define MHLA_SUBCOMMAND(name) add_##name##_command(app),
#include "command_list.hpp"
#undef MHLA_SUBCOMMAND
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);  // --help, --version
    const std::string hint = misspelling_hint(app, argc, argv);
    return report(exit_status(ErrorKind::usage), (hint.empty() ? std::string(e.what()) : hint) + " (see mhla --help)");
  }
  progress_set_enabled(!global.quiet);  // progress lines (support/progress.hpp) obey --quiet too
  if (memory_limit_gib > 0) {
    const double bytes = std::ldexp(memory_limit_gib, 30);
    set_memory_limit_bytes(bytes >= 1.8e19 ? UINT64_MAX : static_cast<std::uint64_t>(bytes));
  }
  for (const Subcommand& sub : subcommands)
    if (sub.app->parsed()) return sub.run(global);
  return report(exit_status(ErrorKind::internal), "no subcommand ran");
}

}  // namespace
}  // namespace mhla::cli

int main(int argc, char** argv) {
  using mhla::ErrorKind;
  try {
    return mhla::cli::run(argc, argv);
  } catch (const mhla::Error& e) {
    return mhla::cli::report(mhla::exit_status(e.kind()), e.what());
  } catch (const std::bad_alloc&) {
    return mhla::cli::report(mhla::exit_status(ErrorKind::resource_limit),
                             "out of memory (the input is too large for this machine; see --memory-limit)");
  } catch (const std::exception& e) {
    return mhla::cli::report(mhla::exit_status(ErrorKind::internal), std::string("internal error: ") + e.what());
  } catch (...) {
    return mhla::cli::report(mhla::exit_status(ErrorKind::internal), "internal error: unknown exception");
  }
}
