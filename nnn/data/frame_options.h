// Settings of blurry-frame datasets, torch-free so that the config layer can
// hold them: which degradations make a frame, how many frames each image
// gets, and how the frames reach a model. nnn/data/degrade.h applies them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nnn {

struct DegradeOptions {
  double shift = 0.0;          // max translation in pixels, uniform in [-shift, shift] (sub-pixel)
  double rotation = 0.0;       // max rotation in degrees, uniform in [-rotation, rotation]
  int64_t motion_length = 0;   // motion-blur length in pixels (0 or 1: off)
  double motion_angle = -1.0;  // degrees; < 0: a random angle per image
  double blur_sigma = 0.0;     // Gaussian blur std in pixels (0: off)
  int64_t low_resolution = 0;  // downscale to this side, then back up (0: off)
  double contrast = 1.0;       // scale of deviations from each image's mean (1: off)
  double noise_std = 0.0;      // std of additive Gaussian noise (0: off)

  bool any() const {
    return shift > 0 || rotation > 0 || motion_length > 1 || blur_sigma > 0 || low_resolution > 0 ||
           contrast != 1.0 || noise_std > 0;
  }
};

/// How the F frames of an image reach a model.
enum class FrameFeed {
  kSequence,  // all frames, [F, B, D]: frame t at step t (the NNN's way)
  kSingle,    // the first frame only, [B, D]
  kAverage,   // the pixel average of the F frames, [B, D]
  // Training: the average of each sample's first k frames, k uniform in
  // 1..F per sample (a reader for any number of frames); evaluation: all F.
  kAverageRandom,
};

/// "sequence" | "single" | "average" | "average_random": the accepted words,
/// in enum order (the reader parses them like every enum).
const std::vector<std::string>& frame_feed_names();
const std::string& to_string(FrameFeed feed);

struct FrameOptions {
  int64_t count = 1;  // frames per image
  DegradeOptions degrade;
  FrameFeed feed = FrameFeed::kSequence;

  /// Whether the data are frames at all (degraded, or more than one copy).
  bool active() const { return count > 1 || degrade.any(); }
};

}  // namespace nnn
