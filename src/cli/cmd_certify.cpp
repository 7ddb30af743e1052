// SPDX-License-Identifier: MIT
// mhla certify --dataset D [--domain S] [-o FILE] (with --domain the exit status is the domain verdict)
// The identifiability certificate of a dataset (interface.md, "Certificate file"; math.md,
// Identifiability and Witnesses). Exit 0 when every observed coordinate is identifiable, 1 when
// one is not (the certificate carries the witnesses either way).
#include <cstdio>
#include <memory>
#include <optional>
#include <sstream>
#include <vector>

#include "certificate_document.hpp"
#include "command.hpp"
#include "mhla/arith/scalar_text.hpp"
#include "mhla/cert/advice.hpp"
#include "mhla/cert/alternative_model.hpp"
#include "mhla/cert/certify.hpp"
#include "mhla/cert/lambda_min.hpp"
#include "mhla/io/dataset_file.hpp"
#include "mhla/io/files.hpp"
#include "mhla/io/json_output.hpp"
#include "mhla/io/memory_limit.hpp"
#include "mhla/io/model_file.hpp"

namespace mhla::cli {
namespace {

// --kernel-basis: deficient coordinates prove their rank by D - r kernel vectors (not the default
// row-space combinations). Set once by the command before certify_to_document.
bool& certify_kernel_basis_flag() {
  static bool flag = false;
  return flag;
}

struct CertifyCliOptions {
  bool kernel_basis = false;
  std::string dataset_path, output_path = "-";
  bool no_lambda_min = false;  // --no-lambda-min
  bool no_alternative_model = false;  // --no-alternative-model
  std::string domain_path;  // --domain: empty when not given
};

OrderedJson index_list(const std::vector<std::size_t>& v) {
  OrderedJson out = OrderedJson::array();
  for (std::size_t x : v) out.push_back(x);
  return out;
}

// A row (or domain point) as "same_as" another or as exact terms [[row, coefficient], ...]
// (proofs-notes Lemmas C7, C11). key names the described index ("row" or "point").
OrderedJson combination_json(const RowCombination& rc, const char* key) {
  OrderedJson j;
  j[key] = rc.row;
  if (rc.same_as) {
    j["same_as"] = *rc.same_as;
  } else {
    OrderedJson terms = OrderedJson::array();
    for (const auto& [row, coef] : rc.terms) terms.push_back(OrderedJson::array({row, exact_scalar_json(coef)}));
    j["terms"] = std::move(terms);
  }
  return j;
}

OrderedJson minor_json(const RankMinorWitness& m) {
  return OrderedJson{{"prime", std::to_string(m.prime)},
                     {"rows", index_list(m.rows)},
                     {"columns", index_list(m.columns)},
                     {"minor_mod_prime", std::to_string(m.minor_mod_prime)}};
}

// The proof of a deficient coordinate's rank (proofs-notes Lemma C6): the r x r minor for
// rank >= r, and what bounds it above: "rows" (r = rows), "kernel-vector" (r = D - 1, by the
// witness), "kernel-basis" (D - r exact kernel vectors, identity on distinct free columns), or
// "none" (then rank is only a lower bound and rank_upper_bound says what is known).
OrderedJson rank_witness_json(const CoordinateCertificate& c) {
  OrderedJson j;
  if (c.rank_minor)
    j["rank_minor"] = OrderedJson{{"prime", std::to_string(c.rank_minor->prime)},
                                  {"rows", index_list(c.rank_minor->rows)},
                                  {"columns", index_list(c.rank_minor->columns)},
                                  {"minor_mod_prime", std::to_string(c.rank_minor->minor_mod_prime)}};
  using U = CoordinateCertificate::RankUpper;
  j["upper_bound"] = c.rank_upper == U::row_count       ? "rows"
                     : c.rank_upper == U::kernel_vector ? "kernel-vector"
                     : c.rank_upper == U::kernel_basis  ? "kernel-basis"
                     : c.rank_upper == U::row_space     ? "row-space"
                                                        : "none";
  if (c.rank_upper == U::row_space) {
    OrderedJson dep = OrderedJson::array();
    for (const RowCombination& rc : c.row_space) dep.push_back(combination_json(rc, "row"));
    j["dependent_rows"] = std::move(dep);
  }
  if (c.rank_upper == U::kernel_basis) {
    OrderedJson basis = OrderedJson::array();
    for (const auto& v : c.kernel_basis) {
      OrderedJson e = OrderedJson::array();
      for (const Rational& x : v) e.push_back(exact_scalar_json(x));
      basis.push_back(std::move(e));
    }
    j["kernel_basis"] = std::move(basis);
  }
  return j;
}

// The advice object of a deficient coordinate (advice.hpp; interface.md "advice").
OrderedJson advice_json(const CoordinateAdvice& adv, std::size_t d) {
  auto vectors = [](const std::vector<std::vector<Rational>>& vs) {
    OrderedJson out = OrderedJson::array();
    for (const auto& v : vs) {
      OrderedJson e = OrderedJson::array();
      for (const Rational& x : v) e.push_back(exact_scalar_json(x));
      out.push_back(std::move(e));
    }
    return out;
  };
  OrderedJson j;
  j["cases"] = OrderedJson::array();
  for (const std::string& c : adv.cases) j["cases"].push_back(c);
  j["more_rows_at_least"] = adv.more_rows_at_least;
  j["more_such_samples_help"] = adv.more_such_samples_help;
  if (adv.subspace)
    j["token_subspace"] = OrderedJson{{"dimension", adv.subspace->dimension},
                                      {"basis", vectors(adv.subspace->basis)},
                                      {"missing_directions", vectors(adv.subspace->missing)},
                                      {"rank_bound", adv.subspace->rank_bound}};
  if (!adv.zero_features.empty()) {
    OrderedJson idx = OrderedJson::array(), names = OrderedJson::array();
    for (std::size_t i : adv.zero_features) idx.push_back(i), names.push_back(feature_name(i, d));
    j["features_never_occurring"] = std::move(idx);
    j["features_never_occurring_names"] = std::move(names);
  }
  j["text"] = adv.text;
  return j;
}

OrderedJson coordinate_json(const CoordinateCertificate& c) {
  OrderedJson j;
  j["a"] = c.a;
  if (!c.observed) {
    j["observed"] = false;
    return j;
  }
  j["rows"] = c.rows;
  j["rank"] = c.rank;
  if (c.rank_upper_bound) j["rank_upper_bound"] = *c.rank_upper_bound;
  j["identifiable"] = c.identifiable;
  if (c.minor) {
    OrderedJson rows = OrderedJson::array();
    for (std::size_t r : c.minor->rows) rows.push_back(r);
    j["witness"] = OrderedJson{{"type", "nonzero-minor"},
                               {"prime", std::to_string(c.minor->prime)},
                               {"rows", std::move(rows)},
                               {"minor_mod_prime", std::to_string(c.minor->minor_mod_prime)}};
  } else {
    OrderedJson v = OrderedJson::array();
    for (const Rational& x : c.kernel_vector) v.push_back(exact_scalar_json(x));
    j["witness"] = OrderedJson{{"type", "kernel-vector"}, {"vector", std::move(v)}};
    j["rank_witness"] = rank_witness_json(c);
  }
  if (c.distinguishing_input)
    j["distinguishing_input"] = OrderedJson{{"Z", exact_matrix_json(c.distinguishing_input->Z)},
                                            {"position", c.distinguishing_input->position}};
  if (c.single_token_rows && !c.identifiable) j["note"] = single_token_note;
  if (c.distinct_rows != 0) j["distinct_rows"] = c.distinct_rows;
  if (c.zero_features != 0) {
    j["zero_features"] = c.zero_features;
    OrderedJson pairs = OrderedJson::array();
    for (const auto& [a, b] : c.zero_gram_pairs) pairs.push_back(OrderedJson::array({a, b}));
    j["zero_gram_pairs"] = std::move(pairs);
  }
  return j;
}

std::string summary(const Certificate& cert, const std::vector<std::optional<CoordinateAdvice>>& advice,
                    const std::vector<LambdaMinEnclosure>& lambda) {
  std::size_t observed = 0, identifiable = 0;
  std::string primes;
  for (const CoordinateCertificate& c : cert.coordinates) {
    if (!c.observed) continue;
    ++observed;
    if (c.identifiable) {
      ++identifiable;
      if (c.minor && primes.find(std::to_string(c.minor->prime)) == std::string::npos)
        primes += (primes.empty() ? "" : ", ") + std::to_string(c.minor->prime);
    }
  }
  std::ostringstream s;
  if (observed == 0) return "identifiable (vacuously): no coordinate is observed";
  if (cert.identifiable) {
    s << "identifiable: " << identifiable << " of " << observed << " observed coordinates have rank "
      << cert.feature_dim << " = feature_dim (prime " << primes << ")";
    for (const CoordinateCertificate& c : cert.coordinates)
      if (c.observed && c.same_rows_as == c.a && c.a < lambda.size() && lambda[c.a].computed && lambda[c.a].tiny) {
        s << "; but a = " << c.a << ": lambda_min <= " << short_decimal(lambda[c.a].upper)
          << ", tiny: identifiable by a margin binary64 methods cannot see (Lemma A.7's bound is weak)";
        break;
      }
    return s.str();
  }
  s << "not identifiable: " << identifiable << " of " << observed << " observed coordinates have rank "
    << cert.feature_dim << " = feature_dim;";
  // One entry per group of coordinates observed on the same rows: "a = 0-3, 7: rank 5".
  for (const CoordinateCertificate& c : cert.coordinates) {
    if (!c.observed || c.identifiable || c.same_rows_as != c.a) continue;
    std::vector<std::size_t> group;
    for (const CoordinateCertificate& o : cert.coordinates)
      if (o.observed && o.same_rows_as == c.a) group.push_back(o.a);
    s << " a = ";
    for (std::size_t i = 0; i < group.size();) {
      std::size_t j = i;
      while (j + 1 < group.size() && group[j + 1] == group[j] + 1) ++j;
      s << (i ? ", " : "") << group[i];
      if (j > i) s << "-" << group[j];
      i = j + 1;
    }
    s << ": rank " << (c.rank_upper_bound ? ">= " : "") << c.rank << " of " << c.rows << " rows"
      << (c.single_token_rows ? " (single-token rows)" : "");
    if (c.distinct_rows != 0 && c.distinct_rows < c.rows) s << " (" << c.distinct_rows << " distinct)";
    if (c.zero_features != 0)
      s << ", " << c.zero_features << " of " << cert.feature_dim << " features zero on every row ("
        << c.zero_gram_pairs.size() << " Gram pairs G_jk = 0)";
    if (advice[c.a]) s << ": " << advice[c.a]->text;
    s << "; kernel vector " << kernel_vector_summary(c.kernel_vector, cert.d) << ";";
  }
  std::string out = s.str();
  out.pop_back();
  return out;
}

// The domain fields of an observed coordinate (proofs-notes/05-certificates.md, Lemma C4).
void add_domain_json(OrderedJson& j, const DomainCertificate& dc) {
  j["domain_rank"] = dc.domain_rank;
  j["identifiable_on_domain"] = dc.identifiable_on_domain;
  auto indices = [](const std::vector<std::size_t>& v) {
    OrderedJson out = OrderedJson::array();
    for (std::size_t x : v) out.push_back(x);
    return out;
  };
  auto vector = [](const std::vector<Rational>& v) {
    OrderedJson out = OrderedJson::array();
    for (const Rational& x : v) out.push_back(exact_scalar_json(x));
    return out;
  };
  if (dc.type == DomainWitnessType::full_rank) {
    j["domain_witness"] = OrderedJson{{"type", "full-rank"}};
  } else if (dc.type == DomainWitnessType::row_space) {
    OrderedJson basis = OrderedJson::array();
    for (const auto& v : dc.nullspace) basis.push_back(vector(v));
    j["domain_witness"] = OrderedJson{{"type", "row-space"},
                                      {"rank_minor", OrderedJson{{"prime", std::to_string(dc.rank_minor->prime)},
                                                                 {"rows", indices(dc.rank_minor->rows)},
                                                                 {"columns", indices(dc.rank_minor->columns)},
                                                                 {"minor_mod_prime", std::to_string(dc.rank_minor->minor_mod_prime)}}},
                                      {"nullspace", std::move(basis)}};
  } else if (dc.type == DomainWitnessType::row_combinations) {
    OrderedJson points = OrderedJson::array();
    for (const RowCombination& pc : dc.points) points.push_back(combination_json(pc, "point"));
    j["domain_witness"] = OrderedJson{{"type", "row-combinations"}, {"points", std::move(points)}};
  } else if (dc.type == DomainWitnessType::domain_row_outside) {
    j["domain_rank_exact"] = dc.domain_rank_exact;
    j["domain_witness"] = OrderedJson{{"type", "domain-row-outside"},
                                      {"sample", dc.sample},
                                      {"position", dc.position},
                                      {"minor", minor_json(*dc.outside_minor)}};
  } else {
    j["domain_witness"] = OrderedJson{{"type", "domain-input-outside"}, {"sample", dc.sample},
                                      {"position", dc.position},          {"vector_index", dc.vector_index},
                                      {"vector", vector(dc.vector)}};
  }
}

std::string domain_summary(const Certificate& cert, bool on_domain) {
  std::ostringstream s;
  s << "; on the domain: " << (on_domain ? "identifiable" : "not identifiable");
  for (const CoordinateCertificate& c : cert.coordinates)
    if (c.domain && !c.domain->identifiable_on_domain)
      s << " (a = " << c.a << ": domain_rank " << (c.domain->domain_rank_exact ? "" : ">= ") << c.domain->domain_rank
        << " > rank " << c.rank << ")";
  return s.str();
}

// A second minimiser for a non-identifiable dataset (issue 3 item 4; alternative_model.hpp): a
// model file object (interface.md) plus the exact losses of the base least-squares solution and
// of the alternative (equal), the head counts, and the two outputs at each distinguishing input.
// Beyond the exact reference path's sizes: {"omitted": reason} instead.
OrderedJson alternative_model_json(const Dataset& ds, const Certificate& cert) {
  AlternativeModelOptions options;
  options.check_memory = [](std::string_view what, double estimate, const std::string& detail) {
    check_memory_estimate(what, estimate, detail);
  };
  const std::optional<AlternativeModel> alt = alternative_model(ds, cert, options);
  if (!alt) return OrderedJson();
  OrderedJson m = model_json(alt->alternative);
  m["base"] = model_json(alt->base);
  m["head_count"] = alt->alternative.heads.size();
  m["base_head_count"] = alt->base.heads.size();
  m["base_loss"] = to_string(alt->base_loss);
  m["alternative_loss"] = to_string(alt->alternative_loss);
  OrderedJson differs = OrderedJson::array();
  for (const AlternativeDifference& diff : alt->differences)
    differs.push_back(OrderedJson{{"a", diff.a},
                                  {"position", diff.input.position},
                                  {"base_output", to_string(diff.base_output)},
                                  {"alternative_output", to_string(diff.alternative_output)}});
  m["differs_at"] = std::move(differs);
  return m;
}

// The informational margin lambda_min(Lambda_a) (Lemma C5): proven rational ends, decimal readings,
// the method, or {"skipped": reason}. It never affects a verdict or the exit status.
OrderedJson lambda_min_json(const LambdaMinEnclosure& e) {
  if (!e.computed) return OrderedJson{{"skipped", e.skipped_reason}};
  OrderedJson x = OrderedJson::array();
  for (const Integer& v : e.upper_vector) x.push_back(exact_scalar_json(Rational(v)));
  OrderedJson j{{"lower", to_string(e.lower)},
                {"upper", to_string(e.upper)},
                {"lower_decimal", short_decimal(e.lower)},
                {"upper_decimal", short_decimal(e.upper)},
                {"decimal_note", "3-digit readings of the exact ends, for reading only"},
                {"method", e.method},
                {"upper_vector", std::move(x)}};
  if (e.tiny)
    j["note"] = "lambda_min is tiny (upper end <= 1e-12 max_i Lambda_ii): identifiable, but by a margin binary64 "
                "methods cannot see, and the paper's Lemma A.7 bound is weak";
  return j;
}

}  // namespace

CertificateRun certify_to_document(const std::string& bytes, const Dataset& ds, const std::string* domain_bytes,
                                   const Dataset* domain, bool with_lambda_min, bool with_alternative_model) {
  const std::size_t D = feature_dim(ds.d);
  if (D == 0) fail(ErrorKind::resource_limit, "certify: d = " + std::to_string(ds.d) + " is too large");
  // The estimates of the chosen path are checked inside certify, before each allocation.
  CertifyOptions options;
  options.check_memory = [](std::string_view what, double estimate, const std::string& detail) {
    check_memory_estimate(what, estimate, detail);
  };
  options.domain = domain;
  options.kernel_basis = certify_kernel_basis_flag();
  Certificate cert = certify(ds, options);
  const bool on_domain = domain ? domain_verdict(cert) : true;
  // Advice per group of deficient coordinates with the same rows; the distinguishing input is
  // replaced by one built from the dataset's own samples when one is found (verified exactly).
  std::vector<std::optional<CoordinateAdvice>> advice(cert.coordinates.size());
  for (CoordinateCertificate& c : cert.coordinates) {
    if (!c.observed || c.identifiable) continue;
    const CoordinateCertificate& first = cert.coordinates[c.same_rows_as];
    if (c.same_rows_as != c.a && advice[first.a] && first.kernel_vector == c.kernel_vector) {
      advice[c.a] = advice[first.a];
      advice[c.a]->a = c.a;
      c.distinguishing_input = first.distinguishing_input;
      continue;
    }
    advice[c.a] = advise(ds, c);
    const std::vector<std::vector<Rational>> none;
    if (auto own = distinguishing_input_from_data(ds, c.a, c.kernel_vector,
                                                  advice[c.a]->subspace ? advice[c.a]->subspace->missing : none))
      c.distinguishing_input = std::move(own);
  }

  OrderedJson doc;
  doc["format"] = "mhla-certificate";
  doc["version"] = 1;
  doc["dataset_sha256"] = sha256_hex(bytes);
  if (domain) doc["domain_sha256"] = sha256_hex(*domain_bytes);
  doc["d"] = cert.d;
  doc["feature_dim"] = cert.feature_dim;
  doc["identifiable"] = cert.identifiable;
  if (domain) doc["identifiable_on_domain"] = on_domain;
  // lambda_min per observed coordinate, once per group of coordinates with the same rows.
  std::vector<OrderedJson> lambda_min(cert.coordinates.size());
  std::vector<LambdaMinEnclosure> enclosures(cert.coordinates.size());
  if (with_lambda_min)
    for (const CoordinateCertificate& c : cert.coordinates)
      if (c.observed) {
        if (c.same_rows_as != c.a) {
          enclosures[c.a] = enclosures[c.same_rows_as];
          lambda_min[c.a] = lambda_min[c.same_rows_as];
          continue;
        }
        LambdaMinOptions lambda_options;  // Lemma B4; Lemma C14 when the minor proves rank D
        if (c.minor) lambda_options.full_rank_rows = c.minor->rows;
        enclosures[c.a] = lambda_min_of_coordinate(ds, c.a, c.kernel_vector, lambda_options);
        lambda_min[c.a] = lambda_min_json(enclosures[c.a]);
      }
  OrderedJson coords = OrderedJson::array();
  for (const CoordinateCertificate& c : cert.coordinates) {
    OrderedJson cj = coordinate_json(c);
    if (advice[c.a]) cj["advice"] = advice_json(*advice[c.a], cert.d);
    if (with_lambda_min && c.observed) cj["lambda_min"] = lambda_min[c.a];
    if (c.domain) add_domain_json(cj, *c.domain);
    coords.push_back(std::move(cj));
  }
  doc["coordinates"] = std::move(coords);
  if (!cert.identifiable)
    doc["alternative_model"] = with_alternative_model ? alternative_model_json(ds, cert)
                                                      : OrderedJson{{"skipped", "--no-alternative-model"}};
  std::string line = summary(cert, advice, enclosures);
  return {std::move(cert), std::move(doc), on_domain, std::move(line)};
}

namespace {

int run_certify(const CertifyCliOptions& opts, const GlobalOptions& global) {
  certify_kernel_basis_flag() = opts.kernel_basis;
  const std::string bytes = read_file_bytes(opts.dataset_path);
  const Dataset ds = parse_dataset_text(bytes, input_display_name(opts.dataset_path));
  require_targets(ds, bytes, input_display_name(opts.dataset_path));  // the --domain file needs none
  std::optional<Dataset> domain;
  std::string domain_bytes;
  if (!opts.domain_path.empty()) {
    if (opts.domain_path == "-" && opts.dataset_path == "-")
      fail(ErrorKind::usage, "certify: --dataset and --domain cannot both be standard input");
    domain_bytes = read_file_bytes(opts.domain_path);
    domain = parse_dataset_text(domain_bytes, input_display_name(opts.domain_path));
    if (domain->d != ds.d)
      fail(ErrorKind::bad_input, input_display_name(opts.domain_path) + ": the domain has d = " +
                                     std::to_string(domain->d) + " but the dataset has d = " + std::to_string(ds.d));
  }
  const CertificateRun run = certify_to_document(bytes, ds, domain ? &domain_bytes : nullptr, domain ? &*domain : nullptr,
                                                 !opts.no_lambda_min, !opts.no_alternative_model);
  const Certificate& cert = run.cert;
  const bool on_domain = run.on_domain;
  const OrderedJson& doc = run.document;
  write_json_file(opts.output_path, doc);
  print_summary(global, "certify", run.summary + (domain ? domain_summary(cert, on_domain) : ""));
  if (domain) return on_domain ? 0 : 1;  // interface.md: --domain exits by identifiable_on_domain
  return cert.identifiable ? 0 : 1;
}

}  // namespace

Subcommand add_certify_command(CLI::App& app) {
  auto opts = std::make_shared<CertifyCliOptions>();
  CLI::App* sub = app.add_subcommand("certify", "Identifiability certificate of a dataset, with witnesses");
  sub->add_option("--dataset", opts->dataset_path, "Dataset file (- for standard input)")->required();
  sub->add_option("-o,--output", opts->output_path, "Output file, written atomically (default - = standard output)");
  sub->add_flag("--no-lambda-min", opts->no_lambda_min,
               "Omit the informational lambda_min(Lambda_a) enclosure (skipped anyway above feature_dim 600)");
  sub->add_flag("--no-alternative-model", opts->no_alternative_model,
                "Omit the informational alternative model of non-identifiable data (one modular least-squares solve)");
  sub->add_flag("--kernel-basis", opts->kernel_basis,
               "Prove a deficient coordinate's rank by D - r exact kernel vectors (D^2 size) instead of row-space combinations");
  sub->add_option("--domain", opts->domain_path,
                  "Domain file (a dataset file): certify identifiability on its inputs only; exit status by it");
  sub->footer(
      "Coordinate a is identifiable when rank(Phi_a) = feature_dim over the rationals. Witnesses: a\n"
      "nonzero-minor (D rows of Phi_a and a prime p with det(Phi_a[rows, :]) != 0 mod p), or an exact\n"
      "kernel vector v (Phi_a v = 0) with a distinguishing input (Z, b), <v, phi(Z, b)> != 0.\n"
      "Exit status: 0 identifiable, 1 not identifiable, 2 bad input.");
  return {sub, [opts](const GlobalOptions& global) { return run_certify(*opts, global); }};
}

}  // namespace mhla::cli
