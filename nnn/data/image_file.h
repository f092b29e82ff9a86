// Image files of any format a researcher has: PNG, JPEG and BMP decoded by
// OpenCV (imgcodecs, to 8-bit grey), PGM by nnn's own reader (pgm.h). The
// format is told by the file's first bytes, not its name; its size is read
// from its header and bounded before anything is decoded. Torch-free.
#pragma once

#include <optional>
#include <string>

#include "nnn/data/pgm.h"

namespace nnn {

enum class ImageFormat { kPgm, kPng, kJpeg, kBmp };

/// "PGM", "PNG", "JPEG" or "BMP".
const std::string& to_string(ImageFormat format);

/// Whether a file's name says it is one of these images (.pgm, .png, .jpg,
/// .jpeg, .bmp, in any case): how a folder's frames are picked out. Its
/// bytes still decide how it is read.
bool is_image_file_name(const std::string& path);

/// The format of an image from its first bytes, or nullopt when it is none
/// of those read here.
std::optional<ImageFormat> sniff_image(const std::string& bytes);

/// Width and height as the header of a PNG, JPEG or BMP states them; errors
/// name `name` (a header that is cut short, or states no size).
struct ImageSize {
  int64_t width = 0;
  int64_t height = 0;
};
ImageSize image_header_size(const std::string& bytes, ImageFormat format, const std::string& name);

/// The image in `bytes` as 8-bit grey (colour converted by OpenCV's
/// weights, 16-bit scaled to 8). Errors name `name` and say what is wrong:
/// not an image of these formats (naming what it looks like), a size over
/// limits::kMaxImageSide or limits::kMaxImagePixels, corrupt or truncated
/// data. Never a raw library message.
GreyImage decode_image(const std::string& bytes, const std::string& name);
/// decode_image() of a file; errors name the file.
GreyImage read_image(const std::string& path);

/// The image encoded as `format` (PNG and BMP lossless; JPEG at `quality`
/// 1..100), by OpenCV, or PGM by nnn.
std::string encode_image(const GreyImage& image, ImageFormat format, int quality = 95);

}  // namespace nnn
