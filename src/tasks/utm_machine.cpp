// SPDX-License-Identifier: MIT
// Turing machines of the class Delta(Q, S, n, T) and their runs (tasks/utm.hpp).
#include <limits>

#include "mhla/support/error.hpp"
#include "mhla/tasks/utm.hpp"

namespace mhla::tasks {

bool machine_count_fits(std::size_t Q, std::size_t S) {
  if (Q == 0 || S == 0) return false;
  long double c = 1;
  const long double base = 2.0L * static_cast<long double>(Q) * static_cast<long double>(S);
  for (std::size_t k = 0; k < Q * S; ++k) {
    c *= base;
    if (c > 1.8e19L) return false;
  }
  return true;
}

std::uint64_t machine_count(std::size_t Q, std::size_t S) {
  if (!machine_count_fits(Q, S)) fail(ErrorKind::usage, "the number of machines does not fit 64 bits");
  std::uint64_t c = 1;
  for (std::size_t k = 0; k < Q * S; ++k) c *= 2 * Q * S;
  return c;
}

namespace {

TmRule decode_rule(std::size_t S, std::size_t r) { return TmRule{r / 2 / S, (r / 2) % S, r % 2}; }

}  // namespace

Tm machine_by_index(std::size_t Q, std::size_t S, std::uint64_t index) {
  Tm tm{Q, S, std::vector<std::vector<TmRule>>(Q, std::vector<TmRule>(S))};
  const std::uint64_t base = 2 * Q * S;
  for (std::size_t q = 0; q < Q; ++q)
    for (std::size_t a = 0; a < S; ++a) {
      tm.delta[q][a] = decode_rule(S, static_cast<std::size_t>(index % base));
      index /= base;
    }
  return tm;
}

Tm random_tm(Rng& rng, std::size_t Q, std::size_t S) {
  Tm tm{Q, S, std::vector<std::vector<TmRule>>(Q, std::vector<TmRule>(S))};
  for (auto& row : tm.delta)
    for (TmRule& r : row) r = decode_rule(S, static_cast<std::size_t>(rng.below(2 * Q * S)));
  return tm;
}

std::vector<TmConfig> run_tm(const Tm& tm, const std::vector<std::size_t>& input, std::size_t T) {  // @proof T6
  if (input.empty()) fail(ErrorKind::usage, "run_tm: the input must have length n >= 1");
  TmConfig c{std::vector<std::size_t>(input.size() + T, 0), 0, 0};
  for (std::size_t i = 0; i < input.size(); ++i) {
    if (input[i] >= tm.alphabet) fail(ErrorKind::usage, "run_tm: input letter out of range");
    c.tape[i] = input[i];
  }
  std::vector<TmConfig> configs{c};
  for (std::size_t t = 0; t < T; ++t) {
    const TmRule& r = tm.delta.at(c.state).at(c.tape[c.head]);
    c.tape[c.head] = r.write;
    c.state = r.next;
    if (r.move == 1)
      ++c.head;  // head <= t + 1 <= T <= W - 1
    else if (c.head > 0)
      --c.head;
    configs.push_back(c);
  }
  return configs;
}

std::string utm_text_line(const Tm& tm, const std::vector<std::size_t>& input, std::size_t T) {
  auto q = [](std::size_t s) { return "q" + std::to_string(s); };
  auto l = [](std::size_t a) { return "a" + std::to_string(a); };
  std::string line;
  for (std::size_t s = 0; s < tm.states; ++s)
    for (std::size_t a = 0; a < tm.alphabet; ++a) {
      const TmRule& r = tm.delta[s][a];
      line += "( " + q(s) + " " + l(a) + " " + q(r.next) + " " + l(r.write) + (r.move ? " R" : " L") + " ) ";
    }
  line += "|";
  for (std::size_t a : input) line += " " + l(a);
  line += " |";
  bool first = true;
  for (const TmConfig& c : run_tm(tm, input, T)) {
    if (!first) line += " #";
    first = false;
    for (std::size_t i = 0; i < c.tape.size(); ++i) line += " " + (i == c.head ? "[" + q(c.state) + "]" : "") + l(c.tape[i]);
  }
  return line + "\n";
}

}  // namespace mhla::tasks
