// SPDX-License-Identifier: MIT
// Unknown keys in a certificate are bad input (interface.md, "Keys in JSON files";
// checker/certificate_keys.hpp): for genuine certificates of `mhla certify` (a deficient
// dataset, an identifiable one, and --domain ones), a key inserted into ANY object of the
// document is refused with the key named (Error, exit 2 through the binary), a near miss names
// the known key, and the genuine certificates still verify. Also the mhla-outputs file read by
// `crosscheck --outputs`.
#include <catch2/catch.hpp>

#include <functional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "cli/cli_harness.hpp"
#include "mhla/checker/verify_certificate.hpp"
#include "mhla/io/dataset_file.hpp"
#include "mhla/io/json_output.hpp"
#include "mhla/support/error.hpp"

using namespace mhla;

namespace {

// d = 3 samples with n = 3 random small tokens, one full target at the last position; with
// `subspace`, every token has a zero last entry (rank deficient, with advice and an alternative model).
Dataset constructed(std::size_t N, bool subspace, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> small(-4, 4);
  Dataset ds{3, false, {}};
  for (std::size_t s = 0; s < N; ++s) {
    Sample smp{Matrix<Rational>(3, 3), {}};
    for (std::size_t t = 0; t < 3; ++t)
      for (std::size_t i = 0; i < 3; ++i) smp.Z(i, t) = (subspace && i == 2) ? 0 : small(rng);
    smp.targets.push_back(Target{2, {Rational(small(rng)), Rational(small(rng)), Rational(small(rng))}});
    ds.samples.push_back(std::move(smp));
  }
  return ds;
}

// The JSON pointers of every object in the document (the root included).
void object_pointers(const OrderedJson& j, const std::string& at, std::vector<std::string>& out) {
  if (j.is_object()) {
    out.push_back(at);
    for (const auto& [k, v] : j.items()) object_pointers(v, at + "/" + k, out);
  } else if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) object_pointers(j[i], at + "/" + std::to_string(i), out);
  }
}

// The message of the Error the check throws, or "" when it returns.
std::string error_of(const std::function<checker::CheckResult()>& check) {
  try {
    const checker::CheckResult r = check();
    return r.valid ? "" : "INVALID: " + r.reason;  // a verdict, not a refusal
  } catch (const Error& e) {
    return e.what();
  }
}

// Inserts "zz_unknown_key" at every object of cert; each must be refused naming it and the path.
// Returns the pointers visited.
std::set<std::string> every_level_refused(const OrderedJson& cert, const std::function<checker::CheckResult(const OrderedJson&)>& check) {
  std::vector<std::string> pointers;
  object_pointers(cert, "", pointers);
  std::set<std::string> seen;
  for (const std::string& p : pointers) {
    OrderedJson bad = cert;
    bad[OrderedJson::json_pointer(p)]["zz_unknown_key"] = 1;
    const std::string message = error_of([&] { return check(bad); });
    INFO("object " << (p.empty() ? "/" : p) << ": " << message);
    CHECK(message.find("unknown key \"zz_unknown_key\"") != std::string::npos);
    CHECK(message.find("cert.json") != std::string::npos);
    CHECK(message.find("did you mean") == std::string::npos);  // nothing close
    seen.insert(p);
  }
  return seen;
}

struct Case {
  std::string dataset;
  OrderedJson cert;
  checker::CheckResult check(const OrderedJson& c) const {
    return checker::verify_certificate_text(dataset, "ds.json", c.dump(), "cert.json");
  }
};

Case certified(const mhla_test::TempDir& dir, const std::string& name, const Dataset& ds) {
  const std::string text = render_json(dataset_json(ds));
  const mhla_test::RunResult r = mhla_test::run_mhla({"--quiet", "certify", "--dataset", dir.write(name, text)});
  REQUIRE((r.status == 0 || r.status == 1));
  return {text, OrderedJson::parse(r.out)};
}

bool has_prefix(const std::set<std::string>& seen, const std::string& prefix) {
  for (const std::string& p : seen)
    if (p.rfind(prefix, 0) == 0) return true;
  return false;
}

}  // namespace

