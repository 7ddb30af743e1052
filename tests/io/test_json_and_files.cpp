// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "mhla/io/dataset_file.hpp"
#include "mhla/io/files.hpp"
#include "mhla/io/json.hpp"
#include "mhla/io/memory_limit.hpp"
#include "mhla/io/model_file.hpp"
#include "mhla/support/error.hpp"

using mhla::Error;
using mhla::ErrorKind;
using mhla::Integer;
using mhla::Rational;

namespace {

// The message of the Error that f throws, after checking its kind.
template <class F>
std::string error_message(F&& f, ErrorKind kind = ErrorKind::bad_input) {
  try {
    f();
  } catch (const Error& e) {
    CHECK(static_cast<int>(e.kind()) == static_cast<int>(kind));
    return e.what();
  }
  FAIL("no Error thrown");
  return {};
}

std::string dataset_error(const std::string& samples, const std::string& extra = "") {
  const std::string text =
      R"({"format": "mhla-dataset", "version": 1, "d": 2, )" + extra + R"("samples": )" + samples + "}";
  return error_message([&] { mhla::parse_dataset_text(text, "data.json"); });
}

const std::string good_sample = R"({"Z": [[1, 2], [3, 4]]})";

}  // namespace

TEST_CASE("JSON numbers keep their text, whatever their size") {
  const std::string big(400, '9');
  const mhla::json::Value v = mhla::json::parse_json("[1, -2, 1e400, " + big + ", 0.5, \"1e400\", 12]", "x.json");
  REQUIRE(v.elements.size() == 7);
  CHECK(v.elements[0].text == "1");
  CHECK(v.elements[1].text == "-2");
  CHECK(v.elements[2].text == "1e400");
  CHECK(v.elements[3].text == big);
  CHECK(v.elements[4].text == "0.5");
  CHECK(v.elements[5].kind == mhla::json::Value::Kind::string);
  CHECK(v.elements[5].text == "1e400");
  CHECK(v.elements[6].text == "12");
}

TEST_CASE("malformed JSON is reported with the file and line:column") {
  CHECK(error_message([] { mhla::json::parse_json("{\"a\": [1,\n  2 3]}", "f.json"); }).rfind("f.json:2:5: ", 0) == 0);
  CHECK(error_message([] { mhla::json::parse_json("", "f.json"); }).rfind("f.json:1:1: ", 0) == 0);
  CHECK(error_message([] { mhla::json::parse_json("[NaN]", "f.json"); }).rfind("f.json:1:", 0) == 0);
  CHECK(error_message([] { mhla::json::parse_json("[01]", "f.json"); }).rfind("f.json:1:", 0) == 0);
  CHECK(error_message([] { mhla::json::parse_json("[1.]", "f.json"); }).rfind("f.json:1:", 0) == 0);
  CHECK(error_message([] { mhla::json::parse_json("[1] x", "f.json"); }).rfind("f.json:1:", 0) == 0);
  // A stand-in never leaks into a message: the file's own bytes are shown.
  const std::string m = error_message([] { mhla::json::parse_json("[123, 456x]", "f.json"); });
  CHECK(m.find("0e0") == std::string::npos);
}

TEST_CASE("duplicate keys and deep nesting are refused") {
  CHECK(error_message([] { mhla::json::parse_json(R"({"a": {"b": 1, "b": 2}})", "f.json"); }) ==
        "f.json: $.a: duplicate key \"b\"");
  CHECK(error_message([] { mhla::json::parse_json(R"({"s": [0, {"k": 1, "k": 1}]})", "f.json"); }) ==
        "f.json: $.s[1]: duplicate key \"k\"");
  const std::string deep = std::string(300, '[') + std::string(300, ']');
  CHECK(error_message([&] { mhla::json::parse_json(deep, "f.json"); }).find("nesting deeper than 256") != std::string::npos);
  CHECK_NOTHROW(mhla::json::parse_json(std::string(200, '[') + std::string(200, ']'), "f.json"));
}

