// SPDX-License-Identifier: MIT
// The row-space proof of a deficient rank (Lemma C7), repeated rows (C9) and zero features
// (C10), end to end: certificates made by the real binary on the reproducers (repeated
// d = 16 samples, generate dfa traces), accepted by the checker, every mutation of a new field
// rejected; certify -> verify round trips with --domain on DFA traces (C11), also with tiny
// primes; peak memory of the d = 16 reproducer under 200 MB (getrusage of the children).
#include <catch2/catch.hpp>

#include <sys/resource.h>

#include <string>

#include "cli/cli_harness.hpp"
#include "mhla/checker/verify_certificate.hpp"
#include "mhla/io/json_output.hpp"

namespace {

using mhla::OrderedJson;
using mhla_test::TempDir;

std::string run_ok(const std::vector<std::string>& args, int status = 0) {
  const auto r = mhla_test::run_mhla(args);
  INFO(r.err);
  REQUIRE(r.status == status);
  return r.out;
}

// The first reproducer: 4 random samples at d, each listed twice.
std::string repeated_dataset(TempDir& dir, int d) {
  const std::string once = dir.file("once.json");
  run_ok({"--quiet", "generate", "random", "--d", std::to_string(d), "--tokens", "4", "--samples", "4", "--seed", "1",
          "-o", once});
  OrderedJson doc = OrderedJson::parse(mhla_test::slurp(once));
  OrderedJson samples = doc["samples"];
  for (const auto& s : doc["samples"]) samples.push_back(s);
  doc["samples"] = samples;
  return dir.write("twice.json", doc.dump());
}

}  // namespace

TEST_CASE("certify: repeated d = 16 samples in bounded memory; the row-space proof, mutations rejected",
          "[checker][rowspace]") {
  TempDir dir;
  const std::string data = repeated_dataset(dir, 16);
  // The rank proof alone (the informational alternative model, d^2 dense heads, is measured
  // in bench/certify): its size grows with D, not D^2.
  run_ok({"--quiet", "certify", "--dataset", data, "--no-lambda-min", "--no-alternative-model", "--memory-limit", "0.5", "-o",
          dir.file("c.json")}, 1);
#if !defined(__SANITIZE_ADDRESS__)
  rusage usage{};
  getrusage(RUSAGE_CHILDREN, &usage);
  CHECK(usage.ru_maxrss < 200 * 1024);  // KiB: the target, 200 MB
#endif
  const std::string text = mhla_test::slurp(dir.file("c.json"));
  const OrderedJson good = OrderedJson::parse(text);
  const OrderedJson& c0 = good["coordinates"][0];
  CHECK(c0["rank"] == 4);
  CHECK(c0["distinct_rows"] == 4);
  REQUIRE(c0["rank_witness"]["upper_bound"] == "row-space");
  REQUIRE(c0["rank_witness"]["dependent_rows"].size() == 4);
  for (const auto& e : c0["rank_witness"]["dependent_rows"]) CHECK(e.contains("same_as"));
  CHECK(text.size() < 400000);  // grows with D, not with D^2 (D = 2176)
  const std::string ds = mhla_test::slurp(data);
  auto check = [&](const OrderedJson& cert) {
    return mhla::checker::verify_certificate_text(ds, "twice.json", cert.dump(), "c.json");
  };
  {
    const auto v = check(good);
    INFO(v.reason);
    CHECK(v.valid);
  }
  auto rejected = [&](const std::string& what, auto mutate) {
    OrderedJson bad = good;
    for (auto& c : bad["coordinates"]) mutate(c);
    const auto result = check(bad);
    INFO(what << ": " << result.reason);
    CHECK_FALSE(result.valid);
  };
  rejected("same_as to another row", [](OrderedJson& c) { c["rank_witness"]["dependent_rows"][0]["same_as"] = 1; });
  rejected("same_as out of range", [](OrderedJson& c) { c["rank_witness"]["dependent_rows"][0]["same_as"] = 99; });
  rejected("a dependent row dropped", [](OrderedJson& c) { c["rank_witness"]["dependent_rows"].erase(0); });
  rejected("a dependent row listed twice", [](OrderedJson& c) {
    auto& dep = c["rank_witness"]["dependent_rows"];
    dep[1] = dep[0];
  });
  rejected("a minor row as dependent", [](OrderedJson& c) { c["rank_witness"]["dependent_rows"][0]["row"] = 0; });
  rejected("terms instead of same_as, wrong coefficient", [](OrderedJson& c) {
    auto& e = c["rank_witness"]["dependent_rows"][0];
    const std::size_t j = e["same_as"];
    e.erase("same_as");
    e["terms"] = OrderedJson::array({OrderedJson::array({j, "2"})});
  });
  rejected("rank lowered with the minor", [](OrderedJson& c) {
    c["rank"] = 3;
    c["rank_witness"]["rank_minor"]["rows"].erase(0);
    c["rank_witness"]["rank_minor"]["columns"].erase(0);
  });
  // A terms form that is right must be accepted: row 4 = 1 * row 0 (the repeat of sample 0).
  OrderedJson alt = good;
  for (auto& c : alt["coordinates"]) {
    auto& e = c["rank_witness"]["dependent_rows"][0];
    const std::size_t j = e["same_as"];
    e.erase("same_as");
    e["terms"] = OrderedJson::array({OrderedJson::array({j, "1"})});
  }
  CHECK(check(alt).valid);
}

