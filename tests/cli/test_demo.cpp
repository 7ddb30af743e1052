// SPDX-License-Identifier: MIT
// `mhla demo` runs from any directory on its bundled data and reports the checks it made.
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <string>
#include <sys/wait.h>

namespace {

struct Run {
  int status;
  std::string out;
};

Run run(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  std::array<char, 4096> buf{};
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) out.append(buf.data(), n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

}  // namespace

TEST_CASE("mhla demo runs on its bundled data from another directory", "[cli][demo]") {
  const Run r = run(std::string("cd / && '") + MHLA_BINARY + "' demo 2>/dev/null");
  CHECK(r.status == 0);
  CHECK(r.out.find("y = (23/26, 23/39)  equals the target exactly") != std::string::npos);
  CHECK(r.out.find("y = (21, 3)  equals the target exactly") != std::string::npos);
  CHECK(r.out.find("12 of 12 (sample, coordinate) pairs agree") != std::string::npos);
}
