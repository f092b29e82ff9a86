// From a tracked plate to the reader's input: the plate region rectified
// to the plate's own pixels, cut into its K digit cells, each made light
// on dark as `nnn predict` does; and frames annotated with a box and text
// for people to look at.
#pragma once

#include <torch/types.h>

#include <array>
#include <string>
#include <vector>

#include "nnn/data/digit_image.h"
#include "nnn/data/pgm.h"
#include "nnn/video/box.h"

namespace nnn {

using Corners = std::array<std::array<double, 2>, 4>;  // TL, TR, BR, BL

/// The plate whose corners in `frame` [H, W] are `corners`, resampled to
/// [36, 28K + 8] (the plate's pixels at scale 1) by the affine map through
/// its top-left, top-right and bottom-left corners.
torch::Tensor rectify_plate(const torch::Tensor& frame, const Corners& corners, int64_t digits);

/// The K digit cells of a rectified plate [36, 28K + 8]: 784 values each in
/// [0, 1], light ink on dark (light_on_dark, as `nnn predict` reads a
/// 28x28 image), then stretched like the reader's training digits: the
/// cell's median (its ground) to 0 and its 99th percentile (the ink) to 1.
/// A camera's grey, low-contrast plate would otherwise reach the reader
/// with a ground far from the dark ground it was trained on.
std::vector<std::vector<float>> digit_cells(const torch::Tensor& plate, int64_t digits);

/// Pixels in [0, 1] (any shape, any device) as bytes: clamped, x 255,
/// rounded; a contiguous uint8 tensor on the CPU.
torch::Tensor to_bytes(const torch::Tensor& pixels);
/// [H, W] in [0, 1] as an 8-bit image.
GreyImage to_grey(const torch::Tensor& image);

/// The outline through four corners (2 pixels wide), clipped to the image.
void draw_quad(GreyImage& image, const Corners& corners, uint8_t level);
/// `text` (digits, letters a-z, space, '%', '.', '?') in a 3x5 pixel font
/// scaled by `size` with its top-left at (x, y), clipped to the image.
void draw_text(GreyImage& image, int64_t x, int64_t y, const std::string& text, int64_t size,
               uint8_t level);

}  // namespace nnn