TEST_CASE("dataset errors name the file and the JSON path") {
  const std::string ok = good_sample + ", " + good_sample + ", " + good_sample;
  CHECK(dataset_error("[" + ok + R"(, {"Z": [[1, 2, 3], [0, 1, "1/0"]]}])") ==
        "data.json: $.samples[3].Z[1][2]: zero denominator in \"1/0\"");
  CHECK(dataset_error(R"([{"Z": [[1, 2], [3]]}])") == "data.json: $.samples[0].Z[1]: row has 1 entries; row 0 has 2");
  CHECK(dataset_error(R"([{"Z": [[1], [2], [3]]}])") == "data.json: $.samples[0].Z: Z has 3 rows; expected d = 2");
  CHECK(dataset_error(R"([{"Z": [[], []]}])") == "data.json: $.samples[0].Z[0]: Z has no columns; at least one is required");
  CHECK(dataset_error(R"([{"Z": [[1], [2]], "y": [1, 2, 3]}])") == "data.json: $.samples[0].y: y has 3 entries; expected d = 2");
  CHECK(dataset_error(R"([{"Z": [[1], [2]], "targets": [{"position": 1, "y": [1, 2]}]}])") ==
        "data.json: $.samples[0].targets[0].position: expected an integer from 0 to 0, got 1");
  CHECK(dataset_error(R"([{"Z": [[1], [2]], "y": [1, 2], "targets": []}])") ==
        "data.json: $.samples[0]: both \"y\" and \"targets\" are given; use one");
  CHECK(dataset_error(R"([{"Z": [["NaN"], [2]]}])") == "data.json: $.samples[0].Z[0][0]: not a finite number: \"NaN\"");
  CHECK(dataset_error(R"([{"Z": [[true], [2]]}])") ==
        "data.json: $.samples[0].Z[0][0]: expected a number or a string holding an exact scalar, got a boolean");
  CHECK(dataset_error(R"([{"y": [1, 2]}])") == "data.json: $.samples[0]: missing key \"Z\"");
  CHECK(dataset_error(R"([{"z": [[1], [2]]}])") ==
        "data.json: $.samples[0].z: unknown key \"z\" (did you mean \"Z\"?); expected Z, y, targets");
  CHECK(dataset_error(R"([{"Z": [[1], [2]], "odd key": {"a": 1, "a": 2}}])") ==
        "data.json: $.samples[0][\"odd key\"]: duplicate key \"a\"");
  CHECK(dataset_error(R"([{"Z": [[1e400], [2]]}])", R"("number_semantics": "binary64", )") ==
        "data.json: $.samples[0].Z[0][0]: \"1e400\" overflows binary64");
  CHECK(dataset_error("[]", R"("number_semantics": "decimal", )") ==
        "data.json: $.number_semantics: unknown number semantics \"decimal\" (expected \"exact\" or \"binary64\")");
  CHECK(dataset_error("[]", R"("causal": 1, )") == "data.json: $.causal: expected true or false, got a number");
}

TEST_CASE("format, version and d are checked") {
  const auto parse = [](const std::string& text) {
    return error_message([&] { mhla::parse_dataset_text(text, "data.json"); });
  };
  CHECK(parse(R"({"format": "mhla-datasets", "version": 1, "d": 1, "samples": []})") ==
        "data.json: $.format: unknown format \"mhla-datasets\" (expected \"mhla-dataset\")");
  CHECK(parse(R"({"format": "mhla-dataset", "version": 2, "d": 1, "samples": []})") ==
        "data.json: $.version: unknown version 2 of mhla-dataset (this build reads version 1)");
  CHECK(parse(R"({"format": "mhla-dataset", "version": 1, "d": 0, "samples": []})").rfind("data.json: $.d: expected an integer from 1", 0) == 0);
  CHECK(parse(R"({"format": "mhla-dataset", "version": 1, "d": 1.5, "samples": []})").rfind("data.json: $.d: ", 0) == 0);
  CHECK(parse(R"([1])") == "data.json: $: expected an object, got an array");
  CHECK(parse(R"({"version": 1})") == "data.json: $: missing key \"format\"");
  const std::string huge_d = R"({"format": "mhla-dataset", "version": 1, "d": 100000000000, "samples": []})";
  CHECK(error_message([&] { mhla::parse_dataset_text(huge_d, "data.json"); }, ErrorKind::resource_limit)
            .find("overflows 64 bits") != std::string::npos);
  const std::string big_d = R"({"format": "mhla-dataset", "version": 1, "d": 100000, "samples": []})";
  const std::string m = error_message([&] { mhla::parse_dataset_text(big_d, "data.json"); }, ErrorKind::resource_limit);
  CHECK(m.rfind("data.json: $.d: one d x d matrix would need about 596 GiB (d = 100000); the memory limit is ", 0) == 0);
}

TEST_CASE("datasets read exactly, with y shorthand, targets, nulls, and the human-note keys ignored") {
  const std::string text = R"({"format": "mhla-dataset", "version": 1, "d": 2, "causal": true, "comment": "extra",
    "samples": [
      {"Z": [[1, 2, 3], [0, -1, "1/3"]], "y": [5, null]},
      {"Z": [[1, 0], [2, 1]], "targets": [{"position": 0, "y": [1, 2]}, {"position": 1, "y": [0.5, "1e-2"]}]},
      {"Z": [[0.1], [9007199254740993]]}
    ]})";
  const mhla::Dataset ds = mhla::parse_dataset_text(text, "data.json");
  CHECK(ds.d == 2);
  CHECK(ds.causal);
  REQUIRE(ds.samples.size() == 3);
  CHECK(ds.samples[0].Z(1, 2) == Rational(1, 3));
  REQUIRE(ds.samples[0].targets.size() == 1);
  CHECK(ds.samples[0].targets[0].position == 2);
  CHECK(ds.samples[0].targets[0].y[0] == Rational(5));
  CHECK_FALSE(ds.samples[0].targets[0].y[1]);
  REQUIRE(ds.samples[1].targets.size() == 2);
  CHECK(ds.samples[1].targets[1].y[0] == Rational(1, 2));
  CHECK(ds.samples[1].targets[1].y[1] == Rational(1, 100));
  CHECK(ds.samples[2].targets.empty());
  CHECK(ds.samples[2].Z(0, 0) == Rational(1, 10));
  CHECK(ds.samples[2].Z(1, 0) == Rational(Integer("9007199254740993")));

  // Under binary64 semantics every JSON number is rounded; strings stay exact.
  const std::string b64 = R"({"format": "mhla-dataset", "version": 1, "d": 1, "number_semantics": "binary64",
    "samples": [{"Z": [[0.1, "0.1", 9007199254740993, 3]]}]})";
  const mhla::Dataset f = mhla::parse_dataset_text(b64, "b.json");
  CHECK(f.samples[0].Z(0, 0) == Rational(Integer("3602879701896397"), Integer("36028797018963968")));
  CHECK(f.samples[0].Z(0, 1) == Rational(1, 10));
  CHECK(f.samples[0].Z(0, 2) == Rational(Integer("9007199254740992")));
  CHECK(f.samples[0].Z(0, 3) == Rational(3));
}