TEST_CASE("checker: an unknown key at any level of a certificate is refused, naming it", "[checker][keys]") {
  mhla_test::TempDir dir;
  const Case deficient = certified(dir, "sub.json", constructed(40, true, 3));
  const Case full = certified(dir, "full.json", constructed(60, false, 4));
  REQUIRE(deficient.cert["identifiable"] == false);
  REQUIRE(full.cert["identifiable"] == true);
  CHECK(error_of([&] { return deficient.check(deficient.cert); }).empty());
  CHECK(error_of([&] { return full.check(full.cert); }).empty());

  const auto d_seen = every_level_refused(deficient.cert, [&](const OrderedJson& c) { return deficient.check(c); });
  for (const char* p : {"", "/coordinates/0", "/coordinates/0/witness", "/coordinates/0/rank_witness",
                        "/coordinates/0/rank_witness/rank_minor", "/coordinates/0/distinguishing_input",
                        "/coordinates/0/lambda_min", "/coordinates/0/advice", "/coordinates/0/advice/token_subspace",
                        "/alternative_model", "/alternative_model/base", "/alternative_model/heads/0",
                        "/alternative_model/base/heads/0", "/alternative_model/differs_at/0"}) {
    INFO(p);
    CHECK(d_seen.count(p) == 1);
  }
  const auto f_seen = every_level_refused(full.cert, [&](const OrderedJson& c) { return full.check(c); });
  CHECK(f_seen.count("/coordinates/0/witness") == 1);
  CHECK(f_seen.count("/coordinates/0/lambda_min") == 1);

  // Near misses name the known key (instead of "missing key").
  auto near_miss = [](const Case& c, const std::string& object, const std::string& key, const std::string& typo) {
    OrderedJson bad = c.cert;
    OrderedJson& o = bad[OrderedJson::json_pointer(object)];
    o[typo] = o[key];
    o.erase(key);
    const std::string message = error_of([&] { return c.check(bad); });
    INFO(message);
    CHECK(message.find("unknown key \"" + typo + "\" (did you mean \"" + key + "\"?)") != std::string::npos);
  };
  near_miss(full, "/coordinates/0/witness", "minor_mod_prime", "minor_mod_prim");
  near_miss(full, "", "identifiable", "Identifiable");
  near_miss(deficient, "/coordinates/0/witness", "vector", "vectr");
  near_miss(deficient, "/coordinates/0/rank_witness/rank_minor", "minor_mod_prime", "minor_mod_prim");
  near_miss(deficient, "/alternative_model", "differs_at", "differs-at");

  // Ignored by name at the top level: notes for people.
  OrderedJson noted = full.cert;
  noted["comment"] = "made for a test";
  noted["description"] = "a note";
  CHECK(error_of([&] { return full.check(noted); }).empty());

  // Through the binary: exit 2, one line on standard error naming the file and the key.
  OrderedJson bad = deficient.cert;
  bad["coordinates"][0]["advice"]["txt"] = "x";
  const mhla_test::RunResult r = mhla_test::run_mhla(
      {"verify", "--dataset", dir.file("sub.json"), "--certificate", dir.write("bad.json", bad.dump())});
  INFO(r.err);
  CHECK(r.status == 2);
  CHECK(r.out.empty());
  CHECK(r.err.find("bad.json") != std::string::npos);
  CHECK(r.err.find("$.coordinates[0].advice.txt: unknown key \"txt\" (did you mean \"text\"?)") != std::string::npos);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

TEST_CASE("checker --domain: an unknown key in the domain fields is refused", "[checker][keys][domain]") {
  mhla_test::TempDir dir;
  // One-hot pairs of 3 symbols (every coordinate observed); the domain: longer one-hot inputs
  // (inside the row space: row-combinations) or a non-one-hot token (outside).
  auto text = [](const std::vector<std::vector<int>>& seqs, bool targets) {
    OrderedJson samples = OrderedJson::array();
    for (const auto& seq : seqs) {
      OrderedJson Z = OrderedJson::array();
      for (int r = 0; r < 3; ++r) {
        OrderedJson row = OrderedJson::array();
        for (int t : seq) row.push_back((t == r || (t < 0 && r < 2)) ? 1 : 0);
        Z.push_back(row);
      }
      OrderedJson s{{"Z", Z}};
      if (targets) s["y"] = OrderedJson::array({seq.back(), 1 + seq.back(), 2 + seq.back()});
      samples.push_back(s);
    }
    return OrderedJson{{"format", "mhla-dataset"}, {"version", 1}, {"d", 3}, {"causal", false}, {"samples", samples}}.dump();
  };
  std::vector<std::vector<int>> pairs;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) pairs.push_back({i, j});
  const std::string train = text(pairs, true);
  for (const std::string& domain : {text({{2, 1, 0}, {1, 1}}, false), text({{0, 1}, {2, -1}}, false)}) {
    const mhla_test::RunResult run = mhla_test::run_mhla({"--quiet", "certify", "--dataset", dir.write("train.json", train),
                                                          "--domain", dir.write("domain.json", domain)});
    REQUIRE((run.status == 0 || run.status == 1));
    const OrderedJson cert = OrderedJson::parse(run.out);
    auto check = [&](const OrderedJson& c) {
      return checker::verify_certificate_text_with_domain(train, "train.json", c.dump(), "cert.json", domain, "domain.json");
    };
    CHECK(error_of([&] { return check(cert); }).empty());
    const auto seen = every_level_refused(cert, check);
    CHECK(seen.count("/coordinates/0/domain_witness") == 1);
    CHECK((has_prefix(seen, "/coordinates/0/domain_witness/points/") || seen.count("/coordinates/0/domain_witness/minor") == 1));
    // Without --domain the domain fields are known keys too (their claims are not checked).
    const std::string plain = error_of([&] { return checker::verify_certificate_text(train, "train.json", cert.dump(), "cert.json"); });
    CHECK(plain.empty());
  }
}

