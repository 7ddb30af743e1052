// SPDX-License-Identifier: MIT
// Bytes in and out of files. A path "-" means standard input / standard output.
// Reading and writing failures throw Error(io) naming the file and the system's reason.
// Writes are atomic (interface.md): the bytes go to a temporary file in the same directory,
// which is flushed, fsync'ed and renamed over the target; a failed or interrupted write leaves
// the target as it was. Callers build the whole output in memory first, so a run that fails
// writes nothing.
#pragma once
#include <string>
#include <string_view>

namespace mhla {

// The name used for path in messages: "<stdin>" for "-", else the path itself.
std::string input_display_name(const std::string& path);

// All bytes of the file (or of standard input for "-").
std::string read_file_bytes(const std::string& path);

// Replaces the file's contents with bytes atomically, or writes them to standard output for "-".
// Refuses (nothing written) a path that names a file this process read as input
// (Error(usage)) or a regular file without write permission bits (Error(io)).
void write_file_atomically(const std::string& path, std::string_view bytes);

// Installs handlers for SIGINT, SIGTERM and SIGHUP that remove the temporary file of a write in
// progress and exit with status 128 + signal (130, 143, 129): an interrupted run leaves neither a
// partial output nor a temporary file. Called once by the CLI before any work.
void install_signal_cleanup();

// Makes a failed allocation inside GMP end the run with exit 2 and one line on standard error
// (and no temporary output left), instead of GMP's abort (exit 134). Called once by the CLI
// before any GMP number exists.
void install_allocation_failure_exit();

// Lower-case hex SHA-256 of bytes, and of a file's bytes (read in blocks, "-" not allowed).
std::string sha256_hex(std::string_view bytes);
std::string sha256_file_hex(const std::string& path);

}  // namespace mhla
