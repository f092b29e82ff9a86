// Image files of every format (nnn/data/image_file.h): the sniffing, the
// header sizes and their bounds, the checks for a whole file, and OpenCV's
// decoders behind them. Input: the file's bytes. Promises: nnn::Error (one
// line naming the input) or an 8-bit image of the size its header states,
// within the limits, whose PNG encoding decodes back equal.
#include <string>

#include "fuzz_util.h"
#include "nnn/data/image_file.h"
#include "nnn/util/error.h"
#include "nnn/util/limits.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  nnn::GreyImage image;
  try {
    image = nnn::decode_image(bytes, "input");
  } catch (const nnn::Error& e) {
    nnn_fuzz::require_one_line(e.what());
    NNN_FUZZ_REQUIRE(std::string(e.what()).rfind("input", 0) == 0,
                     "an error that does not name the input");
    return 0;
  }
  NNN_FUZZ_REQUIRE(image.width > 0 && image.height > 0, "an empty image");
  NNN_FUZZ_REQUIRE(
      image.width <= nnn::limits::kMaxImageSide && image.height <= nnn::limits::kMaxImageSide,
      "an image over the side limit");
  NNN_FUZZ_REQUIRE(static_cast<int64_t>(image.pixels.size()) == image.width * image.height,
                   "pixels do not fill the image");
  if (image.width * image.height <= 256 * 256) {  // keep each run fast
    const nnn::GreyImage back =
        nnn::decode_image(nnn::encode_image(image, nnn::ImageFormat::kPng), "copy");
    NNN_FUZZ_REQUIRE(back.pixels == image.pixels, "a PNG round trip changed the image");
  }
  return 0;
}
