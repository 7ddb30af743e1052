// SPDX-License-Identifier: MIT
#include "mhla/io/dataset_file.hpp"

#include <memory>

#include "mhla/io/files.hpp"
#include "mhla/io/json_scalars.hpp"
#include "mhla/io/npz.hpp"
#include "mhla/support/error.hpp"

namespace mhla {
namespace {

std::vector<std::optional<Rational>> read_target_values(const json::Located& y, std::size_t d, NumberSemantics semantics) {
  const std::size_t length = y.array_size();
  if (length != d) y.fail("y has " + std::to_string(length) + " entries; expected d = " + std::to_string(d));
  std::vector<std::optional<Rational>> values;
  values.reserve(d);
  for (std::size_t a = 0; a < d; ++a) values.push_back(read_optional_scalar(y.element(a), semantics));
  return values;
}

Sample read_sample(const json::Located& at, std::size_t d, NumberSemantics semantics) {
  at.expect_keys({"Z", "y", "targets"});
  Sample sample;
  sample.Z = read_matrix(at.member("Z"), "Z", d, std::nullopt, semantics);
  const std::size_t n = sample.Z.cols();
  const std::optional<json::Located> y = at.optional_member("y");
  const std::optional<json::Located> targets = at.optional_member("targets");
  if (y && targets) at.fail("both \"y\" and \"targets\" are given; use one");
  if (y) sample.targets.push_back(Target{n - 1, read_target_values(*y, d, semantics)});
  if (targets) {
    const std::size_t count = targets->array_size();
    for (std::size_t t = 0; t < count; ++t) {
      const json::Located target = targets->element(t);
      target.expect_keys({"position", "y"});
      const std::size_t position = target.member("position").as_size(0, n - 1);
      sample.targets.push_back(Target{position, read_target_values(target.member("y"), d, semantics)});
    }
  }
  return sample;
}

OrderedJson target_values_json(const std::vector<std::optional<Rational>>& y) {
  OrderedJson out = OrderedJson::array();
  for (const auto& v : y) out.push_back(v ? exact_scalar_json(*v) : OrderedJson(nullptr));
  return out;
}

// interface.md: Z of shape (N, n, d) (the file's Z[i] is n x d: token t is row t; ours is
// d x n), optional Y of shape (N, d) (last position) or (N, n, d) (every position), optional
// 0-d causal. Any other array is refused (a misspelt "y" must not silently drop the targets).
Dataset dataset_from_npz(std::string_view bytes, const std::string& source) {
  const std::map<std::string, npz::Array> arrays = npz::read_npz(bytes, source);
  for (const auto& [name, a] : arrays)
    if (name != "Z" && name != "Y" && name != "causal")
      fail(ErrorKind::bad_input, source + ": unknown array '" + name + "' (a dataset .npz has Z, optional Y and causal)");
  const auto z = arrays.find("Z");
  if (z == arrays.end()) fail(ErrorKind::bad_input, source + ": no array Z (shape (N, n, d))");
  const std::vector<std::size_t>& zs = z->second.shape;
  if (zs.size() != 3 || zs[1] == 0 || zs[2] == 0)
    fail(ErrorKind::bad_input, source + ": Z: expected shape (N, n, d) with n, d >= 1, got " + npz::shape_text(zs));
  const std::size_t N = zs[0], n = zs[1], d = zs[2];
  check_dimension_fits(d, source + ": Z");
  Dataset ds{d, npz::read_causal_flag(arrays, source), {}};
  const npz::Array* y = nullptr;
  if (const auto it = arrays.find("Y"); it != arrays.end()) {
    y = &it->second;
    const bool last = y->shape == std::vector<std::size_t>{N, d}, all = y->shape == std::vector<std::size_t>{N, n, d};
    // A Y that fits Z's axes swapped, (N, n) or (N, d, n), means Z was given as (N, d, n).
    const bool transposed = n != d && (y->shape == std::vector<std::size_t>{N, n} ||
                                       y->shape == std::vector<std::size_t>{N, d, n});
    if (!last && !all)
      fail(ErrorKind::bad_input, source + ": Y: expected shape (" + std::to_string(N) + ", " + std::to_string(d) + ") or (" +
                                     std::to_string(N) + ", " + std::to_string(n) + ", " + std::to_string(d) + "), got " +
                                     npz::shape_text(y->shape) +
                                     (transposed ? "; Y fits Z transposed: Z looks like (N, d, n) = " + npz::shape_text(zs) +
                                                       ", but a dataset .npz has Z (N, n, d) (token t = Z[i][t]); "
                                                       "pass np.swapaxes(Z, 1, 2)"
                                                 : std::string()));
  }
  ds.samples.reserve(N);
  for (std::size_t i = 0; i < N; ++i) {
    Sample s{Matrix<Rational>(d, n), {}};
    for (std::size_t t = 0; t < n; ++t)
      for (std::size_t k = 0; k < d; ++k) s.Z(k, t) = z->second.values[(i * n + t) * d + k];
    if (y && y->shape.size() == 2) {
      Target target{n - 1, {}};
      for (std::size_t a = 0; a < d; ++a) target.y.emplace_back(y->values[i * d + a]);
      s.targets.push_back(std::move(target));
    } else if (y) {
      for (std::size_t t = 0; t < n; ++t) {
        Target target{t, {}};
        for (std::size_t a = 0; a < d; ++a) target.y.emplace_back(y->values[(i * n + t) * d + a]);
        s.targets.push_back(std::move(target));
      }
    }
    ds.samples.push_back(std::move(s));
  }
  return ds;
}

}  // namespace

Dataset parse_dataset_text(std::string_view text, const std::string& source_name) {
  if (npz::has_zip_magic(text)) return dataset_from_npz(text, source_name);
  const json::Value tree = json::parse_json(text, source_name);
  const json::Located root(tree, std::make_shared<const std::string>(source_name));
  const ShapeHeader header = read_shape_header(root, dataset_format_name, dataset_format_version);
  const NumberSemantics semantics = header.semantics;
  Dataset ds{header.d, header.causal, {}};
  // Unknown keys are bad input: a misspelt "Y" or "Causal" must not be silently ignored.
  root.expect_keys({"format", "version", "d", "causal", "number_semantics", "samples"}, {"description", "comment", "generator"});
  const json::Located samples = root.member("samples");
  const std::size_t count = samples.array_size();
  ds.samples.reserve(count);
  for (std::size_t s = 0; s < count; ++s) ds.samples.push_back(read_sample(samples.element(s), ds.d, semantics));
  return ds;
}

Dataset read_dataset(const std::string& path) {
  return parse_dataset_text(read_file_bytes(path), input_display_name(path));
}

void require_targets(const Dataset& ds, std::string_view text, const std::string& source_name) {
  for (const Sample& s : ds.samples)
    if (!s.targets.empty()) return;
  if (ds.samples.empty()) return;  // an empty dataset is vacuous by its own shape, not by a slip
  if (npz::has_zip_magic(text)) {
    const std::size_t n = ds.samples[0].Z.cols();
    fail(ErrorKind::bad_input,
         source_name + ": no targets: the .npz has no array Y (forgotten? Y is (N, d) or (N, n, d)); its Z was read as (N, n, d) = (" +
             std::to_string(ds.samples.size()) + ", " + std::to_string(n) + ", " + std::to_string(ds.d) + "): d = " +
             std::to_string(ds.d) + " with " + std::to_string(n) +
             " tokens per input; if Z is (N, d, n), pass np.swapaxes(Z, 1, 2); a file of inputs only belongs to --domain");
  }
  fail(ErrorKind::bad_input, source_name + ": no targets: no sample has \"y\" or \"targets\" (forgotten?); a file of inputs "
                                           "only belongs to --domain");
}

OrderedJson dataset_json(const Dataset& ds) {
  OrderedJson doc = shape_header_json(dataset_format_name, dataset_format_version, ds.d, ds.causal);
  doc["samples"] = OrderedJson::array();
  for (const Sample& s : ds.samples) {
    OrderedJson sample;
    sample["Z"] = exact_matrix_json(s.Z);
    if (s.targets.size() == 1 && s.targets[0].position + 1 == s.Z.cols()) {
      sample["y"] = target_values_json(s.targets[0].y);
    } else if (!s.targets.empty()) {
      sample["targets"] = OrderedJson::array();
      for (const Target& t : s.targets)
        sample["targets"].push_back(OrderedJson{{"position", t.position}, {"y", target_values_json(t.y)}});
    }
    doc["samples"].push_back(std::move(sample));
  }
  return doc;
}

}  // namespace mhla
