// SPDX-License-Identifier: MIT
// NumPy .npy/.npz input (io/npz.hpp; interface.md "NumPy files"): exact float decoding,
// committed fixtures (stored and deflated entries, every dtype family, Fortran order), NumPy
// round trips against exact JSON written by Python's fractions (skipped with a WARN when
// /usr/bin/python3 + numpy is missing), and one-line exit-2 errors through the binary.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>
#include <string>

#include "cli/cli_harness.hpp"
#include "mhla/io/dataset_file.hpp"
#include "mhla/io/files.hpp"
#include "mhla/io/model_file.hpp"
#include "mhla/io/npz.hpp"
#include "mhla/support/error.hpp"

using namespace mhla;

namespace {

const std::string fixtures = std::string(MHLA_SOURCE_DIR) + "/tests/data/npz/";

Rational pow2(int e) { return e >= 0 ? Rational(Integer(1) << e) : Rational(Integer(1), Integer(1) << -e); }

std::uint64_t bits_of(double x) {
  std::uint64_t b;
  std::memcpy(&b, &x, 8);
  return b;
}

// A .npy file by hand: version 1.0 header, padded to a multiple of 64 bytes.
std::string npy(const std::string& descr, bool fortran, const std::string& shape, const std::string& data) {
  std::string header = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape + ", }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  return out + header + data;
}

bool python_numpy_available() { return std::system("/usr/bin/python3 -c 'import numpy' > /dev/null 2>&1") == 0; }

std::string one_line(const std::string& err) {
  REQUIRE(!err.empty());
  CHECK(err.find('\n') == err.size() - 1);
  return err;
}

}  // namespace

TEST_CASE("npz: binary16/32/64 bit patterns decode to the exact rationals, subnormals included", "[io][npz]") {
  using npz::exact_binary_float;
  CHECK(*exact_binary_float(0x3FF0000000000000ULL, 11, 52) == 1);
  CHECK(*exact_binary_float(0x0000000000000001ULL, 11, 52) == pow2(-1074));
  CHECK(*exact_binary_float(0x8000000000000000ULL, 11, 52) == 0);
  CHECK(*exact_binary_float(0x3C00, 5, 10) == 1);
  CHECK(*exact_binary_float(0x0001, 5, 10) == pow2(-24));
  CHECK(*exact_binary_float(0x7BFF, 5, 10) == 65504);
  CHECK(*exact_binary_float(0xC000, 5, 10) == -2);
  CHECK(*exact_binary_float(0x3F800000, 8, 23) == 1);
  CHECK(*exact_binary_float(0x00000001, 8, 23) == pow2(-149));
  CHECK_FALSE(exact_binary_float(0x7FF0000000000000ULL, 11, 52));  // +inf
  CHECK_FALSE(exact_binary_float(0x7FF8000000000000ULL, 11, 52));  // NaN
  CHECK_FALSE(exact_binary_float(0x7C00, 5, 10));
  CHECK_FALSE(exact_binary_float(0xFF800001, 8, 23));
  // Against GMP's exact double -> rational conversion, over many bit patterns.
  std::uint64_t s = 0x9E3779B97F4A7C15ULL;
  for (int i = 0; i < 2000; ++i) {
    s ^= s << 13, s ^= s >> 7, s ^= s << 17;
    double x;
    std::memcpy(&x, &s, 8);
    if (x != x || x - x != 0) continue;  // NaN / inf
    REQUIRE(*exact_binary_float(bits_of(x), 11, 52) == Rational(x));
    const std::uint32_t fb = static_cast<std::uint32_t>(s >> 32);
    float f;
    std::memcpy(&f, &fb, 4);
    if (f == f && f - f == 0) REQUIRE(*exact_binary_float(fb, 8, 23) == Rational(static_cast<double>(f)));
  }
}

