// SPDX-License-Identifier: MIT
#include "mhla/io/npz.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <limits>

#include "mhla/io/memory_limit.hpp"
#include "mhla/support/error.hpp"

namespace mhla::npz {
namespace {

[[noreturn]] void bad(const std::string& where, const std::string& reason) {
  fail(ErrorKind::bad_input, where + ": " + reason);
}

std::uint64_t little_endian(std::string_view bytes, std::size_t at, std::size_t width) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < width; ++i) v |= std::uint64_t(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
  return v;
}

// Reads width bytes at `at` (checked against the size), little-endian.
std::uint64_t read_le(std::string_view bytes, std::size_t at, std::size_t width, const std::string& where) {
  if (at > bytes.size() || bytes.size() - at < width) bad(where, "truncated (a record runs past the end of the file)");
  return little_endian(bytes, at, width);
}

// ---- .npy header ------------------------------------------------------------------------

struct Header {
  std::string descr;
  bool fortran = false;
  std::vector<std::size_t> shape;
};

std::size_t skip_space(std::string_view h, std::size_t i) {
  while (i < h.size() && (h[i] == ' ' || h[i] == '\t' || h[i] == '\n' || h[i] == '\r')) ++i;
  return i;
}

// The position just after "'key':" (with either quote), or npos.
std::size_t after_key(std::string_view h, std::string_view key) {
  for (char q : {'\'', '"'}) {
    const std::string pattern = std::string(1, q) + std::string(key) + std::string(1, q);
    std::size_t at = h.find(pattern);
    if (at == std::string_view::npos) continue;
    at = skip_space(h, at + pattern.size());
    if (at < h.size() && h[at] == ':') return skip_space(h, at + 1);
  }
  return std::string_view::npos;
}

Header parse_header(std::string_view h, const std::string& where) {
  Header out;
  std::size_t i = after_key(h, "descr");
  if (i == std::string_view::npos) bad(where, "the .npy header has no 'descr'");
  if (i >= h.size() || (h[i] != '\'' && h[i] != '"'))
    bad(where, "unsupported dtype (a structured or non-string 'descr'); expected a plain numeric dtype");
  const char quote = h[i];
  const std::size_t end = h.find(quote, i + 1);
  if (end == std::string_view::npos) bad(where, "the .npy header's 'descr' is not terminated");
  out.descr = std::string(h.substr(i + 1, end - i - 1));

  i = after_key(h, "fortran_order");
  if (i == std::string_view::npos) bad(where, "the .npy header has no 'fortran_order'");
  if (h.substr(i, 4) == "True") out.fortran = true;
  else if (h.substr(i, 5) == "False") out.fortran = false;
  else bad(where, "the .npy header's 'fortran_order' is neither True nor False");

  i = after_key(h, "shape");
  if (i == std::string_view::npos || i >= h.size() || h[i] != '(') bad(where, "the .npy header has no 'shape' tuple");
  ++i;
  while (true) {
    i = skip_space(h, i);
    if (i < h.size() && h[i] == ')') break;
    std::size_t v = 0, digits = 0;
    while (i < h.size() && h[i] >= '0' && h[i] <= '9') {
      if (v > (std::numeric_limits<std::size_t>::max() - 9) / 10) bad(where, "a dimension of 'shape' is too large");
      v = v * 10 + static_cast<std::size_t>(h[i] - '0');
      ++i, ++digits;
    }
    if (digits == 0) bad(where, "the .npy header's 'shape' is not a tuple of non-negative integers");
    out.shape.push_back(v);
    i = skip_space(h, i);
    if (i < h.size() && h[i] == ',') ++i;
    else if (i < h.size() && h[i] == ')') break;
    else bad(where, "the .npy header's 'shape' is not a tuple of non-negative integers");
  }
  return out;
}

// ---- dtypes -----------------------------------------------------------------------------

enum class Kind { floating, signed_int, unsigned_int, boolean };

struct Dtype {
  Kind kind;
  std::size_t size;
  bool big_endian;
};

Dtype parse_descr(const std::string& descr, const std::string& where) {
  const std::string unsupported = "unsupported dtype '" + descr +
                                  "' (supported: float16/32/64, int8..int64, uint8..uint64, bool)";
  if (descr.size() < 3) bad(where, unsupported);
  const char order = descr[0], code = descr[1];
  const std::string width = descr.substr(2);
  if (order != '<' && order != '>' && order != '|' && order != '=') bad(where, unsupported);
  std::size_t size = 0;
  if (width == "1") size = 1;
  else if (width == "2") size = 2;
  else if (width == "4") size = 4;
  else if (width == "8") size = 8;
  else bad(where, unsupported);
  Kind kind;
  if (code == 'f' && size >= 2) kind = Kind::floating;
  else if (code == 'i') kind = Kind::signed_int;
  else if (code == 'u') kind = Kind::unsigned_int;
  else if (code == 'b' && size == 1) kind = Kind::boolean;
  else bad(where, unsupported);
  return Dtype{kind, size, order == '>'};
}

std::string index_text(const std::vector<std::size_t>& shape, std::size_t flat) {
  std::vector<std::size_t> idx(shape.size());
  for (std::size_t k = shape.size(); k-- > 0;) {
    idx[k] = flat % shape[k];
    flat /= shape[k];
  }
  std::string s = "(";
  for (std::size_t k = 0; k < idx.size(); ++k) s += (k ? ", " : "") + std::to_string(idx[k]);
  return s + (idx.size() == 1 ? ",)" : ")");
}

Rational decode(std::uint64_t raw, const Dtype& t, const std::vector<std::size_t>& shape, std::size_t flat,
                const std::string& where) {
  switch (t.kind) {
    case Kind::boolean:
      if (raw > 1) bad(where, "index " + index_text(shape, flat) + ": a bool byte other than 0 or 1");
      return Rational(static_cast<unsigned>(raw));
    case Kind::unsigned_int:
      return Rational(Integer(raw));
    case Kind::signed_int: {
      const unsigned bits = static_cast<unsigned>(8 * t.size);
      if (bits < 64 && (raw >> (bits - 1)) & 1) return Rational(Integer(raw) - (Integer(1) << bits));
      if (bits == 64) return Rational(Integer(static_cast<std::int64_t>(raw)));
      return Rational(Integer(raw));
    }
    case Kind::floating: {
      const unsigned e = t.size == 2 ? 5 : t.size == 4 ? 8 : 11, f = t.size == 2 ? 10 : t.size == 4 ? 23 : 52;
      const std::optional<Rational> v = exact_binary_float(raw, e, f);
      if (!v) {
        const bool nan = ((raw >> f) & ((std::uint64_t(1) << e) - 1)) == ((std::uint64_t(1) << e) - 1) &&
                         (raw & ((std::uint64_t(1) << f) - 1)) != 0;
        bad(where, "index " + index_text(shape, flat) + ": " + (nan ? "NaN" : "an infinity") + " is not a number");
      }
      return *v;
    }
  }
  bad(where, "unsupported dtype");
}

// ---- zip --------------------------------------------------------------------------------

struct Entry {
  std::string name;
  std::uint16_t method = 0;
  std::uint32_t crc = 0;
  std::uint64_t compressed = 0, uncompressed = 0, local_offset = 0;
};

// Replaces 0xFFFFFFFF fields from a zip64 extended-information extra field (id 0x0001), in the
// order the format fixes: uncompressed, compressed, local header offset.
void apply_zip64(std::string_view extra, Entry& e, bool u, bool c, bool o, const std::string& where) {
  std::size_t i = 0;
  while (i + 4 <= extra.size()) {
    const std::uint64_t id = little_endian(extra, i, 2), len = little_endian(extra, i + 2, 2);
    if (i + 4 + len > extra.size()) bad(where, "a zip extra field runs past its record");
    if (id == 1) {
      std::size_t p = i + 4;
      auto take = [&](std::uint64_t& field) {
        if (p + 8 > i + 4 + len) bad(where, "a zip64 extra field is too short");
        field = little_endian(extra, p, 8);
        p += 8;
      };
      if (u) take(e.uncompressed);
      if (c) take(e.compressed);
      if (o) take(e.local_offset);
      return;
    }
    i += 4 + len;
  }
  if (u || c || o) bad(where, "a zip entry needs a zip64 extra field that is missing");
}

std::vector<Entry> central_directory(std::string_view z, const std::string& source) {
  // End of central directory: the last "PK\x05\x06" within 22 + 65535 bytes of the end.
  if (z.size() < 22) bad(source, "truncated zip archive (no end-of-central-directory record)");
  std::size_t eocd = std::string_view::npos;
  const std::size_t lowest = z.size() > 22 + 65535 ? z.size() - 22 - 65535 : 0;
  for (std::size_t i = z.size() - 22 + 1; i-- > lowest;)
    if (little_endian(z, i, 4) == 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd == std::string_view::npos) bad(source, "truncated or not a zip archive (no end-of-central-directory record)");
  std::uint64_t count = little_endian(z, eocd + 10, 2), offset = little_endian(z, eocd + 16, 4);
  if (count == 0xFFFF || offset == 0xFFFFFFFF) {  // zip64 end record via its locator just before
    if (eocd < 20 || little_endian(z, eocd - 20, 4) != 0x07064b50) bad(source, "zip64 archive without its locator");
    const std::uint64_t rec = little_endian(z, eocd - 20 + 8, 8);
    if (rec > z.size() || z.size() - rec < 56 || little_endian(z, rec, 4) != 0x06064b50)
      bad(source, "bad zip64 end-of-central-directory record");
    count = little_endian(z, rec + 32, 8);
    offset = little_endian(z, rec + 48, 8);
  }
  std::vector<Entry> entries;
  std::size_t at = offset;
  for (std::uint64_t k = 0; k < count; ++k) {
    if (read_le(z, at, 4, source) != 0x02014b50) bad(source, "bad zip central directory (entry " + std::to_string(k) + ")");
    Entry e;
    const std::uint64_t flags = read_le(z, at + 8, 2, source);
    e.method = static_cast<std::uint16_t>(read_le(z, at + 10, 2, source));
    e.crc = static_cast<std::uint32_t>(read_le(z, at + 16, 4, source));
    e.compressed = read_le(z, at + 20, 4, source);
    e.uncompressed = read_le(z, at + 24, 4, source);
    const std::size_t name_len = read_le(z, at + 28, 2, source), extra_len = read_le(z, at + 30, 2, source),
                      comment_len = read_le(z, at + 32, 2, source);
    e.local_offset = read_le(z, at + 42, 4, source);
    if (z.size() - at < 46 + name_len + extra_len + comment_len) bad(source, "truncated zip central directory");
    e.name = std::string(z.substr(at + 46, name_len));
    apply_zip64(z.substr(at + 46 + name_len, extra_len), e, e.uncompressed == 0xFFFFFFFF, e.compressed == 0xFFFFFFFF,
                e.local_offset == 0xFFFFFFFF, source + ": " + e.name);
    if (flags & 1) bad(source + ": " + e.name, "encrypted zip entries are not supported");
    entries.push_back(std::move(e));
    at += 46 + name_len + extra_len + comment_len;
  }
  return entries;
}

std::string entry_bytes(std::string_view z, const Entry& e, const std::string& where) {
  if (read_le(z, e.local_offset, 4, where) != 0x04034b50) bad(where, "bad zip local header");
  const std::size_t name_len = read_le(z, e.local_offset + 26, 2, where), extra_len = read_le(z, e.local_offset + 28, 2, where);
  const std::uint64_t start = e.local_offset + 30 + name_len + extra_len;
  if (start > z.size() || z.size() - start < e.compressed) bad(where, "truncated (the entry's data run past the end of the file)");
  check_memory_estimate("npz: the entry " + e.name, static_cast<double>(e.uncompressed), where);
  const std::string_view data = z.substr(start, e.compressed);
  std::string out;
  if (e.method == 0) {
    if (e.compressed != e.uncompressed) bad(where, "a stored zip entry whose sizes disagree");
    out.assign(data);
  } else if (e.method == 8) {
    out.resize(e.uncompressed);
    z_stream s{};
    if (inflateInit2(&s, -MAX_WBITS) != Z_OK) fail(ErrorKind::internal, "zlib: inflateInit2 failed");
    std::size_t in_done = 0, out_done = 0;
    int rc = Z_OK;
    while (rc == Z_OK) {  // chunks below 2^30 keep zlib's 32-bit counters in range
      const std::size_t in_chunk = std::min<std::size_t>(data.size() - in_done, std::size_t(1) << 30);
      const std::size_t out_chunk = std::min<std::size_t>(out.size() - out_done, std::size_t(1) << 30);
      s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + in_done));
      s.avail_in = static_cast<uInt>(in_chunk);
      s.next_out = reinterpret_cast<Bytef*>(out.data() + out_done);
      s.avail_out = static_cast<uInt>(out_chunk);
      rc = inflate(&s, Z_NO_FLUSH);
      in_done += in_chunk - s.avail_in;
      out_done += out_chunk - s.avail_out;
      if (rc == Z_OK && in_chunk == 0 && s.avail_out == out_chunk) break;  // no progress: truncated
      if (rc == Z_BUF_ERROR) break;
    }
    inflateEnd(&s);
    if (rc != Z_STREAM_END || out_done != out.size()) bad(where, "corrupt or truncated deflate data");
  } else {
    bad(where, "zip compression method " + std::to_string(e.method) + " is not supported (only stored and deflate)");
  }
  uLong crc = crc32(0L, Z_NULL, 0);
  for (std::size_t i = 0; i < out.size(); i += std::size_t(1) << 30)
    crc = crc32(crc, reinterpret_cast<const Bytef*>(out.data() + i),
                static_cast<uInt>(std::min<std::size_t>(out.size() - i, std::size_t(1) << 30)));
  if (static_cast<std::uint32_t>(crc) != e.crc) bad(where, "CRC-32 mismatch (the entry is corrupt)");
  return out;
}

}  // namespace

