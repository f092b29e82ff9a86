// Seeded image degradations for the blurry-frames experiments: random
// shift and rotation, motion blur, Gaussian blur, low resolution, contrast
// loss and additive Gaussian noise, composed in that order. Images are rows
// of a square [B, S*S] tensor with values in [0, 1]; every random choice is
// drawn per image from a generator seeded by the caller, so a seed fixes the
// result. Degraded pixels are clipped to [0, 1], as a camera's saturate.
#pragma once

#include <torch/types.h>

#include <cstdint>

#include "nnn/data/frame_options.h"

namespace nnn {

/// One degraded copy of each image. images: [B, S*S] -> [B, S*S].
torch::Tensor degrade(const torch::Tensor& images, const DegradeOptions& options, uint64_t seed);

/// F independently degraded frames of each image: [B, S*S] -> [F, B, S*S].
torch::Tensor degrade_frames(const torch::Tensor& images, int64_t frames,
                             const DegradeOptions& options, uint64_t seed);

/// What a model of `feed` receives from frames [F, B, D]: the frames
/// themselves (sequence), frame 1 [B, D] (single) or their mean [B, D] (average).
torch::Tensor feed_frames(const torch::Tensor& frames, FrameFeed feed);
/// frames [F, B, D] -> [B, D]: sample b's average over its first k_b frames,
/// k_b uniform in 1..F, drawn from `seed` (the average_random feed's
/// training batches).
torch::Tensor random_prefix_average(const torch::Tensor& frames, uint64_t seed);

/// Same-size convolution (zero padding) of images [B, 1, H, W] with one
/// shared kernel [k, k] or one kernel per image [B, k, k].
torch::Tensor convolve(const torch::Tensor& images, const torch::Tensor& kernels);

/// A normalised Gaussian kernel of std `sigma`, [2r+1, 2r+1] with r = ceil(3 sigma).
torch::Tensor gaussian_kernel(double sigma);
/// A normalised line kernel of `length` pixels at `degrees`, [L', L'] (L' odd).
torch::Tensor motion_kernel(int64_t length, double degrees);
/// One such kernel per angle: degrees [B] -> [B, L', L'].
torch::Tensor motion_kernels(int64_t length, const torch::Tensor& degrees);

}  // namespace nnn