TEST_CASE("npz: .npy headers, byte orders, Fortran order and integer dtypes", "[io][npz]") {
  // shape (2, 3) int16 little-endian, values 0..5 with sign flips: C order.
  std::string le;
  for (int v : {0, -1, 2, -3, 4, -32768}) le += std::string{static_cast<char>(v & 0xff), static_cast<char>((v >> 8) & 0xff)};
  const npz::Array a = npz::parse_npy(npy("<i2", false, "(2, 3)", le), "t");
  REQUIRE(a.shape == std::vector<std::size_t>{2, 3});
  CHECK(a.values == std::vector<Rational>{0, -1, 2, -3, 4, -32768});
  // The same values big-endian.
  std::string be;
  for (int v : {0, -1, 2, -3, 4, -32768}) be += std::string{static_cast<char>((v >> 8) & 0xff), static_cast<char>(v & 0xff)};
  CHECK(npz::parse_npy(npy(">i2", false, "(2, 3)", be), "t").values == a.values);
  // Fortran order: the data are column-major; values come back in C order.
  std::string f;
  for (int v : {0, -3, -1, 4, 2, -32768}) f += std::string{static_cast<char>(v & 0xff), static_cast<char>((v >> 8) & 0xff)};
  CHECK(npz::parse_npy(npy("<i2", true, "(2, 3)", f), "t").values == a.values);
  // uint64 and int64 extremes, bool, 0-d.
  std::string u(8, '\xff');
  CHECK(npz::parse_npy(npy("<u8", false, "(1,)", u), "t").values[0] == Rational(Integer("18446744073709551615")));
  CHECK(npz::parse_npy(npy("<i8", false, "(1,)", u), "t").values[0] == -1);
  CHECK(npz::parse_npy(npy("|b1", false, "()", std::string(1, '\x01')), "t").values == std::vector<Rational>{1});
  CHECK(npz::parse_npy(npy("<f8", false, "(0, 4)", ""), "t").values.empty());
}

TEST_CASE("npz: committed fixtures (stored float64, deflated float32/float16 with causal, Fortran int model)", "[io][npz]") {
  const Dataset a = read_dataset(fixtures + "dataset_f64.npz");
  REQUIRE(a.d == 2);
  REQUIRE(a.samples.size() == 2);
  CHECK_FALSE(a.causal);
  for (std::size_t i = 0; i < 2; ++i) {
    REQUIRE(a.samples[i].Z.rows() == 2);
    REQUIRE(a.samples[i].Z.cols() == 3);
    for (std::size_t t = 0; t < 3; ++t)
      for (std::size_t k = 0; k < 2; ++k)  // the file's Z[i, t, k] is our Z(k, t)
        CHECK(a.samples[i].Z(k, t) == Rational(static_cast<long>(6 * i + 2 * t + k), 4) - 1);
    REQUIRE(a.samples[i].targets.size() == 1);
    CHECK(a.samples[i].targets[0].position == 2);
  }
  CHECK(*a.samples[0].targets[0].y[0] == Rational(1, 2));
  CHECK(*a.samples[0].targets[0].y[1] == -2);
  CHECK(*a.samples[1].targets[0].y[0] == Rational(1e-3));  // the binary64 value nearest 0.001, exactly
  CHECK(*a.samples[1].targets[0].y[0] != Rational(1, 1000));

  const Dataset b = read_dataset(fixtures + "dataset_f32_all.npz");
  CHECK(b.causal);
  REQUIRE(b.samples.size() == 1);
  CHECK(b.samples[0].Z(0, 0) == Rational(13421773, 134217728));  // float32(0.1)
  CHECK(b.samples[0].Z(1, 0) == 1);
  CHECK(b.samples[0].Z(0, 1) == Rational(-5, 2));
  REQUIRE(b.samples[0].targets.size() == 2);  // every position
  CHECK(b.samples[0].targets[1].position == 1);
  CHECK(*b.samples[0].targets[0].y[0] == Rational(819, 8192));  // float16(0.1)
  CHECK(*b.samples[0].targets[0].y[1] == 65504);
  CHECK(*b.samples[0].targets[1].y[0] == pow2(-24));  // float16 subnormal
  CHECK(*b.samples[0].targets[1].y[1] == -1);

  const Model<Rational> m = read_model(fixtures + "model_int.npz");
  REQUIRE(m.d == 2);
  REQUIRE(m.heads.size() == 2);
  CHECK(m.heads[0].V(1, 0) == 3);
  CHECK(m.heads[1].V(1, 1) == 5);
  CHECK(m.heads[1].Q(0, 1) == -3);  // stored in Fortran order
  CHECK(m.heads[1].Q(1, 0) == 4);
  CHECK(m.heads[1].Q(1, 1) == -128);
}