bool has_zip_magic(std::string_view bytes) { return bytes.size() >= 4 && bytes.substr(0, 4) == std::string_view("PK\x03\x04", 4); }

std::optional<Rational> exact_binary_float(std::uint64_t bits, unsigned exponent_bits, unsigned fraction_bits) {
  const std::uint64_t exp_mask = (std::uint64_t(1) << exponent_bits) - 1;
  const std::uint64_t frac = bits & ((std::uint64_t(1) << fraction_bits) - 1);
  const std::uint64_t exp = (bits >> fraction_bits) & exp_mask;
  const bool negative = (bits >> (fraction_bits + exponent_bits)) & 1;
  if (exp == exp_mask) return std::nullopt;  // infinity or NaN
  const long bias = (1L << (exponent_bits - 1)) - 1;
  // value = m 2^e2: subnormal m = frac, e2 = 1 - bias - F; normal m = 2^F + frac, e2 = exp - bias - F.
  const Integer m = exp == 0 ? Integer(frac) : Integer(frac) + (Integer(1) << fraction_bits);
  const long e2 = (exp == 0 ? 1L : static_cast<long>(exp)) - bias - static_cast<long>(fraction_bits);
  Rational v = e2 >= 0 ? Rational(Integer(m << static_cast<unsigned>(e2))) : Rational(m, Integer(1) << static_cast<unsigned>(-e2));
  return negative ? Rational(-v) : v;
}

