// SPDX-License-Identifier: MIT
// The checker's domain claims (verify --domain, Lemma C4). Certificates are made by the real
// binary (`mhla certify --domain`, the engine); the checker must accept them and reject every
// mutation of a domain field (INVALID, exit 1); unreadable domain files and certificates made
// without --domain give exit 2.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

#include "cli/cli_harness.hpp"
#include "mhla/checker/verify_certificate.hpp"
#include "mhla/io/json_output.hpp"

namespace {

using mhla::OrderedJson;
using mhla_test::TempDir;

// A dataset file text: samples of one-hot tokens (tokens[t] is the symbol of token t, or -1
// for the non-one-hot token e_0 + e_1), targets at the last position, every coordinate observed.
std::string dataset_text(std::size_t d, const std::vector<std::vector<int>>& sequences, bool targets) {
  OrderedJson samples = OrderedJson::array();
  for (const auto& seq : sequences) {
    OrderedJson Z = OrderedJson::array();
    for (std::size_t r = 0; r < d; ++r) {
      OrderedJson row = OrderedJson::array();
      for (int t : seq) row.push_back((t == static_cast<int>(r) || (t < 0 && r < 2)) ? 1 : 0);
      Z.push_back(row);
    }
    OrderedJson s{{"Z", Z}};
    if (targets) {
      OrderedJson y = OrderedJson::array();
      for (std::size_t a = 0; a < d; ++a) y.push_back(static_cast<int>(a) + seq.back());
      s["y"] = y;
    }
    samples.push_back(s);
  }
  return OrderedJson{{"format", "mhla-dataset"}, {"version", 1}, {"d", d}, {"causal", false}, {"samples", samples}}.dump();
}

std::vector<std::vector<int>> all_pairs(int d) {
  std::vector<std::vector<int>> out;
  for (int i = 0; i < d; ++i)
    for (int j = 0; j < d; ++j) out.push_back({i, j});
  return out;
}

struct Fixture {
  TempDir dir;
  std::string train = dataset_text(3, all_pairs(3), true);
  std::string inside = dataset_text(3, {{2, 1, 0}, {1, 1}}, false);
  std::string outside = dataset_text(3, {{0, 1}, {2, -1}}, false);

  OrderedJson certificate(const std::string& domain, int expected_status) {
    const auto run = mhla_test::run_mhla({"--quiet", "certify", "--dataset", dir.write("train.json", train), "--domain",
                                          dir.write("domain.json", domain), "-o", dir.file("cert.json")});
    REQUIRE(run.status == expected_status);
    return OrderedJson::parse(mhla_test::slurp(dir.file("cert.json")));
  }
  mhla::checker::CheckResult check(const OrderedJson& cert, const std::string& domain) {
    return mhla::checker::verify_certificate_text_with_domain(train, "train.json", cert.dump(), "cert.json", domain,
                                                              "domain.json");
  }
};

}  // namespace

TEST_CASE("checker --domain: row-combinations certificates are accepted, mutations rejected", "[checker][domain]") {
  Fixture f;
  const OrderedJson good = f.certificate(f.inside, 0);
  REQUIRE(good["coordinates"][0]["domain_witness"]["type"] == "row-combinations");
  const auto valid = f.check(good, f.inside);
  INFO(valid.reason);
  CHECK(valid.valid);

  auto rejected = [&](const std::string& what, auto mutate) {
    OrderedJson bad = good;
    mutate(bad);
    const auto result = f.check(bad, f.inside);
    INFO(what << ": " << result.reason);
    CHECK_FALSE(result.valid);
    CHECK_FALSE(result.reason.empty());
  };
  const OrderedJson& pts = good["coordinates"][1]["domain_witness"]["points"];
  REQUIRE(pts.size() == 5);  // 3 + 2 positions
  std::size_t with_terms = 0;
  for (const auto& p : pts) with_terms += p.contains("terms") ? 1 : 0;
  REQUIRE(with_terms >= 1);
  auto first_terms = [](OrderedJson& c) -> OrderedJson& {
    for (auto& p : c["coordinates"][1]["domain_witness"]["points"])
      if (p.contains("terms")) return p["terms"];
    throw std::runtime_error("no terms");
  };
  rejected("a coefficient changed", [&](OrderedJson& c) {
    auto& x = first_terms(c)[0][1];
    x = x == "1" ? "2" : "1";
  });
  rejected("a term row changed", [&](OrderedJson& c) {
    auto& x = first_terms(c)[0][0];
    x = x.get<int>() == 0 ? 1 : 0;
  });
  rejected("a term row out of range", [&](OrderedJson& c) { first_terms(c)[0][0] = 99; });
  rejected("a term dropped", [&](OrderedJson& c) {
    auto& terms = first_terms(c);
    terms.erase(0);
    if (terms.empty()) terms.push_back(OrderedJson::array({0, "0"}));
  });
  rejected("a point entry dropped", [](OrderedJson& c) { c["coordinates"][1]["domain_witness"]["points"].erase(0); });
  rejected("a point renumbered", [](OrderedJson& c) { c["coordinates"][1]["domain_witness"]["points"][0]["point"] = 3; });
  rejected("same_as pointing forward", [](OrderedJson& c) {
    auto& p = c["coordinates"][1]["domain_witness"]["points"][0];
    p.erase("terms");
    p["same_as"] = 4;
  });
  rejected("domain_rank changed", [](OrderedJson& c) { c["coordinates"][2]["domain_rank"] = 10; });
  rejected("identifiable_on_domain flipped", [](OrderedJson& c) { c["coordinates"][0]["identifiable_on_domain"] = false; });
  rejected("top-level verdict flipped", [](OrderedJson& c) { c["identifiable_on_domain"] = false; });
  rejected("domain hash", [](OrderedJson& c) { c["domain_sha256"] = std::string(64, '0'); });
  rejected("full-rank claimed for a deficient coordinate",
           [](OrderedJson& c) { c["coordinates"][0]["domain_witness"] = OrderedJson{{"type", "full-rank"}}; });

  // The same certificate against another domain: the hash no longer matches.
  CHECK_FALSE(f.check(good, f.outside).valid);
}