TEST_CASE("certify --domain on generate dfa traces: certify -> verify, zero features, mutations rejected",
          "[checker][rowspace][dfa]") {
  TempDir dir;
  for (const char* L : {"1", "2"}) {
    const std::string dfa = dir.file("m.dfa.json"), domain = dir.file("domain.json");
    run_ok({"--quiet", "generate", "dfa", "--states", "2", "--alphabet", "2", "--length", L, "--samples", "all", "--seed",
            "7", "--dfa-out", dfa, "-o", domain});
    for (const char* N : {"1", "6"}) {
      const std::string train = dir.file(std::string("train") + L + N + ".json");
      run_ok({"--quiet", "generate", "dfa", "--dfa", dfa, "--length", L, "--samples", N, "--seed", "3", "-o", train});
      for (bool tiny : {false, true}) {
        if (tiny) ::setenv("MHLA_TEST_TINY_PRIMES", "1", 1);
        const auto r = mhla_test::run_mhla({"--quiet", "certify", "--dataset", train, "--domain", domain, "--no-lambda-min",
                                            "--memory-limit", "1", "-o", dir.file("c.json")});
        ::unsetenv("MHLA_TEST_TINY_PRIMES");
        INFO("L = " << L << ", N = " << N << ", tiny = " << tiny << ": " << r.err);
        REQUIRE((r.status == 0 || r.status == 1));
        const std::string cert_text = mhla_test::slurp(dir.file("c.json"));
        const OrderedJson cert = OrderedJson::parse(cert_text);
        CHECK(cert["identifiable"] == false);  // Lemma T3: one-hot traces never identify globally
        CHECK(cert["identifiable_on_domain"] == (r.status == 0));
        const OrderedJson& c0 = cert["coordinates"][0];
        CHECK(c0["zero_features"].get<std::size_t>() > 0);
        const auto v = mhla::checker::verify_certificate_text_with_domain(mhla_test::slurp(train), "t", cert_text, "c",
                                                                           mhla_test::slurp(domain), "d");
        INFO(v.reason);
        CHECK(v.valid);
        const auto vr = mhla_test::run_mhla({"verify", "--dataset", train, "--certificate", dir.file("c.json"), "--domain", domain});
        CHECK(vr.status == 0);
        if (tiny) continue;
        auto rejected = [&](const std::string& what, auto mutate) {
          OrderedJson bad = cert;
          for (auto& c : bad["coordinates"]) mutate(c);
          const auto result = mhla::checker::verify_certificate_text(mhla_test::slurp(train), "t", bad.dump(), "c");
          INFO(what << ": " << result.reason);
          CHECK_FALSE(result.valid);
        };
        rejected("zero_features + 1", [](OrderedJson& c) { c["zero_features"] = c["zero_features"].get<std::size_t>() + 1; });
        rejected("zero_features - 1", [](OrderedJson& c) { c["zero_features"] = c["zero_features"].get<std::size_t>() - 1; });
        rejected("a zero Gram pair dropped", [](OrderedJson& c) { c["zero_gram_pairs"].erase(0); });
        rejected("a zero Gram pair changed", [](OrderedJson& c) { c["zero_gram_pairs"][0] = OrderedJson::array({0, 0}); });
        bool has_terms = false;
        if (c0["rank_witness"]["upper_bound"] == "row-space")
          for (const auto& e : c0["rank_witness"]["dependent_rows"]) has_terms = has_terms || e.contains("terms");
        if (has_terms) {
          rejected("a dependent row's terms emptied", [](OrderedJson& c) {
            for (auto& e : c["rank_witness"]["dependent_rows"])
              if (e.contains("terms")) e["terms"] = OrderedJson::array();
          });
        }
      }
    }
  }
}
