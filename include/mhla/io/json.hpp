// SPDX-License-Identifier: MIT
// JSON input that keeps every number's text, so numbers stay exact (interface.md, "Numbers in
// JSON"), and error messages that name the file and the JSON path.
//
// parse_json reads a whole document into a small tree (json::Value). Structure, strings and
// UTF-8 are checked by nlohmann::json's SAX parser; number tokens are taken from the text
// itself, because nlohmann converts every non-64-bit number to double first and rejects any
// that overflows (1e400, a 400-digit integer) although such numbers are exact scalars here.
// Each number token is therefore replaced, for nlohmann only, by a same-length harmless
// stand-in, so byte offsets (and line:column in messages) stay those of the file.
// Also refused: nesting deeper than max_json_depth, and duplicate keys in an object.
//
// json::Located is a value together with its file name and JSON path ($.samples[3].Z[1][2]);
// its accessors throw Error(bad_input, "<file>: <path>: <reason>") on anything unexpected.
#pragma once
#include <cstddef>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mhla::json {

inline constexpr std::size_t max_json_depth = 256;

struct Member;

struct Value {
  enum class Kind { null, boolean, number, string, array, object };
  Kind kind = Kind::null;
  bool boolean = false;
  std::string text;              // number: its JSON text ("-1.5e3"); string: its decoded contents
  std::vector<Value> elements;   // array
  std::vector<Member> members;   // object, in file order, keys distinct

  // The member with this key, or nullptr. Precondition (unchecked): kind == object.
  const Value* find(std::string_view key) const;
};

struct Member {
  std::string key;
  Value value;
};

// "null", "a boolean", "a number", "a string", "an array" or "an object".
std::string describe_kind(Value::Kind kind);

// The document in text. source_name is used in messages ("data.json:3:14: syntax error ...").
// Throws Error(bad_input) on malformed JSON, too deep nesting or a duplicate key.
Value parse_json(std::string_view text, const std::string& source_name);

// A value with where it came from. Refers to the Value, which must outlive it; the path is
// shared, so Locateds may be chained and copied freely.
class Located {
 public:
  Located(const Value& root, std::shared_ptr<const std::string> source_name);

  const Value& value() const noexcept { return *value_; }
  Value::Kind kind() const noexcept { return value_->kind; }
  const std::string& source_name() const noexcept { return *source_; }
  std::string path() const;  // "$", "$.samples[3].Z", "$[\"odd key\"]"

  [[noreturn]] void fail(const std::string& reason) const;

  // Required member (missing: "missing key \"name\""); this must be an object.
  Located member(std::string_view key) const;
  // Optional member; nullopt when absent. This must be an object.
  std::optional<Located> optional_member(std::string_view key) const;
  // Unknown keys are bad input (interface.md): fails on the first member of this object whose
  // key is neither in `known` nor in `ignored` (keys a format deliberately ignores, e.g. the
  // informational "learned" of a model file), naming it and, when one is close (same letters
  // up to case, or at most two edits), the known key it resembles. This must be an object.
  void expect_keys(std::initializer_list<std::string_view> known,
                   std::initializer_list<std::string_view> ignored = {}) const;
  // Element i of an array. Precondition (checked, internal): i < size().
  Located element(std::size_t i) const;

  // The checked kinds; each fails with "expected <kind>, got <kind>".
  std::size_t array_size() const;  // this must be an array
  void expect_object() const;
  const std::string& as_string() const;
  bool as_bool() const;
  // A JSON number written as a plain integer (no fraction or exponent) in [min, max].
  std::size_t as_size(std::size_t min, std::size_t max) const;

 private:
  struct PathStep;  // one step from the root: a member key or an array index
  Located(const Value& value, std::shared_ptr<const PathStep> step, std::shared_ptr<const std::string> source);
  const Value* value_;
  std::shared_ptr<const PathStep> step_;  // nullptr at the root
  std::shared_ptr<const std::string> source_;
};

}  // namespace mhla::json
