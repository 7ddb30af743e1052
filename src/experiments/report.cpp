// SPDX-License-Identifier: MIT
#include "mhla/experiments/report.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "mhla/arith/scalar.hpp"
#include "mhla/io/files.hpp"
#include "mhla/support/error.hpp"

extern char** environ;

namespace mhla::experiments {
namespace {

std::string csv_field(const std::string& f) {
  if (f.find_first_of(",\"\n\r") == std::string::npos) return f;
  std::string q = "\"";
  for (char c : f) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

void check_width(const CsvTable& t) {
  for (const auto& row : t.rows)
    if (row.size() != t.columns.size()) fail(ErrorKind::internal, "CSV row width differs from the header");
}

// Runs after-the-fact cleanup of temporary files whatever happens.
struct TempFiles {
  std::vector<std::string> paths;
  ~TempFiles() {
    for (const std::string& p : paths) std::remove(p.c_str());
  }
};

std::string last_line(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last;
}

// The preamble every plot script runs first: the Agg backend, or exit 3 without matplotlib.
constexpr const char* plot_preamble = R"PY(import sys
try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    sys.exit(3)
)PY";

}  // namespace

std::string render_csv(const CsvTable& table) {
  check_width(table);
  std::string out;
  auto line = [&out](const std::vector<std::string>& fields) {
    for (std::size_t i = 0; i < fields.size(); ++i) out += (i ? "," : "") + csv_field(fields[i]);
    out += "\n";
  };
  line(table.columns);
  for (const auto& row : table.rows) line(row);
  return out;
}

void write_csv(const std::string& path, const CsvTable& table) { write_file_atomically(path, render_csv(table)); }

std::string markdown_table(const CsvTable& table) {
  check_width(table);
  auto cell = [](const std::string& f) {
    std::string s;
    for (char c : f) s += c == '|' ? std::string("\\|") : c == '\n' ? std::string(" ") : std::string(1, c);
    return s;
  };
  std::string out = "|";
  for (const std::string& c : table.columns) out += " " + cell(c) + " |";
  out += "\n|";
  for (std::size_t i = 0; i < table.columns.size(); ++i) out += " --- |";
  out += "\n";
  for (const auto& row : table.rows) {
    out += "|";
    for (const std::string& f : row) out += " " + cell(f) + " |";
    out += "\n";
  }
  return out;
}

void write_text(const std::string& path, std::string_view text) { write_file_atomically(path, text); }

std::string csv_number(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  return to_decimal_string(x);
}

std::string short_number(double x, int digits) {
  if (!std::isfinite(x)) return csv_number(x);
  std::ostringstream s;
  s.precision(digits);
  s << x;
  return s.str();
}

void ensure_directory(const std::string& path) {
  if (path.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) fail(ErrorKind::io, path + ": cannot create the directory: " + ec.message());
  if (!std::filesystem::is_directory(path, ec)) fail(ErrorKind::io, path + ": not a directory");
}

std::string path_in(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  return dir.back() == '/' ? dir + name : dir + "/" + name;
}

PlotResult run_plot_script(std::string_view script, const std::string& csv_path, const std::string& png_path,
                           const std::string& python_path) {
  if (access(python_path.c_str(), X_OK) != 0) return {false, "plot skipped: " + python_path + " not found"};
  const std::string tag = ".tmp-" + std::to_string(getpid());
  const std::string script_path = png_path + tag + ".py", tmp_png = png_path + tag + ".png",
                    log_path = png_path + tag + ".log";
  TempFiles temps{{script_path, tmp_png, log_path}};
  {
    std::ofstream s(script_path, std::ios::binary);
    s << plot_preamble << script;
    if (!s.flush()) return {false, "plot skipped: cannot write the temporary script " + script_path};
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, script_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<std::string> args{python_path, "-", csv_path, tmp_png};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, python_path.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return {false, "plot skipped: cannot run " + python_path + ": " + std::strerror(rc)};
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return {false, "plot skipped: waiting for python3 failed"};
  if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
    return {false, "plot skipped: matplotlib is not installed (Debian package python3-matplotlib)"};
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return {false, "plot skipped: the plot script failed: " + last_line(log_path)};
  if (std::rename(tmp_png.c_str(), png_path.c_str()) != 0)
    return {false, "plot skipped: cannot rename the plot to " + png_path + ": " + std::strerror(errno)};
  return {true, "wrote " + png_path};
}

}  // namespace mhla::experiments
