// SPDX-License-Identifier: MIT
#include "mhla/io/json.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "mhla/arith/scalar_text.hpp"
#include "mhla/support/closest_name.hpp"
#include "mhla/support/error.hpp"

namespace mhla::json {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, the JSON number grammar (RFC 8259).
bool is_json_number(std::string_view t) {
  std::size_t i = 0;
  const auto digits = [&] {
    const std::size_t from = i;
    while (i < t.size() && is_digit(t[i])) ++i;
    return i - from;
  };
  if (i < t.size() && t[i] == '-') ++i;
  if (i < t.size() && t[i] == '0') {
    ++i;
  } else if (i >= t.size() || !is_digit(t[i]) || digits() == 0) {
    return false;
  }
  if (i < t.size() && t[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == t.size();
}

// The text with every number token (outside strings) of 3 or more bytes replaced by a stand-in
// of the same length ("0e000"), and the tokens' own texts in document order. Scanning stops at
// the first run of number characters that is not a JSON number: the document is malformed
// there and nlohmann reports it.
struct MaskedNumbers {
  std::string text;
  std::vector<std::string_view> numbers;
};

MaskedNumbers mask_numbers(std::string_view text) {
  MaskedNumbers out{std::string(text), {}};
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
      continue;
    }
    if (c != '-' && !is_digit(c)) continue;
    std::size_t j = i;
    while (j < text.size() && (is_digit(text[j]) || text[j] == '.' || text[j] == 'e' || text[j] == 'E' ||
                               text[j] == '+' || text[j] == '-'))
      ++j;
    const std::string_view token = text.substr(i, j - i);
    if (!is_json_number(token)) break;
    out.numbers.push_back(token);
    if (token.size() >= 3) {
      out.text[i] = '0';
      out.text[i + 1] = 'e';
      std::fill(out.text.begin() + static_cast<std::ptrdiff_t>(i + 2), out.text.begin() + static_cast<std::ptrdiff_t>(j), '0');
    }
    i = j - 1;
  }
  return out;
}

// "line:column" (1-based, column in bytes) of the byte at index at.
std::string line_and_column(std::string_view text, std::size_t at) {
  at = std::min(at, text.size());
  const auto begin = text.begin(), here = text.begin() + static_cast<std::ptrdiff_t>(at);
  const std::size_t line = 1 + static_cast<std::size_t>(std::count(begin, here, '\n'));
  const std::size_t line_start = at == 0 ? std::string_view::npos : text.rfind('\n', at - 1);
  const std::size_t column = line_start == std::string_view::npos ? at + 1 : at - line_start;
  return std::to_string(line) + ":" + std::to_string(column);
}

std::string path_step_key(std::string_view key) {
  const bool identifier = !key.empty() && !is_digit(key[0]) && std::all_of(key.begin(), key.end(), [](char c) {
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  });
  return identifier ? "." + std::string(key) : "[" + quote_for_message(key) + "]";
}

// Builds the Value tree from nlohmann's SAX events.
class TreeBuilder {
 public:
  TreeBuilder(const MaskedNumbers& masked, std::string_view original, const std::string& source)
      : masked_(masked), original_(original), source_(source) {}

  Value take_root() { return std::move(root_); }

