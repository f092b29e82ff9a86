// Following a plate through a video: normalised cross-correlation (NCC) of
// a template over a search window around where the plate should be, at a
// few scales and angles (the window is sampled turned by each angle), on a
// coarser copy of the frames (template about 24 pixels high), with the
// template updated from confident matches; a match below a threshold is
// reported as lost, not guessed (the box then coasts with the last motion,
// growth and turn). And finding a plate in a frame without a given box.
//
// Frames are [H, W] float tensors in [0, 1].
#pragma once

#include <torch/types.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "nnn/video/box.h"

namespace nnn {

/// Which tracker follows the plate: nnn's own (below), or OpenCV's CSRT or
/// KCF (contrib's tracking module) or MIL (its video module), through
/// nnn/video/opencv_tracker.h. OpenCV's give an axis-aligned box and no
/// score; they report a frame lost when their update says so.
enum class TrackerMethod { kNnn, kCsrt, kKcf, kMil };
/// "nnn", "csrt", "kcf", "mil": the accepted names, in enum order.
const std::vector<std::string>& tracker_method_names();
const std::string& to_string(TrackerMethod method);
/// The method named `name`; nnn::Error naming `what` and the choices otherwise.
TrackerMethod parse_tracker_method(const std::string& name, const std::string& what);

struct TrackerOptions {
  TrackerMethod method = TrackerMethod::kNnn;
  // The rest are nnn's tracker's.
  double search = 0.8;      // search radius: this x the box height, plus the last motion
  double min_score = 0.4;   // best NCC below this: the frame is lost
  double good_score = 0.7;  // at or above: the template learns from the match
  double update = 0.15;     // how much a good match changes the template
  std::vector<double> scales = {0.94, 1.0, 1.06};
  std::vector<double> turns = {-3.0, 0.0, 3.0};  // degrees, around the last angle
};

struct TrackStep {
  Box box;             // the plate's unrotated box: centre and size (when lost: predicted)
  double degrees = 0;  // its rotation about the box centre (clockwise on screen, y down)
  double score = 1.0;  // the best NCC (nnn's tracker; NaN for OpenCV's, which give none)
  bool lost = false;
};

/// The plate's corners (TL, TR, BR, BL) of a track step: its box turned by its angle.
std::array<std::array<double, 2>, 4> step_corners(const TrackStep& step);

class PlateTracker {
 public:
  /// Starts from `box` in `frame` (the template is cut from there).
  PlateTracker(const torch::Tensor& frame, const Box& box, TrackerOptions options = {});
  /// Finds the plate in the next frame.
  TrackStep update(const torch::Tensor& frame);

 private:
  TrackerOptions options_;
  Box box_;
  double vx_ = 0, vy_ = 0;       // motion per frame of the last good matches
  double vs_ = 1;                // growth per frame of the last good matches
  double degrees_ = 0, vd_ = 0;  // angle, and its change per frame
  int64_t lost_ = 0;             // frames lost in a row
  double factor_ = 1;            // pixels of the frame per pixel of the coarse copy
  torch::Tensor template_;       // the plate at the coarse scale, [th, tw]
};

/// Tracks every frame of `frames` [F, H, W] from `init` (the box in frame
/// 1) with options.method; step 0 is `init` itself with score 1.
std::vector<TrackStep> track_plate(const torch::Tensor& frames, const Box& init,
                                   const TrackerOptions& options = {});

/// Finds the most plate-like box of a K-digit plate's aspect in `frame`:
/// a light area with dark strokes inside (high standard deviation) and
/// darker surroundings, searched over every position and a range of sizes
/// with integral images. `score` (optional) receives its score.
Box detect_plate(const torch::Tensor& frame, int64_t digits, double* score = nullptr);

/// `frame` [H, W] sampled bilinearly at the pixel coordinates `x`, `y`
/// (same shape [h, w], float64; pixel centres at +0.5; the frame's edge
/// pixels repeat outside it): [h, w] float32.
torch::Tensor sample_frame(const torch::Tensor& frame, const torch::Tensor& x,
                           const torch::Tensor& y);

/// The angle (degrees, -10 .. 10 in steps of 0.5) by which the contents of
/// `box` in `frame` must be turned to run level: the one whose rows' means
/// spread most (a plate's border lines and text run along its rows).
double level_angle(const torch::Tensor& frame, const Box& box);

/// The region `box` of `frame`, turned by `degrees` about its centre,
/// resampled to out_h x out_w (bilinear; the frame's edge pixels repeat
/// outside it).
torch::Tensor crop_resize(const torch::Tensor& frame, const Box& box, int64_t out_h, int64_t out_w,
                          double degrees = 0);

}  // namespace nnn
