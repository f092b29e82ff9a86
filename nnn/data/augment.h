// Seeded data augmentation for square images stored as rows [B, S*S].
#pragma once

#include <torch/types.h>

#include <cstdint>

#include "nnn/util/seeds.h"

namespace nnn {

/// Translates each image by its own random (dx, dy) in [-max_shift,
/// max_shift]^2 pixels, filling with zeros. images: [B, S*S] -> [B, S*S].
/// Deterministic in `seed`.
torch::Tensor random_shift(const torch::Tensor& images, int64_t max_shift, uint64_t seed);

}  // namespace nnn
