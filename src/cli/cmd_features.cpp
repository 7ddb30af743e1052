// SPDX-License-Identifier: MIT
// mhla features --dataset D [--coordinate a] [-o FILE]
// The design matrix (math.md, "Data and empirical risk"): one row phi(Z, b) per target, in
// file order, columns in the canonical (j, k, l) order; with --coordinate a, Phi_a (only the
// targets whose y[a] is observed). An input-only sample contributes every position 0..n-1
// (as unobserved rows, so they appear without --coordinate only).
#include <memory>

#include "command.hpp"
#include "mhla/features/dataset.hpp"
#include "mhla/io/dataset_file.hpp"
#include "mhla/io/json_output.hpp"
#include "mhla/io/memory_limit.hpp"

namespace mhla::cli {
namespace {

struct FeaturesOptions {
  std::string dataset_path, output_path = "-";
  std::size_t coordinate = 0;
  bool has_coordinate = false;
};

// Gives every input-only sample one unobserved target per position; returns which samples
// were input-only (their rows get "target": null).
std::vector<bool> add_positions_of_input_only_samples(Dataset& ds) {
  std::vector<bool> input_only(ds.samples.size(), false);
  for (std::size_t s = 0; s < ds.samples.size(); ++s) {
    Sample& sample = ds.samples[s];
    if (!sample.targets.empty()) continue;
    input_only[s] = true;
    for (std::size_t b = 0; b < sample.Z.cols(); ++b)
      sample.targets.push_back(Target{b, std::vector<std::optional<Rational>>(ds.d)});
  }
  return input_only;
}

std::size_t count_rows(const Dataset& ds, std::optional<std::size_t> coordinate) {
  std::size_t rows = 0;
  for (const Sample& s : ds.samples)
    for (const Target& t : s.targets)
      if (!coordinate || t.y[*coordinate]) ++rows;
  return rows;
}

OrderedJson columns_json(std::size_t d) {
  OrderedJson columns = OrderedJson::array();
  for (const FeatureKey& key : feature_keys(d)) columns.push_back(OrderedJson::array({key.j, key.k, key.l}));
  return columns;
}

int run_features(const FeaturesOptions& opts, const GlobalOptions& global) {
  Dataset ds = read_dataset(opts.dataset_path);
  std::optional<std::size_t> coordinate;
  if (opts.has_coordinate) {
    if (opts.coordinate >= ds.d)
      fail(ErrorKind::usage, "--coordinate " + std::to_string(opts.coordinate) + " is out of range: the dataset has d = " +
                                 std::to_string(ds.d) + " (coordinates 0.." + std::to_string(ds.d - 1) + ")");
    coordinate = opts.coordinate;
  }
  const std::vector<bool> input_only = add_positions_of_input_only_samples(ds);
  const std::size_t D = feature_dim(ds.d), rows = count_rows(ds, coordinate);
  // Each entry is held as a Rational and again as its JSON text.
  check_memory_estimate("features: the design matrix",
                        static_cast<double>(rows) * static_cast<double>(D) * 2 * estimated_bytes_per_rational,
                        std::to_string(rows) + " rows x " + std::to_string(D) + " features");

  const DesignMatrix design = design_matrix(ds, coordinate);
  OrderedJson doc;
  doc["format"] = "mhla-features";
  doc["version"] = 1;
  doc["d"] = ds.d;
  doc["causal"] = ds.causal;
  if (coordinate) doc["coordinate"] = *coordinate;
  doc["feature_dim"] = D;
  doc["columns"] = columns_json(ds.d);
  OrderedJson out_rows = OrderedJson::array();
  for (std::size_t r = 0; r < design.rows.size(); ++r) {
    const DesignRow& row = design.rows[r];
    OrderedJson phi = OrderedJson::array();
    for (std::size_t i = 0; i < D; ++i) phi.push_back(exact_scalar_json(design.phi(r, i)));
    out_rows.push_back(OrderedJson{{"sample", row.sample},
                                   {"target", input_only[row.sample] ? OrderedJson(nullptr) : OrderedJson(row.target)},
                                   {"position", row.position},
                                   {"phi", std::move(phi)}});
  }
  doc["rows"] = std::move(out_rows);
  write_json_file(opts.output_path, doc);
  print_summary(global, "features",
                std::to_string(rows) + " rows x " + std::to_string(D) + " features (d = " + std::to_string(ds.d) +
                    (coordinate ? ", coordinate " + std::to_string(*coordinate) : std::string()) + ") written to " +
                    output_description(opts.output_path));
  return 0;
}

}  // namespace

Subcommand add_features_command(CLI::App& app) {
  auto opts = std::make_shared<FeaturesOptions>();
  CLI::App* sub = app.add_subcommand("features", "The design matrix Phi of a dataset (rows in dataset order)");
  sub->add_option("--dataset", opts->dataset_path, "Dataset file (- for standard input)")->required();
  CLI::Option* coordinate = sub->add_option("--coordinate", opts->coordinate,
                                            "Only the rows whose y[a] is observed (Phi_a), 0 <= a < d")
                                ->check(CLI::NonNegativeNumber);
  sub->add_option("-o,--output", opts->output_path, "Output file, written atomically (default - = standard output)");
  sub->footer(
      "Output: {\"format\": \"mhla-features\", \"version\": 1, \"d\", \"causal\", \"feature_dim\": D,\n"
      "\"columns\": [[j, k, l], ...] (canonical order), \"rows\": [{\"sample\", \"target\", \"position\", \"phi\"}]}.\n"
      "phi(Z, b)[(j,k,l)] = G[j][k] * Z[l][b] with G = Z Z^T (prefix Gram G_b when the dataset is causal),\n"
      "exact strings. Rows follow the file: samples in order, each sample's targets in order. A sample\n"
      "without targets (an input only) contributes every position 0..n-1, with \"target\": null; those rows\n"
      "have nothing observed, so --coordinate leaves them out.");
  return {sub, [opts, coordinate](const GlobalOptions& global) {
            FeaturesOptions o = *opts;
            o.has_coordinate = coordinate->count() > 0;
            return run_features(o, global);
          }};
}

}  // namespace mhla::cli
