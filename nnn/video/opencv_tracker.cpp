// OpenCV's CSRT, KCF and MIL trackers over nnn's frames.
#include "nnn/video/opencv_tracker.h"

#include <opencv2/core.hpp>
#include <opencv2/tracking.hpp>
#include <opencv2/video/tracking.hpp>

#include <cmath>
#include <cstdlib>
#include <limits>

#include "nnn/util/error.h"
#include "nnn/video/crops.h"

namespace nnn {

namespace {

// A frame [H, W] in [0, 1] as the 8-bit BGR image OpenCV's trackers take
// (CSRT's colour features want three channels; grey ones repeated).
cv::Mat bgr_frame(const torch::Tensor& frame) {
  const auto bytes = to_bytes(frame);
  const cv::Mat grey(static_cast<int>(bytes.size(0)), static_cast<int>(bytes.size(1)), CV_8UC1,
                     bytes.data_ptr<uint8_t>());
  cv::Mat bgr;
  cv::merge(std::vector<cv::Mat>{grey, grey, grey}, bgr);  // copies out of `bytes`
  return bgr;
}

cv::Ptr<cv::Tracker> make_tracker(TrackerMethod method) {
  switch (method) {
    case TrackerMethod::kCsrt:
      return cv::TrackerCSRT::create();
    case TrackerMethod::kKcf:
      return cv::TrackerKCF::create();
    case TrackerMethod::kMil:
      return cv::TrackerMIL::create();
    case TrackerMethod::kNnn:
      break;
  }
  throw Error("track_plate_opencv: nnn's own tracker is not one of OpenCV's");
}

}  // namespace

std::vector<TrackStep> track_plate_opencv(const torch::Tensor& frames, const Box& init,
                                          TrackerMethod method) {
  NNN_CHECK(frames.dim() == 3 && frames.size(0) >= 1, "track: expected frames [F, H, W]; got ",
            frames.sizes());
  const int height = static_cast<int>(frames.size(1)), width = static_cast<int>(frames.size(2));
  // The start box in whole pixels, inside the frame.
  const int x0 = std::max(0, static_cast<int>(std::lround(init.x)));
  const int y0 = std::max(0, static_cast<int>(std::lround(init.y)));
  const int x1 = std::min(width, static_cast<int>(std::lround(init.x + init.w)));
  const int y1 = std::min(height, static_cast<int>(std::lround(init.y + init.h)));
  NNN_CHECK(x1 - x0 >= 2 && y1 - y0 >= 2, "track (", to_string(method), "): the start box ", init.x,
            ",", init.y, ",", init.w, ",", init.h, " has no area inside the ", width, "x", height,
            " frame");
  cv::Ptr<cv::Tracker> tracker = make_tracker(method);
  // MIL draws its Haar features and samples with C's rand(): seeded here,
  // the same video is tracked the same way every time (nnn itself never
  // draws from rand()).
  std::srand(0x6e6e);
  try {
    tracker->init(bgr_frame(frames[0]), cv::Rect(x0, y0, x1 - x0, y1 - y0));
  } catch (const cv::Exception&) {
    throw Error("track (" + to_string(method) + "): OpenCV's tracker refused the start box " +
                std::to_string(x1 - x0) + "x" + std::to_string(y1 - y0));
  }
  std::vector<TrackStep> steps;
  TrackStep first;
  first.box = init;
  first.score = std::numeric_limits<double>::quiet_NaN();
  steps.push_back(first);
  Box last = init;
  for (int64_t t = 1; t < frames.size(0); ++t) {
    cv::Rect rect;
    bool found = false;
    try {
      found = tracker->update(bgr_frame(frames[t]), rect);
    } catch (const cv::Exception&) {
      found = false;  // as lost: the box OpenCV could not follow
    }
    TrackStep step;
    step.score = std::numeric_limits<double>::quiet_NaN();
    step.lost = !found || rect.width <= 0 || rect.height <= 0;
    if (!step.lost)
      last = {double(rect.x), double(rect.y), double(rect.width), double(rect.height)};
    step.box = last;
    steps.push_back(step);
  }
  return steps;
}

}  // namespace nnn