TEST_CASE("models and datasets survive a write and a read unchanged") {
  mhla::Model<Rational> m{2, true, {}};
  m.heads.push_back({mhla::Matrix<Rational>(2, 2, {Rational(1), Rational(-1, 2), Rational(0), Rational(Integer("123456789012345678901234567890"), Integer(7))}),
                     mhla::Matrix<Rational>(2, 2, {Rational(3), Rational(0), Rational(1, 3), Rational(-2)})});
  const mhla::Model<Rational> back = mhla::parse_model_text(mhla::render_json(mhla::model_json(m)), "m.json");
  CHECK(back.d == 2);
  CHECK(back.causal);
  REQUIRE(back.heads.size() == 1);
  CHECK(back.heads[0].V == m.heads[0].V);
  CHECK(back.heads[0].Q == m.heads[0].Q);

  const std::string text = R"({"format": "mhla-dataset", "version": 1, "d": 1,
    "samples": [{"Z": [[1, "2/3"]], "y": [null]}, {"Z": [[4, 5]], "targets": [{"position": 0, "y": [1]}]}, {"Z": [[7]]}]})";
  const mhla::Dataset ds = mhla::parse_dataset_text(text, "d.json");
  const mhla::Dataset again = mhla::parse_dataset_text(mhla::render_json(mhla::dataset_json(ds)), "d2.json");
  REQUIRE(again.samples.size() == 3);
  for (std::size_t s = 0; s < 3; ++s) {
    CHECK(again.samples[s].Z == ds.samples[s].Z);
    REQUIRE(again.samples[s].targets.size() == ds.samples[s].targets.size());
    for (std::size_t t = 0; t < ds.samples[s].targets.size(); ++t) {
      CHECK(again.samples[s].targets[t].position == ds.samples[s].targets[t].position);
      CHECK(again.samples[s].targets[t].y == ds.samples[s].targets[t].y);
    }
  }
  CHECK(mhla::render_json(mhla::model_json(mhla::Model<Rational>{1, false, {}})) ==
        "{\n  \"format\": \"mhla-model\",\n  \"version\": 1,\n  \"d\": 1,\n  \"causal\": false,\n  \"heads\": []\n}\n");
}

TEST_CASE("files: atomic writes, reads, SHA-256, and clear I/O errors") {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("mhla-io-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "out.json").string();
  mhla::write_file_atomically(path, "first");
  mhla::write_file_atomically(path, "abc");
  CHECK(mhla::read_file_bytes(path) == "abc");
  CHECK(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()) == 1);
  CHECK(mhla::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(mhla::sha256_file_hex(path) == mhla::sha256_hex("abc"));
  // A file this process has read as input is never replaced by an output.
  CHECK(error_message([&] { mhla::write_file_atomically(path, "x"); }, ErrorKind::usage).find("is also an input") !=
        std::string::npos);
  CHECK(mhla::read_file_bytes(path) == "abc");
  const std::string missing = (dir / "missing.json").string();
  CHECK(error_message([&] { mhla::read_file_bytes(missing); }, ErrorKind::io) == missing + ": cannot open: No such file or directory");
  CHECK(error_message([&] { mhla::write_file_atomically((dir / "no/such/dir.json").string(), "x"); }, ErrorKind::io)
            .find("cannot create a temporary file") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("memory estimates are refused with the estimate and the limit in the message") {
  const std::uint64_t saved = mhla::memory_limit_bytes();
  mhla::set_memory_limit_bytes(std::uint64_t{18} << 30);
  CHECK(error_message([] { mhla::check_memory_estimate("features: the design matrix", 3.2 * 1099511627776.0, "4 rows x 5 features"); },
                      ErrorKind::resource_limit) ==
        "features: the design matrix would need about 3.2 TiB (4 rows x 5 features); the memory limit is 18 GiB (--memory-limit)");
  CHECK_NOTHROW(mhla::check_memory_estimate("x", 1024, "small"));
  mhla::set_memory_limit_bytes(saved);
  CHECK(mhla::human_bytes(512) == "512 B");
  CHECK(mhla::human_bytes(1536) == "1.5 KiB");
}
