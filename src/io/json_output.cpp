// SPDX-License-Identifier: MIT
#include "mhla/io/json_output.hpp"

#include <algorithm>

#include "mhla/io/files.hpp"

namespace mhla {
namespace {

bool is_container(const OrderedJson& v) { return v.is_array() || v.is_object(); }

void render(const OrderedJson& v, std::size_t indent, std::string& out) {
  const std::string inner(indent + 2, ' ');
  if (v.is_object() && !v.empty()) {
    out += "{\n";
    bool first = true;
    for (const auto& [key, value] : v.items()) {
      if (!first) out += ",\n";
      first = false;
      out += inner + OrderedJson(key).dump() + ": ";
      render(value, indent + 2, out);
    }
    out += "\n" + std::string(indent, ' ') + "}";
  } else if (v.is_array() && !v.empty() && std::any_of(v.begin(), v.end(), is_container)) {
    out += "[\n";
    bool first = true;
    for (const OrderedJson& element : v) {
      if (!first) out += ",\n";
      first = false;
      out += inner;
      render(element, indent + 2, out);
    }
    out += "\n" + std::string(indent, ' ') + "]";
  } else {
    out += v.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::strict);
  }
}

}  // namespace

OrderedJson exact_scalar_json(const Rational& q) { return to_string(q); }

OrderedJson exact_matrix_json(const Matrix<Rational>& m) {
  return matrix_json(m, [](const Rational& q) { return exact_scalar_json(q); });
}

OrderedJson shape_header_json(const char* format, std::size_t version, std::size_t d, bool causal) {
  return OrderedJson{{"format", format}, {"version", version}, {"d", d}, {"causal", causal}};
}

std::string render_json(const OrderedJson& document) {
  std::string out;
  render(document, 0, out);
  out += "\n";
  return out;
}

void write_json_file(const std::string& path, const OrderedJson& document) {
  write_file_atomically(path, render_json(document));
}

}  // namespace mhla