TEST_CASE("npz: bad archives are refused with one line naming the file and place (exit 2)", "[io][npz]") {
  mhla_test::TempDir dir;
  const std::string good = read_file_bytes(fixtures + "dataset_f64.npz");
  auto features = [&](const std::string& name, const std::string& bytes) {
    const std::string path = dir.write(name, bytes);
    return mhla_test::run_mhla({"features", "--dataset", path});
  };
  // Truncations anywhere (inside the data, the central directory, the end record).
  for (std::size_t cut : {std::size_t(40), good.size() / 2, good.size() - 30, good.size() - 5}) {
    const auto r = features("cut.npz", good.substr(0, cut));
    CHECK(r.status == 2);
    CHECK(one_line(r.err).find("cut.npz") != std::string::npos);
    CHECK(r.out.empty());
  }
  // A flipped data byte: the CRC-32 catches it.
  std::string flipped = good;
  const std::size_t data = flipped.find("\x93NUMPY") + 200;
  flipped[data] = static_cast<char>(flipped[data] ^ 0x40);
  const auto crc = features("crc.npz", flipped);
  CHECK(crc.status == 2);
  CHECK(one_line(crc.err).find("CRC") != std::string::npos);
  // The model reader refuses a dataset archive (no V, Q) and vice versa.
  const auto as_model = mhla_test::run_mhla({"eval", "--model", fixtures + "dataset_f64.npz", "--input", fixtures + "dataset_f64.npz"});
  CHECK(as_model.status == 2);
  CHECK(one_line(as_model.err).find("a model .npz has V, Q") != std::string::npos);
  CHECK_THROWS_AS(parse_dataset_text(read_file_bytes(fixtures + "model_int.npz"), "m.npz"), Error);
}

TEST_CASE("npz: numpy-written arrays of every dtype read exactly as Python's fractions say", "[io][npz][python]") {
  if (!python_numpy_available()) {
    WARN("skipped: /usr/bin/python3 with numpy is not available");
    return;
  }
  mhla_test::TempDir dir;
  const std::string script = R"PY(
import sys, json, fractions, numpy as np
out = sys.argv[1]
rng = np.random.default_rng(5)
def exact(x):
    f = fractions.Fraction(int(x)) if np.issubdtype(type(x), np.integer) or isinstance(x, (bool, np.bool_)) else fractions.Fraction(float(x))
    return str(f.numerator) if f.denominator == 1 else "%d/%d" % (f.numerator, f.denominator)
cases = []
for k, dt in enumerate(["<f8", "<f4", "<f2", ">f8", "<i1", "<i2", "<i4", "<i8", "<u1", "<u2", "<u4", "<u8", "|b1"]):
    N, n, d = 2, 3, 2
    if dt.endswith("b1"):
        Z = rng.integers(0, 2, (N, n, d)).astype(bool)
    elif "f" in dt:
        Z = (rng.standard_normal((N, n, d)) * 10.0 ** rng.integers(-30, 5, (N, n, d))).astype(dt)
        if dt == "<f2": Z.flat[0] = np.float16(2.0 ** -24); Z.flat[1] = np.float16(-65504)
        if dt == "<f8": Z.flat[0] = 5e-324
    else:
        info = np.iinfo(np.dtype(dt))
        Z = rng.integers(info.min, info.max, (N, n, d), endpoint=True, dtype=np.dtype(dt).newbyteorder("="))
        Z.flat[0] = info.min; Z.flat[1] = info.max
        Z = Z.astype(dt)
    Y = Z[:, -1, :].copy()
    if k % 3 == 1: Z = np.asfortranarray(Z)
    name = "c%d.npz" % k
    (np.savez_compressed if k % 2 else np.savez)(out + "/" + name, Z=Z, Y=Y)
    doc = {"format": "mhla-dataset", "version": 1, "d": d, "causal": False,
           "samples": [{"Z": [[exact(Z[i, t, j]) for t in range(n)] for j in range(d)],
                        "y": [exact(Y[i, j]) for j in range(d)]} for i in range(N)]}
    json.dump(doc, open(out + "/c%d.json" % k, "w"))
    cases.append(name)
print(len(cases))
)PY";
  const std::string script_path = dir.write("gen.py", script);
  REQUIRE(std::system(("/usr/bin/python3 " + script_path + " " + dir.file("") + " > " + dir.file("count")).c_str()) == 0);
  const int count = std::stoi(mhla_test::slurp(dir.file("count")));
  REQUIRE(count == 13);
  for (int k = 0; k < count; ++k) {
    INFO("case " << k);
    const Dataset a = read_dataset(dir.file("c" + std::to_string(k) + ".npz"));
    const Dataset b = read_dataset(dir.file("c" + std::to_string(k) + ".json"));
    REQUIRE(a.d == b.d);
    REQUIRE(a.samples.size() == b.samples.size());
    for (std::size_t i = 0; i < a.samples.size(); ++i) {
      REQUIRE(a.samples[i].Z.rows() == b.samples[i].Z.rows());
      REQUIRE(a.samples[i].Z.cols() == b.samples[i].Z.cols());
      for (std::size_t r = 0; r < a.samples[i].Z.rows(); ++r)
        for (std::size_t c = 0; c < a.samples[i].Z.cols(); ++c) REQUIRE(a.samples[i].Z(r, c) == b.samples[i].Z(r, c));
      REQUIRE(a.samples[i].targets.size() == 1);
      CHECK(a.samples[i].targets[0].position == b.samples[i].targets[0].position);
      CHECK(a.samples[i].targets[0].y == b.samples[i].targets[0].y);
    }
  }
}

