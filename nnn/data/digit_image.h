// What a digit reader reads from a grey image: MNIST-style normalisation of
// a photo of one digit to 28x28 light ink on dark ground, and plates split
// into K equal digit cells. Torch-free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nnn/data/pgm.h"

namespace nnn {

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

}  // namespace nnn
