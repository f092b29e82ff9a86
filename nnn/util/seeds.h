// Seed mixing and every seed salt nnn uses, in one place. A salt separates
// the random streams drawn from one experiment seed (training order, test
// frames, augmentation, ...); changing one changes every figure that depends
// on it, so they are named here and nowhere else. Torch-free.
#pragma once

#include <cstdint>

namespace nnn {

namespace detail {
/// One round of splitmix64.
inline uint64_t splitmix(uint64_t z) {
  z += 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}
}  // namespace detail

/// Mixes (a, b, c) into one well-spread 64-bit seed (splitmix64 rounds).
inline uint64_t mix_seed(uint64_t a, uint64_t b, uint64_t c = 0) {
  return detail::splitmix(detail::splitmix(detail::splitmix(a) ^ b) ^ c);
}

/// Salts, each XOR-ed into or mixed with the experiment seed.
namespace salt {
/// Generated test sets (spiral, toy): seed ^ this, independent of training.
inline constexpr uint64_t kSyntheticTest = 0x9E3779B97F4A7C15ULL;
/// The shuffle that splits a CSV table into train and test rows: seed ^ this.
inline constexpr uint64_t kCsvSplit = 0xC5FULL;
/// The shuffle of a frame set's videos that holds some out for testing: seed ^ this.
inline constexpr uint64_t kFrameSetSplit = 0xF5E7ULL;
/// Which training samples data.validation holds out.
inline constexpr uint64_t kValidationSplit = 0x7A11DA7EULL;
/// The fixed degraded test frames: mix_seed(seed, this).
inline constexpr uint64_t kTestFrames = 0x7E57F4A3ULL;
/// Fixed frames of the training set when a run is evaluated on it: seed ^ this.
inline constexpr uint64_t kTrainEvalFrames = 0x7A1EULL;
/// Per-batch random shifts: mix_seed(seed ^ this, epoch, batch).
inline constexpr uint64_t kAugmentShift = 0xA5A5A5A5ULL;
/// Per-batch degraded training frames: mix_seed(seed ^ this, epoch, batch).
inline constexpr uint64_t kTrainFrames = 0xF7A3E5C1ULL;
/// Frame f of a degraded set: mix_seed(seed, f, this).
inline constexpr uint64_t kFrame = 0xF4A3E5ULL;
/// Dropout masks of a training batch: mix_seed(seed ^ this, epoch, batch).
inline constexpr uint64_t kDropout = 0xD50F0ULL;
/// How many frames each training sample of the average_random feed averages:
/// mix_seed(the batch's frame seed, this).
inline constexpr uint64_t kFrameCount = 0xF4C0A7ULL;
/// Which test digits make up generated plates: mix_seed(plate seed, this).
inline constexpr uint64_t kPlateDigits = 0x91A7E5ULL;
/// Everything random in a synthetic video: mix_seed(video seed, this).
inline constexpr uint64_t kVideo = 0x71DE0ULL;
}  // namespace salt

}  // namespace nnn