Array parse_npy(std::string_view bytes, const std::string& where) {
  if (bytes.size() < 10 || bytes.substr(0, 6) != std::string_view("\x93NUMPY", 6)) bad(where, "not a .npy array (bad magic)");
  const unsigned major = static_cast<unsigned char>(bytes[6]);
  std::size_t header_len = 0, header_at = 0;
  if (major == 1) header_len = little_endian(bytes, 8, 2), header_at = 10;
  else if (major == 2 || major == 3) {
    if (bytes.size() < 12) bad(where, "truncated .npy header");
    header_len = little_endian(bytes, 8, 4), header_at = 12;
  } else bad(where, ".npy format version " + std::to_string(major) + " is not supported");
  if (bytes.size() - header_at < header_len) bad(where, "truncated .npy header");
  const Header h = parse_header(bytes.substr(header_at, header_len), where);
  const Dtype t = parse_descr(h.descr, where);
  std::size_t count = 1;
  for (std::size_t s : h.shape)
    if (__builtin_mul_overflow(count, s, &count)) bad(where, "the shape's element count overflows");
  std::size_t data_bytes = 0;
  if (__builtin_mul_overflow(count, t.size, &data_bytes)) bad(where, "the shape's byte count overflows");
  check_memory_estimate("npz: the array " + where, static_cast<double>(count) * (estimated_bytes_per_rational + 8),
                        std::to_string(count) + " values");
  const std::size_t data_at = header_at + header_len;
  if (bytes.size() - data_at < data_bytes)
    bad(where, "truncated: the shape needs " + std::to_string(data_bytes) + " data bytes, the file has " +
                   std::to_string(bytes.size() - data_at));
  if (bytes.size() - data_at > data_bytes) bad(where, "trailing bytes after the array data (the shape and the data disagree)");
  Array a;
  a.shape = h.shape;
  a.descr = h.descr;
  a.values.resize(count);
  // The element at C index c is stored at c itself, or (fortran order) at the reversed-index position.
  std::vector<std::size_t> stride(h.shape.size(), 1);  // Fortran strides in elements
  for (std::size_t k = 1; k < h.shape.size(); ++k) stride[k] = stride[k - 1] * h.shape[k - 1];
  std::vector<std::size_t> idx(h.shape.size(), 0);
  for (std::size_t c = 0; c < count; ++c) {
    std::size_t stored = c;
    if (h.fortran) {
      stored = 0;
      for (std::size_t k = 0; k < idx.size(); ++k) stored += idx[k] * stride[k];
      for (std::size_t k = idx.size(); k-- > 0;) {  // next C-order index
        if (++idx[k] < h.shape[k]) break;
        idx[k] = 0;
      }
    }
    std::uint64_t raw = 0;
    const std::size_t at = data_at + stored * t.size;
    for (std::size_t b = 0; b < t.size; ++b) {
      const std::size_t byte = t.big_endian ? t.size - 1 - b : b;
      raw |= std::uint64_t(static_cast<unsigned char>(bytes[at + byte])) << (8 * b);
    }
    a.values[c] = decode(raw, t, h.shape, c, where);
  }
  return a;
}

