// SPDX-License-Identifier: MIT
#include "mhla/io/model_file.hpp"

#include <limits>
#include <memory>

#include "mhla/features/features.hpp"
#include "mhla/io/files.hpp"
#include "mhla/io/json_scalars.hpp"
#include "mhla/io/memory_limit.hpp"

namespace mhla {

void check_dimension_fits(std::size_t d, const std::string& what) {
  if (feature_dim(d) == 0)
    fail(ErrorKind::resource_limit,
         what + ": d = " + std::to_string(d) + " is too large: the feature dimension d^2(d+1)/2 overflows 64 bits");
  const double dd = static_cast<double>(d);
  check_memory_estimate(what + ": one d x d matrix", dd * dd * estimated_bytes_per_rational, "d = " + std::to_string(d));
}

Model<Rational> parse_model_text(std::string_view text, const std::string& source_name) {
  const json::Value tree = json::parse_json(text, source_name);
  const json::Located root(tree, std::make_shared<const std::string>(source_name));
  check_format_header(root, model_format_name, model_format_version);
  const NumberSemantics semantics = number_semantics_of(root);
  Model<Rational> model;
  const json::Located d = root.member("d");
  model.d = d.as_size(1, std::numeric_limits<std::size_t>::max());
  check_dimension_fits(model.d, source_name + ": " + d.path());
  if (const auto causal = root.optional_member("causal")) model.causal = causal->as_bool();
  const json::Located heads = root.member("heads");
  const std::size_t count = heads.array_size();
  for (std::size_t h = 0; h < count; ++h) {
    const json::Located head = heads.element(h);
    head.expect_object();
    Matrix<Rational> V = read_matrix(head.member("V"), "V", model.d, model.d, semantics);
    Matrix<Rational> Q = read_matrix(head.member("Q"), "Q", model.d, model.d, semantics);
    model.heads.push_back({std::move(V), std::move(Q)});
  }
  return model;
}

Model<Rational> read_model(const std::string& path) {
  return parse_model_text(read_file_bytes(path), input_display_name(path));
}

OrderedJson model_json(const Model<Rational>& m) {
  OrderedJson doc;
  doc["format"] = model_format_name;
  doc["version"] = model_format_version;
  doc["d"] = m.d;
  doc["causal"] = m.causal;
  doc["heads"] = OrderedJson::array();
  for (const Head<Rational>& h : m.heads) {
    OrderedJson head;
    head["V"] = exact_matrix_json(h.V);
    head["Q"] = exact_matrix_json(h.Q);
    doc["heads"].push_back(std::move(head));
  }
  return doc;
}

}  // namespace mhla
