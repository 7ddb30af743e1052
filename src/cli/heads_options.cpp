// SPDX-License-Identifier: MIT
// --heads exact|fewest|svd and --precision BITS (heads_options.hpp).
#include "heads_options.hpp"

#include "mhla/arith/scalar_text.hpp"
#include "mhla/heads/balance_heads.hpp"
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

// An exact value that need not be dyadic: the exact string, and a short decimal beside it.
void exact_and_short(OrderedJson& j, const std::string& key, const Rational& q) {
  j[key] = exact_scalar_json(q);
  j[key + "_decimal"] = short_decimal(q);
}

// The exact heads rebuilt from the complete-pivoting factorisation of the even split (Lemma H8),
// then power-of-two balanced (H9); the weights stay exactly W (checked). Keeps `model` when the
// factorisation would be too costly or has another rank. Returns the step's description.
std::string condition_exact_heads(const Matrix<Rational>& W, bool causal, std::size_t even_split_rank, bool pivot,
                                  Model<Rational>& model) {
  const std::size_t d = W.rows();
  std::string done = "none";
  if (!pivot) {
  } else if (std::optional<RankFactorisation> f = pivoted_factorisation(even_split(W))) {
    if (f->rank == even_split_rank) {
      model = model_from_factorisation(*f, d, causal);  // weights = fold(U V^T) = fold(M) = W (H1(b), H8)
      done = "complete-pivoting factorisation of the even split (Lemma H8)";
    }
  }
  model = balance_head_scales(model);
  done = (done == "none" ? std::string("") : done + ", then ") + "power-of-two scale balancing per head (Lemma H9)";
  if (d <= 8 && !(weights(model) == W)) fail(ErrorKind::internal, "learn: the conditioned heads do not have weights W");
  return done;
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
  sub->add_option("--balance", opts.balance,
                  "Conditioning of exact heads (the same function exactly): scale (default: power-of-two scale\n"
                  "balancing per head), pivot (exact --heads only: complete-pivoting factorisation of the even split, then\n"
                  "scale; no cancelling heads, larger numbers) or none")
      ->check(CLI::IsMember({"scale", "pivot", "none"}));
}

void validate_heads_options(const HeadsCliOptions& opts) {
  if (opts.balance != "scale" && opts.balance != "pivot" && opts.balance != "none")
    fail(ErrorKind::usage, "--balance: expected scale, pivot or none");
  if (opts.balance == "pivot" && method_of(opts.method) != HeadsMethod::rank_factorisation)
    fail(ErrorKind::usage, "--balance pivot applies to --heads exact only");
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
      if (opts.balance != "none")
        j["conditioning"] = condition_exact_heads(W, causal, rec.even_split_rank, opts.balance == "pivot", rec.model);
      j["heads"] = rec.model.heads.size();
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
      if (opts.balance != "none") {
        rec.model = balance_head_scales(rec.model);
        if (W.rows() <= 8 && !(weights(rec.model) == W)) fail(ErrorKind::internal, "learn: the balanced heads do not have weights W");
        j["conditioning"] = "power-of-two scale balancing per head (Lemma H9)";
      }
      out.model_document = model_json(rec.model);
      break;
    case HeadsMethod::svd: {
      const SvdHeads& s = *rec.svd;
      j["method"] = "svd: orthogonal heads sqrt(s_h) u_h, sqrt(s_h) v_h from an MPFR SVD of the even split (Eigen JacobiSVD)";
      j["approximate"] = true;
      j["precision_bits"] = s.precision_bits;
      j["heads"] = rec.model.heads.size();
      j["even_split_rank"] = rec.even_split_rank;
      // The singular values are MPFR values (dyadic, exact decimals); the threshold and the errors
      // involve W, whose entries need not be dyadic: exact strings plus short decimals.
      exact_and_short(j, "singular_value_threshold", s.threshold);
      j["singular_values"] = decimal_list_json(s.singular_values);
      exact_and_short(j, "weight_error_max", s.weight_error);
      exact_and_short(j, "weight_error_bound", s.weight_error_bound);
      exact_and_short(j, "orthonormality_error_max", s.orthonormality_error);
      exact_and_short(j, "orthonormality_bound", s.orthonormality_bound);
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
