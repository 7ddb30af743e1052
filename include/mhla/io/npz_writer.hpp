// SPDX-License-Identifier: MIT
// Writing NumPy .npz archives (interface.md, "NumPy files"): each array a .npy version 1.0 entry
// (little-endian '<f8' or '<i8', C order, header padded to a multiple of 64 bytes), the entries
// stored (no compression) in a zip archive with CRC-32 (zlib) and a central directory, as
// np.savez writes; np.load reads it, and so does mhla's own reader (npz.hpp). No zip64: an
// archive above 4 GiB is refused (Error(resource_limit)).
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace mhla::npz {

// The .npy bytes of a float64 / int64 array of the given shape (values in C order).
std::string npy_float64(const std::vector<std::size_t>& shape, const std::vector<double>& values);
std::string npy_int64(const std::vector<std::size_t>& shape, const std::vector<std::int64_t>& values);

// The zip archive of the named entries (name without ".npy"; each value is the .npy bytes).
std::string npz_archive(const std::vector<std::pair<std::string, std::string>>& entries);

}  // namespace mhla::npz
