// Seeded data augmentation for square images stored as rows [B, S*S].
#pragma once

#include <torch/types.h>

#include <cstdint>

namespace nnn {

/// Translates each image by its own random (dx, dy) in [-max_shift,
/// max_shift]^2 pixels, filling with zeros. images: [B, S*S] -> [B, S*S].
/// Deterministic in `seed`.
torch::Tensor random_shift(const torch::Tensor& images, int64_t max_shift, uint64_t seed);

/// Mixes (a, b, c) into one well-spread 64-bit seed (splitmix64 rounds).
uint64_t mix_seed(uint64_t a, uint64_t b, uint64_t c = 0);

}  // namespace nnn