TEST_CASE("npz: numpy-written bad inputs exit 2 with one line (NaN index, dtypes, shapes, sizes)", "[io][npz][python]") {
  if (!python_numpy_available()) {
    WARN("skipped: /usr/bin/python3 with numpy is not available");
    return;
  }
  mhla_test::TempDir dir;
  const std::string script = R"PY(
import sys, numpy as np
o = sys.argv[1] + "/"
Z = np.zeros((2, 3, 2)); Z[1, 2, 0] = np.nan
np.savez(o + "nan.npz", Z=Z)
Z = np.zeros((2, 3, 2), dtype=np.float32); Z[0, 1, 1] = -np.inf
np.savez_compressed(o + "inf.npz", Z=Z)
np.savez(o + "complex.npz", Z=np.zeros((1, 2, 2), dtype=np.complex128))
np.savez(o + "string.npz", Z=np.array([[["a", "b"]]]))
np.savez(o + "ragged.npz", Z=np.array([np.zeros((2, 2)), np.zeros((3, 2))], dtype=object))
np.savez(o + "flat.npz", Z=np.zeros((2, 3)))
np.savez(o + "ybad.npz", Z=np.zeros((2, 3, 2)), Y=np.zeros((2, 3)))
np.savez(o + "lower.npz", Z=np.zeros((2, 3, 2)), y=np.zeros((2, 2)))
np.savez(o + "noz.npz", X=np.zeros((2, 3, 2)))
np.savez(o + "long.npz", Z=np.zeros((1, 2, 2), dtype=np.longdouble))
np.savez(o + "causal2.npz", Z=np.zeros((1, 2, 2)), causal=np.array([1, 0]))
)PY";
  const std::string script_path = dir.write("gen.py", script);
  REQUIRE(std::system(("/usr/bin/python3 " + script_path + " " + dir.file("")).c_str()) == 0);
  auto run = [&](const std::string& name) { return mhla_test::run_mhla({"features", "--dataset", dir.file(name)}); };
  const auto nan = run("nan.npz");
  CHECK(nan.status == 2);
  CHECK(one_line(nan.err).find("nan.npz: Z.npy: index (1, 2, 0): NaN") != std::string::npos);
  const auto inf = run("inf.npz");
  CHECK(inf.status == 2);
  CHECK(one_line(inf.err).find("index (0, 1, 1): an infinity") != std::string::npos);
  for (const char* name : {"complex.npz", "string.npz", "ragged.npz", "long.npz"}) {
    INFO(name);
    const auto r = run(name);
    CHECK(r.status == 2);
    CHECK(one_line(r.err).find("unsupported dtype") != std::string::npos);
    CHECK(r.out.empty());
  }
  for (const char* name : {"flat.npz", "ybad.npz", "lower.npz", "noz.npz", "causal2.npz"}) {
    INFO(name);
    const auto r = run(name);
    CHECK(r.status == 2);
    CHECK(one_line(r.err).find(name) != std::string::npos);
    CHECK(r.out.empty());
  }
  // A header announcing a huge array: the memory estimate refuses it before any allocation.
  const std::string huge = npy("<f8", false, "(1000000000, 1000, 100)", "");
  const std::string path = dir.write("huge.npy", huge);
  CHECK_THROWS_AS(npz::parse_npy(huge, "huge.npy"), Error);
  try {
    npz::parse_npy(huge, "huge.npy");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::resource_limit);
  }
  CHECK_THROWS_AS(npz::parse_npy(npy("<f8", false, "(99999999999999999999, 2)", ""), "t"), Error);  // count overflows
  (void)path;
}