std::map<std::string, Array> read_npz(std::string_view bytes, const std::string& source_name) {
  std::map<std::string, Array> arrays;
  for (const Entry& e : central_directory(bytes, source_name)) {
    const std::string where = source_name + ": " + e.name;
    if (e.name.size() < 5 || e.name.substr(e.name.size() - 4) != ".npy") bad(where, "an .npz entry that is not a .npy array");
    const std::string name = e.name.substr(0, e.name.size() - 4);
    if (arrays.count(name)) bad(where, "the array appears twice in the archive");
    arrays.emplace(name, parse_npy(entry_bytes(bytes, e, where), where));
  }
  return arrays;
}

std::string shape_text(const std::vector<std::size_t>& shape) {
  std::string s = "(";
  for (std::size_t k = 0; k < shape.size(); ++k) s += (k ? ", " : "") + std::to_string(shape[k]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

bool read_causal_flag(const std::map<std::string, Array>& arrays, const std::string& source_name) {
  const auto it = arrays.find("causal");
  if (it == arrays.end()) return false;
  if (it->second.values.size() != 1) bad(source_name + ": causal", "expected a 0-d array (one value), got shape " + shape_text(it->second.shape));
  const Rational& v = it->second.values[0];
  if (v != 0 && v != 1) bad(source_name + ": causal", "expected 0/1 or False/True");
  return v == 1;
}

}  // namespace mhla::npz
