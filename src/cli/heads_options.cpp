// SPDX-License-Identifier: MIT
// --heads exact|fewest|svd and --precision BITS (heads_options.hpp).
#include "heads_options.hpp"

#include "mhla/io/model_file.hpp"

namespace mhla::cli {
namespace {

HeadsMethod method_of(const std::string& name) {
  if (name == "exact") return HeadsMethod::rank_factorisation;
  if (name == "fewest") return HeadsMethod::fewest;
  if (name == "svd") return HeadsMethod::svd;
  fail(ErrorKind::usage, "--heads: expected exact, fewest or svd, got '" + name + "'");
}

OrderedJson decimal_matrix_json(const Matrix<Rational>& m) {
  return matrix_json(m, [](const Rational& x) { return exact_decimal_string(x); });
}

// The model file object with every entry written as its exact decimal expansion.
OrderedJson decimal_model_json(const Model<Rational>& model) {
  OrderedJson doc = shape_header_json(model_format_name, model_format_version, model.d, model.causal);
  OrderedJson heads = OrderedJson::array();
  for (const Head<Rational>& h : model.heads)
    heads.push_back(OrderedJson{{"V", decimal_matrix_json(h.V)}, {"Q", decimal_matrix_json(h.Q)}});
  doc["heads"] = std::move(heads);
  return doc;
}

OrderedJson decimal_list_json(const std::vector<Rational>& xs) {
  OrderedJson j = OrderedJson::array();
  for (const Rational& x : xs) j.push_back(exact_decimal_string(x));
  return j;
}

}  // namespace

void add_heads_options(CLI::App* sub, HeadsCliOptions& opts) {
  sub->add_option("--heads", opts.method,
                  "Head recovery: exact (even split + exact rank factorisation, rank(M) <= d^2 heads; default), "
                  "fewest (search the split space for fewer heads; exact), svd (orthogonal heads from an MPFR SVD; "
                  "approximate)")
      ->check(CLI::IsMember({"exact", "fewest", "svd"}));
  opts.precision_option =
      sub->add_option("--precision", opts.precision_bits, "MPFR precision in bits for --heads svd (16..65536; default 128)")
          ->check(CLI::Range(16u, 65536u));
}

void validate_heads_options(const HeadsCliOptions& opts) {
  if (method_of(opts.method) != HeadsMethod::svd && opts.precision_option && opts.precision_option->count() > 0)
    fail(ErrorKind::usage, "--precision applies to --heads svd only");
}

HeadsCliResult recover_heads_for_cli(const Matrix<Rational>& W, bool causal, const HeadsCliOptions& opts) {
  validate_heads_options(opts);
  const HeadsMethod method = method_of(opts.method);
  RecoveredHeads rec = recover_heads(W, causal, method, opts.precision_bits);
  HeadsCliResult out;
  out.approximate = rec.approximate();
  OrderedJson& j = out.description;
  switch (method) {
    case HeadsMethod::rank_factorisation:
      j["method"] = "exact: even split and exact rational rank factorisation (rank(M) heads)";
      j["heads"] = rec.model.heads.size();
      j["even_split_rank"] = rec.even_split_rank;
      j["approximate"] = false;
      out.model_document = model_json(rec.model);
      break;
    case HeadsMethod::fewest:
      j["method"] = "fewest: split-space search, exact (weights of the heads equal w over Q)";
      j["heads"] = rec.model.heads.size();
      j["even_split_rank"] = rec.even_split_rank;
      j["lower_bound"] = rec.fewest->lower_bound;
      j["minimal"] = rec.fewest->minimal();
      j["found_by"] = rec.fewest->found_by;
      j["approximate"] = false;
      out.model_document = model_json(rec.model);
      break;
    case HeadsMethod::svd: {
      const SvdHeads& s = *rec.svd;
      j["method"] = "svd: orthogonal heads sqrt(s_h) u_h, sqrt(s_h) v_h from an MPFR SVD of the even split (Eigen JacobiSVD)";
      j["approximate"] = true;
      j["precision_bits"] = s.precision_bits;
      j["heads"] = rec.model.heads.size();
      j["even_split_rank"] = rec.even_split_rank;
      j["singular_value_threshold"] = exact_decimal_string(s.threshold);
      j["singular_values"] = decimal_list_json(s.singular_values);
      j["weight_error_max"] = exact_decimal_string(s.weight_error);
      j["weight_error_bound"] = exact_decimal_string(s.weight_error_bound);
      j["orthonormality_error_max"] = exact_decimal_string(s.orthonormality_error);
      j["orthonormality_bound"] = exact_decimal_string(s.orthonormality_bound);
      out.model_document = decimal_model_json(rec.model);
      out.model_document["approximate"] = true;
      out.model_document["precision_bits"] = s.precision_bits;
      break;
    }
  }
  out.model = std::move(rec.model);
  return out;
}

}  // namespace mhla::cli
