// SPDX-License-Identifier: MIT
// Errors: one exception type with a closed set of kinds. Mathematical negatives (singular,
// unlucky prime, not identifiable) are ordinary return values and never go through here.
// The CLI maps a kind to its exit status (interface.md): usage, bad_input, resource_limit and
// io give 2; internal gives 3.
#pragma once
#include <stdexcept>
#include <string>

namespace mhla {

enum class ErrorKind {
  usage,           // the command line is wrong
  bad_input,       // a file is malformed or violates the contract (message names file and place)
  resource_limit,  // the requested size would not fit the memory limit (message has the estimate)
  io,              // a file cannot be read or written
  internal,        // a broken invariant inside mhla: a bug
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const noexcept { return kind_; }

 private:
  ErrorKind kind_;
};

[[noreturn]] inline void fail(ErrorKind kind, const std::string& message) { throw Error(kind, message); }

// Exit status of the CLI for an error of this kind (interface.md, "Exit status").
inline int exit_status(ErrorKind kind) noexcept { return kind == ErrorKind::internal ? 3 : 2; }

}  // namespace mhla