TEST_CASE("checker --domain: outside witnesses are accepted, mutations rejected", "[checker][domain]") {
  Fixture f;
  const OrderedJson good = f.certificate(f.outside, 1);
  const OrderedJson& w = good["coordinates"][0]["domain_witness"];
  REQUIRE(w["type"] == "domain-row-outside");
  REQUIRE(w["sample"] == 1);  // sample 0 is one-hot, inside the row space
  const auto valid = f.check(good, f.outside);
  INFO(valid.reason);
  CHECK(valid.valid);

  auto rejected = [&](const std::string& what, auto mutate) {
    OrderedJson bad = good;
    mutate(bad);
    const auto result = f.check(bad, f.outside);
    INFO(what << ": " << result.reason);
    CHECK_FALSE(result.valid);
  };
  rejected("sample index changed to an inside sample", [](OrderedJson& c) { c["coordinates"][0]["domain_witness"]["sample"] = 0; });
  rejected("sample index out of range", [](OrderedJson& c) { c["coordinates"][0]["domain_witness"]["sample"] = 7; });
  rejected("position not in the domain", [](OrderedJson& c) { c["coordinates"][0]["domain_witness"]["position"] = 2; });
  rejected("minor value changed", [](OrderedJson& c) {
    auto& m = c["coordinates"][0]["domain_witness"]["minor"]["minor_mod_prime"];
    m = m == "1" ? "2" : "1";
  });
  rejected("minor prime composite", [](OrderedJson& c) { c["coordinates"][0]["domain_witness"]["minor"]["prime"] = "8388609"; });
  rejected("minor row dropped", [](OrderedJson& c) { c["coordinates"][0]["domain_witness"]["minor"]["rows"].erase(0); });
  rejected("minor column dropped", [](OrderedJson& c) { c["coordinates"][0]["domain_witness"]["minor"]["columns"].erase(0); });
  rejected("minor column repeated", [](OrderedJson& c) {
    auto& cols = c["coordinates"][0]["domain_witness"]["minor"]["columns"];
    cols[1] = cols[0];
  });
  rejected("the coordinate's rank lowered to a bound", [](OrderedJson& c) { c["coordinates"][0]["rank_upper_bound"] = 17; });
  rejected("identifiable_on_domain flipped", [](OrderedJson& c) { c["coordinates"][0]["identifiable_on_domain"] = true; });
  rejected("domain_rank = rank", [](OrderedJson& c) { c["coordinates"][0]["domain_rank"] = c["coordinates"][0]["rank"]; });
  rejected("top-level verdict flipped", [](OrderedJson& c) { c["identifiable_on_domain"] = true; });
}

TEST_CASE("verify --domain: exit statuses", "[checker][domain][cli]") {
  Fixture f;
  const OrderedJson good = f.certificate(f.inside, 0);
  const std::string ds = f.dir.write("train.json", f.train), cert = f.dir.write("c.json", good.dump());
  auto run = mhla_test::run_mhla({"verify", "--dataset", ds, "--certificate", cert, "--domain", f.dir.write("in.json", f.inside)});
  CHECK(run.status == 0);
  CHECK(run.out == "VALID\n");
  OrderedJson bad = good;
  bad["coordinates"][1]["domain_witness"]["points"].erase(0);
  run = mhla_test::run_mhla({"verify", "--dataset", ds, "--certificate", f.dir.write("bad.json", bad.dump()), "--domain",
                             f.dir.file("in.json")});
  CHECK(run.status == 1);
  CHECK(run.out.rfind("INVALID: ", 0) == 0);
  // Bad domain files: exit 2, one line on standard error, nothing on standard output.
  run = mhla_test::run_mhla({"verify", "--dataset", ds, "--certificate", cert, "--domain", f.dir.write("x.json", "{\"format\"")});
  CHECK(run.status == 2);
  CHECK(run.out.empty());
  CHECK(std::count(run.err.begin(), run.err.end(), '\n') == 1);
  run = mhla_test::run_mhla({"verify", "--dataset", ds, "--certificate", cert, "--domain", f.dir.file("missing.json")});
  CHECK(run.status == 2);
  // A certificate made without --domain makes no domain claims: malformed for verify --domain.
  OrderedJson plain = good;
  plain.erase("domain_sha256");
  run = mhla_test::run_mhla({"verify", "--dataset", ds, "--certificate", f.dir.write("plain.json", plain.dump()), "--domain",
                             f.dir.file("in.json")});
  CHECK(run.status == 2);
  // Without --domain the domain fields are ignored.
  run = mhla_test::run_mhla({"verify", "--dataset", ds, "--certificate", f.dir.write("bad.json", bad.dump())});
  CHECK(run.status == 0);
}
