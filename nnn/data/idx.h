// The IDX file format of MNIST (and Fashion-MNIST), plain or gzipped: a
// big-endian header (two zero bytes, an element type, the number of
// dimensions, then each dimension as uint32) followed by the elements.
// Torch-free: datasets turn an IdxArray into tensors.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nnn {

enum class IdxType : uint8_t {
  kUInt8 = 0x08,
  kInt8 = 0x09,
  kInt16 = 0x0B,
  kInt32 = 0x0C,
  kFloat32 = 0x0D,
  kFloat64 = 0x0E,
};

/// Bytes per element of `type`.
int64_t idx_element_size(IdxType type);

struct IdxArray {
  IdxType type = IdxType::kUInt8;
  std::vector<int64_t> dims;
  std::vector<uint8_t> data;  // elements in host byte order, row-major

  int64_t count() const;  // product of dims
};

/// Reads a plain or gzipped IDX file. Every defect (missing file, corrupt
/// gzip, bad magic, unknown type, truncated or over-long data) is an
/// nnn::Error naming the file and what was wrong.
IdxArray read_idx(const std::string& path);
/// Writes an IDX file, gzipped when `path` ends in ".gz", atomically.
void write_idx(const std::string& path, const IdxArray& array);

}  // namespace nnn
