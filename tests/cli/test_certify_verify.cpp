// SPDX-License-Identifier: MIT
// End to end: every certificate `mhla certify` writes is accepted by the independent checker
// `mhla verify`, whatever the verdict, on integer, rational, single-token, causal and partially
// observed data, and under forced tiny (unlucky) primes. This ties the engine's witness
// construction (rational minors over L_s^3, kernel vectors, JSON) to the checker's re-derivation.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <random>
#include <string>

#include "cli/cli_harness.hpp"

namespace {

// A dataset file: `samples` inputs of d x n entries drawn from {-3..3} (over `den` when den > 1),
// targets at `positions` ("last" = one y per sample, "all" = every position), coordinates in
// `unobserved` left null. Targets are arbitrary: certification depends on the inputs only.
std::string dataset(std::mt19937_64& rng, int d, int n, int samples, bool causal, bool all_positions, int den,
                    int unobserved = -1) {
  auto entry = [&] {
    const long num = static_cast<long>(rng() % 7) - 3;
    return den > 1 ? "\"" + std::to_string(num) + "/" + std::to_string(1 + rng() % den) + "\"" : std::to_string(num);
  };
  auto target = [&] {
    std::string y = "[";
    for (int a = 0; a < d; ++a) y += std::string(a ? ", " : "") + (a == unobserved ? "null" : std::to_string(rng() % 5));
    return y + "]";
  };
  std::string s = R"({"format": "mhla-dataset", "version": 1, "d": )" + std::to_string(d) +
                  ", \"causal\": " + (causal ? "true" : "false") + ", \"samples\": [";
  for (int i = 0; i < samples; ++i) {
    std::string Z = "[";
    for (int r = 0; r < d; ++r) {
      Z += std::string(r ? ", " : "") + "[";
      for (int t = 0; t < n; ++t) Z += std::string(t ? ", " : "") + entry();
      Z += "]";
    }
    Z += "]";
    s += std::string(i ? ", " : "") + "{\"Z\": " + Z;
    if (all_positions) {
      s += ", \"targets\": [";
      for (int b = 0; b < n; ++b) s += std::string(b ? ", " : "") + "{\"position\": " + std::to_string(b) + ", \"y\": " + target() + "}";
      s += "]}";
    } else {
      s += ", \"y\": " + target() + "}";
    }
  }
  return s + "]}";
}

// certify then verify; returns certify's exit status after requiring a VALID certificate.
int certify_and_verify(const mhla_test::TempDir& dir, const std::string& data_path) {
  const std::string cert = dir.file("cert.json");
  const mhla_test::RunResult c = mhla_test::run_mhla({"-q", "certify", "--dataset", data_path, "-o", cert});
  INFO("certify stderr: " << c.err);
  REQUIRE((c.status == 0 || c.status == 1));
  const mhla_test::RunResult v = mhla_test::run_mhla({"-q", "verify", "--dataset", data_path, "--certificate", cert});
  INFO("verify stdout: " << v.out << " stderr: " << v.err);
  CHECK(v.status == 0);
  CHECK(v.out == "VALID\n");
  return c.status;
}

void run_cases(unsigned seed) {
  std::mt19937_64 rng(seed);
  const mhla_test::TempDir dir;
  // Enough generic two-token samples: identifiable.
  CHECK(certify_and_verify(dir, dir.write("int.json", dataset(rng, 3, 3, 45, false, false, 1))) == 0);
  CHECK(certify_and_verify(dir, dir.write("rat.json", dataset(rng, 2, 3, 20, false, false, 9))) == 0);
  CHECK(certify_and_verify(dir, dir.write("causal.json", dataset(rng, 2, 4, 10, true, true, 5))) == 0);
  // Coordinate 1 never observed; the others are.
  CHECK(certify_and_verify(dir, dir.write("partial.json", dataset(rng, 2, 3, 20, false, false, 1, 1))) == 0);
  // Single-token inputs (Lemma C3) and too few rows: not identifiable, with kernel vectors.
  CHECK(certify_and_verify(dir, dir.write("n1.json", dataset(rng, 3, 1, 40, false, false, 1))) == 1);
  CHECK(certify_and_verify(dir, dir.write("few.json", dataset(rng, 3, 3, 5, false, false, 3))) == 1);
  // The bundled demo data (the associative memory at embedding 4).
  CHECK(certify_and_verify(dir, MHLA_SOURCE_DIR "/data/demo/assoc-orthogonal.json") == 1);
  CHECK(certify_and_verify(dir, MHLA_SOURCE_DIR "/data/demo/assoc-random.json") == 0);
}

}  // namespace

TEST_CASE("every certificate mhla certify writes, mhla verify accepts", "[cli][certify][verify]") { run_cases(1); }

TEST_CASE("the same under forced tiny primes: unlucky primes change no verdict and no validity",
          "[cli][certify][verify][unlucky]") {
  ::setenv("MHLA_TEST_TINY_PRIMES", "1", 1);
  run_cases(1);
  ::unsetenv("MHLA_TEST_TINY_PRIMES");
}
