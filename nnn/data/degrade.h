// Seeded image degradations for the blurry-frames experiments: random
// shift and rotation, motion blur, Gaussian blur, low resolution, contrast
// loss and additive Gaussian noise, composed in that order. Images are rows
// of a square [B, S*S] tensor with values in [0, 1]; every random choice is
// drawn per image from a generator seeded by the caller, so a seed fixes the
// result.
#pragma once

#include <torch/types.h>

#include <cstdint>

namespace nnn {

struct DegradeOptions {
  double shift = 0.0;          // max translation in pixels, uniform in [-shift, shift] (sub-pixel)
  double rotation = 0.0;       // max rotation in degrees, uniform in [-rotation, rotation]
  int64_t motion_length = 0;   // motion-blur length in pixels (0: off)
  double motion_angle = -1.0;  // degrees; < 0: a random angle per image
  double blur_sigma = 0.0;     // Gaussian blur std in pixels (0: off)
  int64_t low_resolution = 0;  // downscale to this side, then back up (0: off)
  double contrast = 1.0;       // scale of deviations from each image's mean (1: off)
  double noise_std = 0.0;      // std of additive Gaussian noise (0: off)

  bool any() const;
};

/// One degraded copy of each image. images: [B, S*S] -> [B, S*S].
torch::Tensor degrade(const torch::Tensor& images, const DegradeOptions& options, uint64_t seed);

/// F independently degraded frames of each image: [B, S*S] -> [F, B, S*S].
torch::Tensor degrade_frames(const torch::Tensor& images, int64_t frames,
                             const DegradeOptions& options, uint64_t seed);

/// A normalised Gaussian kernel of std `sigma`, [2r+1, 2r+1] with r = ceil(3 sigma).
torch::Tensor gaussian_kernel(double sigma);
/// A normalised line kernel of `length` pixels at `degrees`, [L', L'] (L' odd).
torch::Tensor motion_kernel(int64_t length, double degrees);

}  // namespace nnn
