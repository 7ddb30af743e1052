// SPDX-License-Identifier: MIT
// The certificate's key schema (certificate_keys.hpp), derived from what `mhla certify` writes
// (cli/cmd_certify.cpp) and interface.md ("Certificate file").
#include "certificate_keys.hpp"

#include <optional>
#include <string_view>

namespace mhla::checker {
namespace {

using json::Located;
using Kind = json::Value::Kind;

// The member `key` of `at` when it is present and an object (else the reader judges it).
std::optional<Located> object_member(const Located& at, std::string_view key) {
  std::optional<Located> m = at.optional_member(key);
  if (m && m->kind() != Kind::object) return std::nullopt;
  return m;
}

// Calls visit on every object entry of the array member `key` of `at`.
template <class Visit>
void for_each_object_entry(const Located& at, std::string_view key, Visit visit) {
  const std::optional<Located> m = at.optional_member(key);
  if (!m || m->kind() != Kind::array) return;
  for (std::size_t i = 0; i < m->array_size(); ++i) {
    const Located e = m->element(i);
    if (e.kind() == Kind::object) visit(e);
  }
}

void check_minor(const std::optional<Located>& m) {
  if (m) m->expect_keys({"prime", "rows", "columns", "minor_mod_prime"});
}

void check_model(const Located& m) {
  for_each_object_entry(m, "heads", [](const Located& h) { h.expect_keys({"V", "Q"}); });
}

void check_coordinate(const Located& c) {
  c.expect_keys({"a", "observed", "rows", "rank", "rank_upper_bound", "identifiable", "witness", "rank_witness",
                 "distinguishing_input", "note", "distinct_rows", "zero_features", "zero_gram_pairs", "advice",
                 "lambda_min", "domain_rank", "identifiable_on_domain", "domain_rank_exact", "domain_witness"});
  if (auto w = object_member(c, "witness")) w->expect_keys({"type", "prime", "rows", "minor_mod_prime", "vector"});
  if (auto w = object_member(c, "rank_witness")) {
    w->expect_keys({"rank_minor", "upper_bound", "dependent_rows", "kernel_basis"});
    check_minor(object_member(*w, "rank_minor"));
    for_each_object_entry(*w, "dependent_rows", [](const Located& e) { e.expect_keys({"row", "same_as", "terms"}); });
  }
  if (auto di = object_member(c, "distinguishing_input")) di->expect_keys({"Z", "position"});
  if (auto lm = object_member(c, "lambda_min"))
    lm->expect_keys({"lower", "upper", "lower_decimal", "upper_decimal", "decimal_note", "method", "upper_vector", "note",
                     "skipped"});
  if (auto adv = object_member(c, "advice")) {
    adv->expect_keys({"cases", "more_rows_at_least", "more_such_samples_help", "token_subspace",
                      "features_never_occurring", "features_never_occurring_names", "text"});
    if (auto sub = object_member(*adv, "token_subspace"))
      sub->expect_keys({"dimension", "basis", "missing_directions", "rank_bound"});
  }
  if (auto w = object_member(c, "domain_witness")) {
    w->expect_keys({"type", "rank_minor", "nullspace", "points", "sample", "position", "vector_index", "vector", "minor"});
    check_minor(object_member(*w, "rank_minor"));
    check_minor(object_member(*w, "minor"));
    for_each_object_entry(*w, "points", [](const Located& e) { e.expect_keys({"point", "same_as", "terms"}); });
  }
}

}  // namespace

void check_certificate_keys(const Located& root) {
  if (root.kind() != Kind::object) return;
  root.expect_keys({"format", "version", "dataset_sha256", "domain_sha256", "d", "feature_dim", "identifiable",
                    "identifiable_on_domain", "coordinates", "alternative_model"},
                   {"description", "comment"});
  for_each_object_entry(root, "coordinates", check_coordinate);
  if (auto alt = object_member(root, "alternative_model")) {
    alt->expect_keys({"format", "version", "d", "causal", "number_semantics", "heads", "base", "head_count",
                      "base_head_count", "base_loss", "alternative_loss", "differs_at", "skipped"});
    check_model(*alt);
    if (auto base = object_member(*alt, "base")) {
      base->expect_keys({"format", "version", "d", "causal", "number_semantics", "heads"});
      check_model(*base);
    }
    for_each_object_entry(*alt, "differs_at", [](const Located& e) {
      e.expect_keys({"a", "position", "base_output", "alternative_output"});
    });
  }
}

}  // namespace mhla::checker
