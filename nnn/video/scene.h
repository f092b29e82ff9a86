// Synthetic traffic videos with ground truth, for plate tracking and
// multi-frame reading without private footage: a static cluttered,
// textured scene (camera fixed) and a plate of K test digits that moves
// along a smooth trajectory, grows (approaching), turns slightly, and is
// blurred along its motion, defocused, darkened, noisy and sometimes
// partly hidden by a passing occluder.
//
// Coordinates are pixels, x to the right, y down, (0, 0) the top-left
// corner of the top-left pixel. Dimension key: F frames, H x W the scene,
// K digits.
#pragma once

#include <torch/types.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "nnn/video/box.h"

namespace nnn {

/// A plate is K 28x28 digits side by side with a 4-pixel border:
/// (28 K + 8) x 36 pixels at scale 1, dark ink on a light ground.
inline constexpr int64_t kPlateBorder = 4;
inline int64_t plate_width(int64_t digits) { return 28 * digits + 2 * kPlateBorder; }
inline constexpr int64_t kPlateHeight = 28 + 2 * kPlateBorder;

struct VideoOptions {
  int64_t width = 320;
  int64_t height = 240;
  int64_t digits = 4;         // K
  int64_t frames = 6;         // F
  double speed = 6.0;         // plate centre, pixels per frame
  double scale_start = 1.0;   // plate size in frame 1 (1: 36 pixels high)
  double scale_end = 1.4;     // ... in frame F (approaching)
  double max_rotation = 4.0;  // degrees, a slow sway within +-max
  double motion_blur = 1.0;   // blur length = this x the displacement per frame
  double defocus = 0.7;       // Gaussian blur std in pixels (0: off)
  double contrast = 0.6;      // low light: scene = contrast x scene + dark offset
  double noise_std = 0.05;    // sensor noise
  double occlusion = 0.0;     // chance that an occluder crosses the plate
  uint64_t seed = 0;

  /// "easy" | "medium" | "hard": speed, noise and occlusion presets (the
  /// other settings as above); nnn::Error names the word otherwise.
  static VideoOptions preset(const std::string& difficulty);
  /// Checks every range (sizes, frames, digits, non-negative amounts); errors name the setting.
  void validate() const;
};

/// What a frame shows: the plate's centre, scale and rotation, its four
/// corners (top-left, top-right, bottom-right, bottom-left of the plate
/// image), its unrotated box (centre, scale x plate size) and the fraction
/// of the plate hidden by the occluder.
struct FrameTruth {
  double cx = 0, cy = 0, scale = 1, degrees = 0;
  std::array<std::array<double, 2>, 4> corners{};
  Box box;
  double occluded = 0;
};

struct SyntheticVideo {
  torch::Tensor frames;             // [F, H, W] float32 in [0, 1]
  std::string reading;              // the K true digits
  std::vector<int64_t> digit_rows;  // which rows of `images` they are
  std::vector<FrameTruth> truth;
};

/// Renders a video of `options.digits` digits picked (seeded) from `images`
/// [N, 784] (pixels in [0, 1], light ink on dark) with classes `labels` [N]
/// in 0..9. Deterministic in options.seed.
SyntheticVideo make_video(const torch::Tensor& images, const torch::Tensor& labels,
                          const VideoOptions& options);

/// The plate image itself [36, 28K + 8] in [0, 1] (dark ink, light ground)
/// from K digits [K, 784] (light ink on dark).
torch::Tensor render_plate_image(const torch::Tensor& digits);

}  // namespace nnn
