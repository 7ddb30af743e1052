// SPDX-License-Identifier: MIT
// NumPy .npy / .npz input (interface.md, "NumPy files"), every value taken EXACTLY.
//
// .npz: a zip archive (np.savez: entries stored; np.savez_compressed: deflated, inflated by
// zlib) whose entries "<name>.npy" are arrays. The central directory gives each entry's
// sizes (zip64 extra fields understood); the CRC-32 of every entry is checked.
// .npy: magic "\x93NUMPY", version 1.0 / 2.0 / 3.0, a Python-literal header
// {'descr': ..., 'fortran_order': ..., 'shape': (...)}, then the raw data.
// Supported dtypes (either byte order, '|' for one byte): float16, float32, float64
// ('f2', 'f4', 'f8'), signed and unsigned integers of 1, 2, 4, 8 bytes ('i1'..'i8', 'u1'..'u8')
// and bool ('b1'). A float is the exact rational (-1)^s m 2^e it encodes (subnormals
// included); NaN and infinities are bad input naming the file, the array and the index.
// Values are returned in C (row-major) order whatever fortran_order says.
// Errors: Error(bad_input, "<file>: <entry or array>: <reason>") for anything malformed
// (truncated, bad header, unsupported dtype, sizes that disagree); a size over the memory
// limit is Error(resource_limit) through check_memory_estimate.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mhla/arith/scalar.hpp"

namespace mhla::npz {

struct Array {
  std::vector<std::size_t> shape;  // () for a 0-d array
  std::string descr;               // as written in the header, e.g. "<f8"
  std::vector<Rational> values;    // prod(shape) values, C order
};

// True when the bytes start like a zip archive ("PK\x03\x04"), as np.savez writes.
bool has_zip_magic(std::string_view bytes);

// The exact value of an IEEE binary float with the given field widths (binary16: 5, 10;
// binary32: 8, 23; binary64: 11, 52), or std::nullopt for NaN and infinities.
std::optional<Rational> exact_binary_float(std::uint64_t bits, unsigned exponent_bits, unsigned fraction_bits);

// One .npy file's array; where names it in messages (e.g. "data.npz: Z.npy").
Array parse_npy(std::string_view bytes, const std::string& where);

// The arrays of an .npz archive by name (the entry name without ".npy").
std::map<std::string, Array> read_npz(std::string_view bytes, const std::string& source_name);

// The shape as text, "(2, 3)", "(4,)", "()".
std::string shape_text(const std::vector<std::size_t>& shape);

// A 0-d (or one-element) array "causal" of bool or integer 0/1; false when absent.
bool read_causal_flag(const std::map<std::string, Array>& arrays, const std::string& source_name);

}  // namespace mhla::npz
