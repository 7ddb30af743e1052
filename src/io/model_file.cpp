// SPDX-License-Identifier: MIT
#include "mhla/io/model_file.hpp"

#include <memory>

#include "mhla/io/files.hpp"
#include "mhla/io/json_scalars.hpp"
#include "mhla/io/npz.hpp"
#include "mhla/support/error.hpp"

namespace mhla {
namespace {

// interface.md: V and Q of shape (H, d, d) (V[h] is V_h: row a, column j), optional 0-d causal.
Model<Rational> model_from_npz(std::string_view bytes, const std::string& source) {
  const std::map<std::string, npz::Array> arrays = npz::read_npz(bytes, source);
  for (const auto& [name, a] : arrays)
    if (name != "V" && name != "Q" && name != "causal")
      fail(ErrorKind::bad_input, source + ": unknown array '" + name + "' (a model .npz has V, Q and optional causal)");
  const auto v = arrays.find("V"), q = arrays.find("Q");
  if (v == arrays.end() || q == arrays.end()) fail(ErrorKind::bad_input, source + ": a model .npz needs arrays V and Q of shape (H, d, d)");
  const std::vector<std::size_t>& vs = v->second.shape;
  if (vs.size() != 3 || vs[1] == 0 || vs[1] != vs[2])
    fail(ErrorKind::bad_input, source + ": V: expected shape (H, d, d) with d >= 1, got " + npz::shape_text(vs));
  if (q->second.shape != vs)
    fail(ErrorKind::bad_input, source + ": Q: expected the shape of V " + npz::shape_text(vs) + ", got " + npz::shape_text(q->second.shape));
  const std::size_t H = vs[0], d = vs[1];
  check_dimension_fits(d, source + ": V");
  Model<Rational> model{d, npz::read_causal_flag(arrays, source), {}};
  for (std::size_t h = 0; h < H; ++h) {
    Head<Rational> head{Matrix<Rational>(d, d), Matrix<Rational>(d, d)};
    for (std::size_t a = 0; a < d; ++a)
      for (std::size_t j = 0; j < d; ++j) {
        head.V(a, j) = v->second.values[(h * d + a) * d + j];
        head.Q(a, j) = q->second.values[(h * d + a) * d + j];
      }
    model.heads.push_back(std::move(head));
  }
  return model;
}

}  // namespace

Model<Rational> parse_model_text(std::string_view text, const std::string& source_name) {
  if (npz::has_zip_magic(text)) return model_from_npz(text, source_name);
  const json::Value tree = json::parse_json(text, source_name);
  const json::Located root(tree, std::make_shared<const std::string>(source_name));
  const ShapeHeader header = read_shape_header(root, model_format_name, model_format_version);
  const NumberSemantics semantics = header.semantics;
  Model<Rational> model{header.d, header.causal, {}};
  // Unknown keys are bad input; the informational objects mhla itself writes into model files
  // (learn's "learned", sgd's "trained", the SVD heads' labels, a certificate's alternative
  // model's extras) are ignored by name.
  root.expect_keys({"format", "version", "d", "causal", "number_semantics", "heads"},
                   {"description", "comment", "learned", "trained", "approximate", "precision_bits", "rounded_from", "output_bound",
                    "head_count", "base_head_count",
                    "base", "base_loss", "alternative_loss", "differs_at"});
  const json::Located heads = root.member("heads");
  const std::size_t count = heads.array_size();
  for (std::size_t h = 0; h < count; ++h) {
    const json::Located head = heads.element(h);
    head.expect_keys({"V", "Q"});
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