TEST_CASE("crosscheck --outputs: an unknown key in an mhla-outputs file is refused", "[checker][keys][crosscheck]") {
  mhla_test::TempDir dir;
  auto run = [](const std::vector<std::string>& args) { return mhla_test::run_mhla(args); };
  REQUIRE(run({"-q", "generate", "random", "--d", "2", "--heads", "1", "--tokens", "3", "--samples", "2", "--seed", "5",
               "--model-out", dir.file("m.json"), "-o", dir.file("data.json")})
              .status == 0);
  REQUIRE(run({"-q", "eval", "--model", dir.file("m.json"), "--input", dir.file("data.json"), "--arith", "binary64", "-o",
               dir.file("f.json")})
              .status == 0);
  const OrderedJson good = OrderedJson::parse(mhla_test::slurp(dir.file("f.json")));
  REQUIRE(good["outputs"][0].contains("error_bound"));  // eval's bounds are accepted (ignored by name)
  auto crosscheck = [&](const OrderedJson& outputs) {
    return run({"crosscheck", "--model", dir.file("m.json"), "--input", dir.file("data.json"), "--outputs",
                dir.write("o.json", outputs.dump())});
  };
  CHECK(crosscheck(good).status == 0);
  OrderedJson bad = good;
  bad["outputs"][1]["y"] = bad["outputs"][1]["Y"];
  bad["outputs"][1].erase("Y");
  const mhla_test::RunResult r = crosscheck(bad);
  INFO(r.err);
  CHECK(r.status == 2);
  CHECK(r.out.empty());
  CHECK(r.err.find("o.json") != std::string::npos);
  CHECK(r.err.find("$.outputs[1].y: unknown key \"y\" (did you mean \"Y\"?)") != std::string::npos);
  OrderedJson top = good;
  top["aritth"] = "binary64";
  const mhla_test::RunResult t = crosscheck(top);
  CHECK(t.status == 2);
  CHECK(t.err.find("unknown key \"aritth\" (did you mean \"arith\"?)") != std::string::npos);
}
