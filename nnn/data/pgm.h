// 8-bit grey images for `nnn predict` and `nnn make-plates`: PGM files
// (binary P5 and ASCII P2), MNIST-style normalisation of a photo of one digit
// to 28x28, plates split into K digit cells, and the best-first readings of
// a K-digit plate from per-digit probabilities. Torch-free.
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

/// MNIST-style: light digit on dark ground (see light_on_dark), cropped to its ink, scaled so its
/// longer side is 20 pixels, and placed in a 28x28 frame with its centre of mass in the middle.
/// Returns 784 values in [0, 1].
std::vector<float> to_mnist_digit(const GreyImage& image);

/// The pixels in [0, 1] with light ink on dark ground: inverted when the
/// mean is below the median (the ink, a minority of pixels, is dark).
std::vector<float> light_on_dark(const GreyImage& image);

/// What a model trained on 28x28 digit frames reads from an image: a 28x28
/// image as it is (only made light-on-dark; blur and noise are kept, as in
/// the training frames), any other size through to_mnist_digit.
std::vector<float> digit_input(const GreyImage& image);

/// Splits a plate image into `k` equal-width cells, left to right.
std::vector<GreyImage> split_plate(const GreyImage& plate, int64_t k, const std::string& name);

/// What a reader reads from one frame: digit_input of each of the image's
/// `k` cells (split_plate), or of the whole image when `k` is 0. Errors
/// name `name`.
std::vector<std::vector<float>> frame_digits(const GreyImage& image, int64_t k,
                                             const std::string& name);

struct Reading {
  std::string digits;
  double probability = 0.0;  // product of the per-digit probabilities
};
/// The `count` most probable readings of a plate, best first, from per-digit
/// class probabilities (`probabilities[i][c]`: digit i is class c).
std::vector<Reading> best_readings(const std::vector<std::vector<double>>& probabilities,
                                   int64_t count);

}  // namespace nnn
