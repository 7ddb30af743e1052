// SPDX-License-Identifier: MIT
// What every `mhla experiment` writes (issue 5 item 6): a CSV table, a markdown summary and a
// PNG plot drawn by a small matplotlib script (Debian python3-matplotlib) that the experiment
// embeds as a string. Nothing here computes mathematics; it only renders and writes files.
//   - CSV: RFC 4180 (a field with a comma, quote or newline is quoted, quotes doubled), "\n"
//     line ends, header first. Written atomically (io/files.hpp).
//   - Markdown: text written atomically; markdown_table renders a CsvTable as a pipe table.
//   - Plot: /usr/bin/python3 reads the script on standard input with argv[1] = the CSV path and
//     argv[2] = a temporary PNG path in the target directory, renamed over the PNG path when
//     the script succeeds. A preamble run before the script imports matplotlib with the Agg
//     backend as `plt` and exits with status 3 when matplotlib is missing. A missing python3,
//     missing matplotlib or a failing script is reported (PlotResult), never an exception:
//     the CSV and summary stand on their own.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace mhla::experiments {

struct CsvTable {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;  // each row has columns.size() fields (checked on render)
};

// The CSV text (header line, then one line per row). Error(internal) on a row of the wrong width.
std::string render_csv(const CsvTable& table);
// render_csv, written atomically.
void write_csv(const std::string& path, const CsvTable& table);

// A markdown pipe table of the same rows ('|' in a field is escaped as "\|").
std::string markdown_table(const CsvTable& table);
// Any text (a markdown summary), written atomically.
void write_text(const std::string& path, std::string_view text);

// The shortest decimal that reads back as exactly x ("nan", "inf", "-inf" for non-finite values).
std::string csv_number(double x);

// x with `digits` significant digits, for summaries (a reading, not a value; non-finite as csv_number).
std::string short_number(double x, int digits = 3);

// Creates the directory (and its parents) when missing; Error(io) naming it when that fails or
// when the path exists and is not a directory.
void ensure_directory(const std::string& path);

// dir + "/" + name (dir "" gives name).
std::string path_in(const std::string& dir, const std::string& name);

struct PlotResult {
  bool produced = false;
  std::string message;  // "wrote <png>" or why the plot was skipped
};

// Runs the script as described above. python3 is looked up at python_path.
PlotResult run_plot_script(std::string_view script, const std::string& csv_path, const std::string& png_path,
                           const std::string& python_path = "/usr/bin/python3");

}  // namespace mhla::experiments
