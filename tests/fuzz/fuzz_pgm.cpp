// The PGM reader (P5 and P2) and the digit normalisation after it. Input:
// the file's bytes. Promises: nnn::Error (one line) or an image whose pixels
// fill width x height, which write_pgm writes and read_pgm reads back equal,
// and from which digit_input makes 784 values in [0, 1].
#include <cmath>
#include <string>

#include "fuzz_util.h"
#include "nnn/data/digit_image.h"
#include "nnn/data/pgm.h"
#include "nnn/util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = nnn_fuzz::scratch_path(".pgm");
  nnn_fuzz::write_bytes(path, data, size);
  nnn::GreyImage image;
  try {
    image = nnn::read_pgm(path);
  } catch (const nnn::Error& e) {
    nnn_fuzz::require_one_line(e.what());
    return 0;
  }
  NNN_FUZZ_REQUIRE(image.width > 0 && image.height > 0, "an empty image");
  NNN_FUZZ_REQUIRE(static_cast<int64_t>(image.pixels.size()) == image.width * image.height,
                   "pixels do not fill the image");
  const std::string copy = nnn_fuzz::scratch_path(".copy.pgm");
  nnn::write_pgm(copy, image);
  const nnn::GreyImage back = nnn::read_pgm(copy);
  NNN_FUZZ_REQUIRE(
      back.width == image.width && back.height == image.height && back.pixels == image.pixels,
      "write_pgm then read_pgm changed the image");
  if (image.width * image.height <= 512 * 512) {  // keep each run fast
    const std::vector<float> digit = nnn::digit_input(image);
    NNN_FUZZ_REQUIRE(digit.size() == 784, "digit_input did not give 28x28 values");
    for (float v : digit)
      NNN_FUZZ_REQUIRE(std::isfinite(v) && v >= 0 && v <= 1, "a value off [0, 1]");
  }
  return 0;
}
