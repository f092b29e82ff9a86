// The IDX reader, plain and gzipped. Input: one mode byte (even: the rest is
// the file; odd: the rest gzipped into the file), then the bytes. Promises:
// nnn::Error (one line) or an array whose size matches its header, which
// write_idx writes and read_idx reads back equal.
#include <zlib.h>

#include <string>

#include "fuzz_util.h"
#include "nnn/data/idx.h"
#include "nnn/util/error.h"

namespace {

void write_gzipped(const std::string& path, const uint8_t* data, size_t size) {
  gzFile file = gzopen(path.c_str(), "wb");
  if (file == nullptr) std::abort();
  if (size > 0) gzwrite(file, data, static_cast<unsigned>(size));
  gzclose(file);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const bool gz = (data[0] & 1) != 0;
  const std::string path = nnn_fuzz::scratch_path(gz ? ".idx.gz" : ".idx");
  if (gz) {
    write_gzipped(path, data + 1, size - 1);
  } else {
    nnn_fuzz::write_bytes(path, data + 1, size - 1);
  }
  nnn::IdxArray array;
  try {
    array = nnn::read_idx(path);
  } catch (const nnn::Error& e) {
    nnn_fuzz::require_one_line(e.what());
    return 0;
  }
  NNN_FUZZ_REQUIRE(!array.dims.empty(), "an array without dimensions");
  NNN_FUZZ_REQUIRE(
      static_cast<int64_t>(array.data.size()) == array.count() * nnn::idx_element_size(array.type),
      "data size differs from the header's");
  const std::string copy = nnn_fuzz::scratch_path(gz ? ".copy.idx.gz" : ".copy.idx");
  nnn::write_idx(copy, array);
  const nnn::IdxArray back = nnn::read_idx(copy);
  NNN_FUZZ_REQUIRE(back.type == array.type && back.dims == array.dims && back.data == array.data,
                   "write_idx then read_idx changed the array");
  return 0;
}
