// 8-bit grey images and their files: PGM, binary P5 and ASCII P2 (what a
// reader reads from an image: nnn/data/digit_image.h). Torch-free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nnn {

struct GreyImage {
  int64_t width = 0;
  int64_t height = 0;
  std::vector<uint8_t> pixels;  // row-major, height x width
  uint8_t at(int64_t x, int64_t y) const { return pixels[static_cast<size_t>(y * width + x)]; }
};

/// Reads a P5 or P2 PGM with maxval <= 255 (rescaled to 0..255). Errors name
/// the file and what is wrong (not a PGM, bad header, truncated, empty).
GreyImage read_pgm(const std::string& path);
/// The same from the bytes of a PGM held in memory; errors name `name`.
GreyImage parse_pgm(const std::string& bytes, const std::string& name);
/// Writes a binary P5 PGM atomically.
void write_pgm(const std::string& path, const GreyImage& image);
/// The bytes of a binary P5 PGM.
std::string encode_pgm(const GreyImage& image);

}  // namespace nnn
