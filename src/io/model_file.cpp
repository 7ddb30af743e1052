// SPDX-License-Identifier: MIT
#include "mhla/io/model_file.hpp"

#include <memory>

#include "mhla/io/files.hpp"
#include "mhla/io/json_scalars.hpp"

namespace mhla {

Model<Rational> parse_model_text(std::string_view text, const std::string& source_name) {
  const json::Value tree = json::parse_json(text, source_name);
  const json::Located root(tree, std::make_shared<const std::string>(source_name));
  const ShapeHeader header = read_shape_header(root, model_format_name, model_format_version);
  const NumberSemantics semantics = header.semantics;
  Model<Rational> model{header.d, header.causal, {}};
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
  OrderedJson doc = shape_header_json(model_format_name, model_format_version, m.d, m.causal);
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
