// SPDX-License-Identifier: MIT
// .npy / stored .npz writing (npz_writer.hpp).
#include "mhla/io/npz_writer.hpp"

#include <zlib.h>

#include <cstring>

#include "mhla/support/error.hpp"

namespace mhla::npz {
namespace {

void put_le(std::string& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::string npy_header(const char* descr, const std::vector<std::size_t>& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += std::to_string(shape[i]) + (shape.size() == 1 || i + 1 < shape.size() ? "," : "");
  s += ")";
  std::string dict = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': " + s + ", }";
  std::size_t total = 10 + dict.size() + 1;  // magic 6 + version 2 + length 2, dict, '\n'
  dict.append((64 - total % 64) % 64, ' ');
  dict.push_back('\n');
  std::string out = "\x93NUMPY";
  out.push_back('\x01');
  out.push_back('\x00');
  put_le(out, dict.size(), 2);
  return out + dict;
}

std::size_t count_of(const std::vector<std::size_t>& shape) {
  std::size_t c = 1;
  for (std::size_t x : shape) c *= x;
  return c;
}

}  // namespace

std::string npy_float64(const std::vector<std::size_t>& shape, const std::vector<double>& values) {
  if (count_of(shape) != values.size()) fail(ErrorKind::internal, "npy_float64: shape and values disagree");
  std::string out = npy_header("<f8", shape);
  for (double x : values) {
    std::uint64_t bits = 0;
    std::memcpy(&bits, &x, 8);
    put_le(out, bits, 8);
  }
  return out;
}

std::string npy_int64(const std::vector<std::size_t>& shape, const std::vector<std::int64_t>& values) {
  if (count_of(shape) != values.size()) fail(ErrorKind::internal, "npy_int64: shape and values disagree");
  std::string out = npy_header("<i8", shape);
  for (std::int64_t x : values) put_le(out, static_cast<std::uint64_t>(x), 8);
  return out;
}

std::string npz_archive(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string out, central;
  for (const auto& [name, data] : entries) {
    const std::string file = name + ".npy";
    if (out.size() + data.size() + 2 * file.size() + 128 >= (std::uint64_t(1) << 32))
      fail(ErrorKind::resource_limit, "npz: the archive would exceed 4 GiB (no zip64 writing)");
    const std::uint32_t crc = static_cast<std::uint32_t>(
        crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
    const std::uint64_t offset = out.size();
    auto common = [&](std::string& s) {
      put_le(s, 20, 2);           // version needed
      put_le(s, 0, 2);            // flags
      put_le(s, 0, 2);            // method: stored
      put_le(s, 0, 2);            // time
      put_le(s, (1 << 5) | 1, 2); // date 1980-01-01
      put_le(s, crc, 4);
      put_le(s, data.size(), 4);
      put_le(s, data.size(), 4);
      put_le(s, file.size(), 2);
      put_le(s, 0, 2);            // extra length
    };
    put_le(out, 0x04034b50, 4);
    common(out);
    out += file;
    out += data;
    put_le(central, 0x02014b50, 4);
    put_le(central, 20, 2);  // version made by
    common(central);
    put_le(central, 0, 2);  // comment length
    put_le(central, 0, 2);  // disk
    put_le(central, 0, 2);  // internal attributes
    put_le(central, 0, 4);  // external attributes
    put_le(central, offset, 4);
    central += file;
  }
  const std::uint64_t cd_offset = out.size();
  out += central;
  put_le(out, 0x06054b50, 4);
  put_le(out, 0, 2);
  put_le(out, 0, 2);
  put_le(out, entries.size(), 2);
  put_le(out, entries.size(), 2);
  put_le(out, central.size(), 4);
  put_le(out, cd_offset, 4);
  put_le(out, 0, 2);
  return out;
}

}  // namespace mhla::npz
