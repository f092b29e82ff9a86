// OpenCV's trackers behind nnn's tracking interface, to compare with nnn's
// own NCC tracker on the same videos: CSRT and KCF (libopencv-contrib's
// tracking module) and MIL (OpenCV's video module). Each is given the frames
// as 8-bit images and the start box rounded to whole pixels; it answers an
// axis-aligned box per frame, or that it lost the target (then the last box
// is kept, marked lost). Such steps have angle 0 and no score (NaN).
#pragma once

#include <torch/types.h>

#include <vector>

#include "nnn/video/box.h"
#include "nnn/video/tracker.h"

namespace nnn {

/// Tracks `frames` [F, H, W] in [0, 1] from `init` with OpenCV's `method`
/// (not kNnn); step 0 is `init`. nnn::Error when the start box has no
/// pixels inside the frame, or OpenCV refuses it.
std::vector<TrackStep> track_plate_opencv(const torch::Tensor& frames, const Box& init,
                                          TrackerMethod method);

}  // namespace nnn