  bool null() { return place(Value{}); }
  bool boolean(bool b) {
    Value v;
    v.kind = Value::Kind::boolean;
    v.boolean = b;
    return place(std::move(v));
  }
  bool number_integer(std::int64_t) { return number(); }
  bool number_unsigned(std::uint64_t) { return number(); }
  bool number_float(double, const std::string&) { return number(); }
  bool string(std::string& s) {
    Value v;
    v.kind = Value::Kind::string;
    v.text = std::move(s);
    return place(std::move(v));
  }
  bool binary(nlohmann::json::binary_t&) { fail(ErrorKind::internal, "parse_json: binary value in JSON text"); }
  bool start_object(std::size_t) { return open(Value::Kind::object); }
  bool start_array(std::size_t) { return open(Value::Kind::array); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(std::string& k) {
    if (!keys_.back().insert(k).second) fail(ErrorKind::bad_input, source_ + ": " + open_path() + ": duplicate key " + quote_for_message(k));
    pending_key_ = std::move(k);
    return true;
  }
  bool parse_error(std::size_t position, const std::string& last_token, const nlohmann::json::exception& ex) {
    // position counts the bytes read; the last of them is where the parser gave up.
    const std::size_t at = position == 0 ? 0 : position - 1;
    fail(ErrorKind::bad_input, source_ + ":" + line_and_column(original_, at) + ": " + describe(ex, position, last_token));
  }

 private:
  bool number() {
    Value v;
    v.kind = Value::Kind::number;
    // Past the end only in a document that is malformed further on; nlohmann then fails.
    v.text = next_number_ < masked_.numbers.size() ? std::string(masked_.numbers[next_number_]) : "0";
    ++next_number_;
    return place(std::move(v));
  }

  // Puts v where the parser is (root, next array element, or the member named by the last key).
  Value* place_value(Value v) {
    if (open_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    Value& parent = *open_.back();
    if (parent.kind == Value::Kind::array) {
      parent.elements.push_back(std::move(v));
      return &parent.elements.back();
    }
    parent.members.push_back(Member{std::move(pending_key_), std::move(v)});
    return &parent.members.back().value;
  }
  bool place(Value v) {
    place_value(std::move(v));
    return true;
  }
  bool open(Value::Kind kind) {
    if (open_.size() >= max_json_depth)
      fail(ErrorKind::bad_input, source_ + ": " + open_path() + ": JSON nesting deeper than " + std::to_string(max_json_depth) + " levels");
    Value v;
    v.kind = kind;
    open_.push_back(place_value(std::move(v)));
    keys_.emplace_back();
    return true;
  }
  bool close() {
    open_.pop_back();
    keys_.pop_back();
    return true;
  }

  // The JSON path of the innermost open container.
  std::string open_path() const {
    std::string path = "$";
    for (std::size_t level = 1; level < open_.size(); ++level) {
      const Value& parent = *open_[level - 1];
      if (parent.kind == Value::Kind::array) path += "[" + std::to_string(parent.elements.size() - 1) + "]";
      else path += path_step_key(parent.members.back().key);
    }
    return path;
  }

  // nlohmann's message without its "[json.exception...] parse error at ...: " prefix, and with a
  // stand-in in "last read: '...'" replaced by the file's own bytes.
  std::string describe(const nlohmann::json::exception& ex, std::size_t position, const std::string& last_token) const {
    std::string message = ex.what();
    if (const std::size_t p = message.find(": "); message.rfind("[json.exception", 0) == 0 && p != std::string::npos)
      message.erase(0, p + 2);
    const std::size_t end = std::min(position, original_.size());
    if (last_token.size() <= end) {
      const std::string_view own = original_.substr(end - last_token.size(), last_token.size());
      const std::string_view seen = std::string_view(masked_.text).substr(end - last_token.size(), last_token.size());
      if (seen == last_token && own != last_token) {
        const std::string needle = "last read: '" + last_token + "'";
        if (const std::size_t at = message.find(needle); at != std::string::npos)
          message.replace(at, needle.size(), "last read: '" + std::string(own) + "'");
      }
    }
    return message;
  }

  const MaskedNumbers& masked_;
  std::string_view original_;
  const std::string& source_;
  Value root_;
  std::vector<Value*> open_;               // the open containers, outermost first
  std::vector<std::set<std::string>> keys_;  // keys seen in each open container
  std::string pending_key_;
  std::size_t next_number_ = 0;
};

}  // namespace

const Value* Value::find(std::string_view key) const {
  for (const Member& m : members)
    if (m.key == key) return &m.value;
  return nullptr;
}

std::string describe_kind(Value::Kind kind) {
  switch (kind) {
    case Value::Kind::null: return "null";
    case Value::Kind::boolean: return "a boolean";
    case Value::Kind::number: return "a number";
    case Value::Kind::string: return "a string";
    case Value::Kind::array: return "an array";
    case Value::Kind::object: return "an object";
  }
  return "a value";
}

Value parse_json(std::string_view text, const std::string& source_name) {
  // nlohmann's lexer takes a NUL byte for the end of input, so "{...}\0garbage" would parse;
  // JSON text never contains a raw NUL (inside strings control bytes must be escaped).
  if (const std::size_t nul = text.find('\0'); nul != std::string_view::npos)
    fail(ErrorKind::bad_input, source_name + ":" + line_and_column(text, nul) + ": a NUL byte (JSON text has none)");
  const MaskedNumbers masked = mask_numbers(text);
  TreeBuilder builder(masked, text, source_name);
  nlohmann::json::sax_parse(masked.text, &builder);
  return builder.take_root();
}

struct Located::PathStep {
  std::shared_ptr<const PathStep> parent;
  std::string key;  // set when this step is a member
  std::size_t index = 0;
  bool is_member = false;
};

Located::Located(const Value& root, std::shared_ptr<const std::string> source_name)
    : value_(&root), source_(std::move(source_name)) {}

Located::Located(const Value& value, std::shared_ptr<const PathStep> step, std::shared_ptr<const std::string> source)
    : value_(&value), step_(std::move(step)), source_(std::move(source)) {}

std::string Located::path() const {
  std::vector<const PathStep*> steps;
  for (const PathStep* s = step_.get(); s; s = s->parent.get()) steps.push_back(s);
  std::string out = "$";
  for (auto it = steps.rbegin(); it != steps.rend(); ++it)
    out += (*it)->is_member ? path_step_key((*it)->key) : "[" + std::to_string((*it)->index) + "]";
  return out;
}

void Located::fail(const std::string& reason) const {
  mhla::fail(ErrorKind::bad_input, *source_ + ": " + path() + ": " + reason);
}

void Located::expect_object() const {
  if (kind() != Value::Kind::object) fail("expected an object, got " + describe_kind(kind()));
}

std::optional<Located> Located::optional_member(std::string_view key) const {
  expect_object();
  const Value* v = value_->find(key);
  if (!v) return std::nullopt;
  auto step = std::make_shared<PathStep>(PathStep{step_, std::string(key), 0, true});
  return Located(*v, std::move(step), source_);
}

Located Located::member(std::string_view key) const {
  std::optional<Located> m = optional_member(key);
  if (!m) fail("missing key " + quote_for_message(key));
  return *m;
}

void Located::expect_keys(std::initializer_list<std::string_view> known,
                          std::initializer_list<std::string_view> ignored) const {
  expect_object();
  for (const Member& m : value_->members) {
    const auto listed = [&](std::initializer_list<std::string_view> keys) {
      return std::find(keys.begin(), keys.end(), std::string_view(m.key)) != keys.end();
    };
    if (listed(known) || listed(ignored)) continue;
    std::string reason = "unknown key " + quote_for_message(m.key);
    const std::string closest = closest_name(m.key, known);
    if (!closest.empty()) reason += " (did you mean " + quote_for_message(closest) + "?)";
    std::string expected;
    for (std::string_view k : known) expected += (expected.empty() ? "" : ", ") + std::string(k);
    optional_member(m.key)->fail(reason + "; expected " + expected);
  }
}

Located Located::element(std::size_t i) const {
  if (kind() != Value::Kind::array || i >= value_->elements.size())
    mhla::fail(ErrorKind::internal, "Located::element: not an array or index out of range");
  auto step = std::make_shared<PathStep>(PathStep{step_, {}, i, false});
  return Located(value_->elements[i], std::move(step), source_);
}

std::size_t Located::array_size() const {
  if (kind() != Value::Kind::array) fail("expected an array, got " + describe_kind(kind()));
  return value_->elements.size();
}

const std::string& Located::as_string() const {
  if (kind() != Value::Kind::string) fail("expected a string, got " + describe_kind(kind()));
  return value_->text;
}

bool Located::as_bool() const {
  if (kind() != Value::Kind::boolean) fail("expected true or false, got " + describe_kind(kind()));
  return value_->boolean;
}

std::size_t Located::as_size(std::size_t min, std::size_t max) const {
  const std::string range = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  if (kind() != Value::Kind::number) fail("expected " + range + ", got " + describe_kind(kind()));
  const std::string& t = value_->text;
  const std::string got = t.size() <= 40 ? t : t.substr(0, 40) + "...";
  if (t.empty() || !std::all_of(t.begin(), t.end(), is_digit)) fail("expected " + range + ", got " + got);
  std::size_t v = 0;
  for (char c : t) {
    const std::size_t digit = static_cast<std::size_t>(c - '0');
    if (v > (std::numeric_limits<std::size_t>::max() - digit) / 10) fail("expected " + range + ", got " + got);
    v = v * 10 + digit;
  }
  if (v < min || v > max) fail("expected " + range + ", got " + got);
  return v;
}

}  // namespace mhla::json
