// IDX reading and writing through zlib (gzread also reads plain files).
#include "nnn/data/idx.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include <unistd.h>

#include "nnn/util/error.h"
#include "nnn/util/files.h"
#include "nnn/util/limits.h"

namespace nnn {

namespace {

std::string dims_text(const std::vector<int64_t>& dims) {
  std::string out;
  for (int64_t d : dims) out += (out.empty() ? "" : " x ") + std::to_string(d);
  return out;
}

bool valid_type(uint8_t type) {
  return type == 0x08 || type == 0x09 || type == 0x0B || type == 0x0C || type == 0x0D ||
         type == 0x0E;
}

struct GzCloser {
  void operator()(gzFile_s* file) const { gzclose(file); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

// Reads exactly `size` bytes, or returns how many could be read.
int64_t read_some(gzFile file, uint8_t* out, int64_t size, const std::string& path) {
  int64_t done = 0;
  while (done < size) {
    const auto chunk = static_cast<unsigned>(std::min<int64_t>(size - done, 1 << 30));
    const int got = gzread(file, out + done, chunk);
    if (got < 0) {
      int code = 0;
      const char* message = gzerror(file, &code);
      throw Error(path + ": corrupt or unreadable compressed data (" + message + ")");
    }
    if (got == 0) break;
    done += got;
  }
  return done;
}

void swap_bytes(std::vector<uint8_t>& data, int64_t element_size) {
  for (size_t i = 0; i + static_cast<size_t>(element_size) <= data.size();
       i += static_cast<size_t>(element_size)) {
    std::reverse(data.begin() + static_cast<std::ptrdiff_t>(i),
                 data.begin() + static_cast<std::ptrdiff_t>(i) + element_size);
  }
}

constexpr bool kLittleEndian = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;

}  // namespace

int64_t idx_element_size(IdxType type) {
  switch (type) {
    case IdxType::kUInt8:
    case IdxType::kInt8:
      return 1;
    case IdxType::kInt16:
      return 2;
    case IdxType::kInt32:
    case IdxType::kFloat32:
      return 4;
    case IdxType::kFloat64:
      return 8;
  }
  return 1;
}

int64_t IdxArray::count() const {
  // A zero dimension makes the array empty whatever the others say (and the
  // product of the others may not fit in 64 bits).
  for (int64_t d : dims) {
    if (d == 0) return 0;
  }
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

IdxArray read_idx(const std::string& path) {
  check_regular_file(path, kMaxFileBytes, "IDX file");
  GzFile file(gzopen(path.c_str(), "rb"));
  NNN_CHECK(file != nullptr, "cannot open IDX file ", path, ": ", std::strerror(errno));
  uint8_t header[4] = {0, 0, 0, 0};
  const int64_t got = read_some(file.get(), header, 4, path);
  NNN_CHECK(got == 4, path, ": truncated IDX header (", got, " of 4 bytes)");
  NNN_CHECK(header[0] == 0 && header[1] == 0, path,
            ": not an IDX file (magic number must start with two zero bytes; found 0x", std::hex,
            static_cast<int>(header[0]), " 0x", static_cast<int>(header[1]), ")");
  NNN_CHECK(valid_type(header[2]), path, ": unknown IDX element type 0x", std::hex,
            static_cast<int>(header[2]), " (expected 0x08, 0x09, 0x0B, 0x0C, 0x0D or 0x0E)");
  const int ndims = header[3];
  NNN_CHECK(ndims >= 1, path, ": IDX file with 0 dimensions");
  NNN_CHECK(ndims <= limits::kMaxIdxDimensions, path, ": IDX header announces ", ndims,
            " dimensions; at most ", limits::kMaxIdxDimensions);
  IdxArray array;
  array.type = static_cast<IdxType>(header[2]);
  std::vector<uint8_t> dims(4 * static_cast<size_t>(ndims));
  const int64_t got_dims =
      read_some(file.get(), dims.data(), static_cast<int64_t>(dims.size()), path);
  NNN_CHECK(got_dims == static_cast<int64_t>(dims.size()), path, ": truncated IDX header (", ndims,
            " dimensions announced, ", got_dims / 4, " present)");
  for (int d = 0; d < ndims; ++d) {
    const uint8_t* b = &dims[4 * static_cast<size_t>(d)];
    const uint32_t size =
        (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
    array.dims.push_back(size);
  }
  const int64_t element = idx_element_size(array.type);
  // The product of hostile dimensions may overflow: check it in floating point
  // against the memory there is, before allocating anything.
  double announced = static_cast<double>(element);
  for (int64_t d : array.dims) announced *= static_cast<double>(d);
  const double available = static_cast<double>(limits::available_memory_bytes());
  NNN_CHECK(announced <= available * limits::kMemoryShare, path, ": the IDX header announces ",
            announced / 1e9, " GB of data (dimensions ", dims_text(array.dims),
            ") but this machine has ", available / 1e9, " GB");
  const auto expected = static_cast<int64_t>(announced);
  // Grow while reading, so that a short file with a large header allocates
  // only what it holds.
  int64_t got_data = 0;
  while (got_data < expected) {
    // Doubling: a short file behind a large header costs what it holds.
    const int64_t chunk =
        std::min<int64_t>(expected - got_data, std::max<int64_t>(int64_t{1} << 16, got_data));
    array.data.resize(static_cast<size_t>(got_data + chunk));
    const int64_t read = read_some(file.get(), array.data.data() + got_data, chunk, path);
    got_data += read;
    if (read < chunk) break;
  }
  NNN_CHECK(got_data == expected, path, ": truncated IDX data: the header announces ", expected,
            " bytes, the file holds ", got_data);
  uint8_t extra = 0;
  NNN_CHECK(read_some(file.get(), &extra, 1, path) == 0, path,
            ": the file holds more data than its IDX header announces (", expected, " bytes)");
  if (kLittleEndian && element > 1) swap_bytes(array.data, element);
  return array;
}

void write_idx(const std::string& path, const IdxArray& array) {
  NNN_CHECK(!array.dims.empty() && array.dims.size() < 256, "write_idx ", path,
            ": need 1..255 dimensions");
  const int64_t element = idx_element_size(array.type);
  NNN_CHECK(static_cast<int64_t>(array.data.size()) == array.count() * element, "write_idx ", path,
            ": data holds ", array.data.size(), " bytes but the dims need ",
            array.count() * element);
  std::vector<uint8_t> bytes = {0, 0, static_cast<uint8_t>(array.type),
                                static_cast<uint8_t>(array.dims.size())};
  for (int64_t d : array.dims) {
    const auto v = static_cast<uint32_t>(d);
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<uint8_t>(v >> shift));
  }
  std::vector<uint8_t> data = array.data;
  if (kLittleEndian && element > 1) swap_bytes(data, element);
  bytes.insert(bytes.end(), data.begin(), data.end());

  const bool gzip = path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  if (gzip) {
    GzFile file(gzopen(tmp.c_str(), "wb6"));
    NNN_CHECK(file != nullptr, "cannot write ", tmp, ": ", std::strerror(errno));
    const bool written = gzwrite(file.get(), bytes.data(), static_cast<unsigned>(bytes.size())) ==
                         static_cast<int>(bytes.size());
    NNN_CHECK(gzclose(file.release()) == Z_OK && written, "cannot write ", tmp);
  } else {
    std::FILE* file = std::fopen(tmp.c_str(), "wb");
    NNN_CHECK(file != nullptr, "cannot write ", tmp, ": ", std::strerror(errno));
    const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size();
    std::fclose(file);
    NNN_CHECK(ok, "cannot write ", tmp);
  }
  NNN_CHECK(std::rename(tmp.c_str(), path.c_str()) == 0, "cannot rename ", tmp, " to ", path);
}

}  // namespace nnn
