// The plate tracker and detector.
#include "nnn/video/tracker.h"

#include <torch/nn/functional/pooling.h>
#include <torch/nn/functional/upsampling.h>
#include <torch/nn/functional/vision.h>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

#include "nnn/util/enum_names.h"
#include "nnn/util/error.h"
#include "nnn/video/opencv_tracker.h"
#include "nnn/video/scene.h"

namespace nnn {

namespace F = torch::nn::functional;

namespace {

constexpr double kTemplateHeight = 24.0;
constexpr double kPi = 3.14159265358979323846;

torch::Tensor coarse(const torch::Tensor& frame, int64_t factor) {
  if (factor <= 1) return frame;
  return F::avg_pool2d(frame.view({1, 1, frame.size(0), frame.size(1)}),
                       F::AvgPool2dFuncOptions(factor))
      .view({frame.size(0) / factor, frame.size(1) / factor});
}

// The NCC of `patch` [th, tw] at every position of `region` [rh, rw]:
// [rh - th + 1, rw - tw + 1] in [-1, 1]. OpenCV's matchTemplate
// (TM_CCOEFF_NORMED: the same mean-subtracted correlation, by DFT for large
// patches) computes it; torch's conv2d of one channel with a 24x60 kernel
// took ~90% of the tracker's time.
torch::Tensor ncc(const torch::Tensor& region, const torch::Tensor& patch) {
  const auto r = region.to(torch::kFloat32).contiguous();
  const auto p = patch.to(torch::kFloat32).contiguous();
  const int64_t rh = r.size(0), rw = r.size(1), th = p.size(0), tw = p.size(1);
  const int64_t oh = rh - th + 1, ow = rw - tw + 1;
  const auto t0 = p.to(torch::kFloat64) - p.to(torch::kFloat64).mean();
  if (t0.pow(2).sum().item<double>() < 1e-12) return torch::zeros({oh, ow});  // a flat patch
  const cv::Mat rm(static_cast<int>(rh), static_cast<int>(rw), CV_32FC1, r.data_ptr<float>());
  const cv::Mat pm(static_cast<int>(th), static_cast<int>(tw), CV_32FC1, p.data_ptr<float>());
  cv::Mat om;
  cv::matchTemplate(rm, pm, om, cv::TM_CCOEFF_NORMED);
  const auto score =
      torch::from_blob(om.data, {oh, ow}, {static_cast<int64_t>(om.step1()), 1}, torch::kFloat32)
          .clone();
  // A flat window (std below 1% of the range) matches nothing: its NCC is
  // 0, not the rounding noise of a correlation divided by almost zero.
  const auto r64 = r.to(torch::kFloat64);
  auto integral = [&](const torch::Tensor& x) {
    auto sum = torch::zeros({rh + 1, rw + 1}, torch::kFloat64);
    sum.narrow(0, 1, rh).narrow(1, 1, rw).copy_(x.cumsum(0).cumsum(1));
    return sum.narrow(0, th, oh).narrow(1, tw, ow) - sum.narrow(0, 0, oh).narrow(1, tw, ow) -
           sum.narrow(0, th, oh).narrow(1, 0, ow) + sum.narrow(0, 0, oh).narrow(1, 0, ow);
  };
  const double n = static_cast<double>(th * tw);
  const auto s1 = integral(r64);
  const auto var = integral(r64 * r64) - s1 * s1 / n;
  const auto flat = var < n * 1e-4;
  return torch::where(flat, torch::zeros_like(score), score.clamp(-1.0, 1.0));
}

// The vertex offset of the parabola through (-1, a), (0, b), (1, c), in
// [-1, 1]; 0 when b is not the largest.
double parabola_peak(double a, double b, double c) {
  const double curvature = a - 2 * b + c;
  if (b < a || b < c || curvature >= 0) return 0.0;
  return std::clamp(0.5 * (a - c) / curvature, -1.0, 1.0);
}

}  // namespace

double level_angle(const torch::Tensor& frame, const Box& box) {
  // A level plate's rows are its border lines and its text: the means of
  // its rows differ most when they run along them.
  const auto th = std::max<int64_t>(8, std::lround(std::min(box.h, 48.0)));
  const auto tw = std::max<int64_t>(8, std::lround(box.w * static_cast<double>(th) / box.h));
  double best = 0, best_spread = -1;
  for (double degrees = -10; degrees <= 10.01; degrees += 0.5) {
    const auto crop = crop_resize(frame, box, th, tw, degrees);
    const double spread = crop.mean(1).var().item<double>();
    if (spread > best_spread) {
      best_spread = spread;
      best = degrees;
    }
  }
  return best;
}

torch::Tensor crop_resize(const torch::Tensor& frame, const Box& box, int64_t out_h, int64_t out_w,
                          double degrees) {
  const double a = degrees * kPi / 180.0, c = std::cos(a), s = std::sin(a);
  // Offsets from the box centre, turned, then moved to the centre.
  const auto v =
      ((torch::arange(out_h, torch::kFloat64) + 0.5) * (box.h / static_cast<double>(out_h)) -
       box.h / 2)
          .view({out_h, 1});
  const auto u =
      ((torch::arange(out_w, torch::kFloat64) + 0.5) * (box.w / static_cast<double>(out_w)) -
       box.w / 2)
          .view({1, out_w});
  return sample_frame(frame, box.cx() + c * u - s * v, box.cy() + s * u + c * v);
}

torch::Tensor sample_frame(const torch::Tensor& frame, const torch::Tensor& x,
                           const torch::Tensor& y) {
  const double h = static_cast<double>(frame.size(0)), w = static_cast<double>(frame.size(1));
  const auto grid =
      torch::stack({x / w * 2 - 1, y / h * 2 - 1}, -1).to(torch::kFloat32).unsqueeze(0);
  return F::grid_sample(frame.to(torch::kFloat32).view({1, 1, frame.size(0), frame.size(1)}), grid,
                        F::GridSampleFuncOptions()
                            .mode(torch::kBilinear)
                            .padding_mode(torch::kBorder)
                            .align_corners(false))
      .view({x.size(0), x.size(1)});
}

std::array<std::array<double, 2>, 4> step_corners(const TrackStep& step) {
  const double a = step.degrees * kPi / 180.0, c = std::cos(a), s = std::sin(a);
  const double hw = step.box.w / 2, hh = step.box.h / 2;
  const double offsets[4][2] = {{-hw, -hh}, {hw, -hh}, {hw, hh}, {-hw, hh}};
  std::array<std::array<double, 2>, 4> corners{};
  for (size_t i = 0; i < 4; ++i) {
    corners[i] = {step.box.cx() + c * offsets[i][0] - s * offsets[i][1],
                  step.box.cy() + s * offsets[i][0] + c * offsets[i][1]};
  }
  return corners;
}

PlateTracker::PlateTracker(const torch::Tensor& frame, const Box& box, TrackerOptions options)
    : options_(std::move(options)), box_(box) {
  NNN_CHECK(frame.dim() == 2, "track: a frame must be [H, W]");
  NNN_CHECK(box.w >= 4 && box.h >= 4, "track: the start box is too small (", box.w, "x", box.h,
            "; at least 4x4 pixels)");
  NNN_CHECK(box.x >= 0 && box.y >= 0 && box.x + box.w <= static_cast<double>(frame.size(1)) &&
                box.y + box.h <= static_cast<double>(frame.size(0)),
            "track: the start box ", box.x, ",", box.y, ",", box.w, ",", box.h,
            " is not inside the ", frame.size(1), "x", frame.size(0), " frame");
  factor_ = std::max(1.0, std::floor(box.h / kTemplateHeight));
  const auto th = std::max<int64_t>(4, std::lround(box.h / factor_));
  const auto tw = std::max<int64_t>(4, std::lround(box.w / factor_));
  degrees_ = level_angle(frame, box);
  template_ = crop_resize(frame, box, th, tw, degrees_);
}

TrackStep PlateTracker::update(const torch::Tensor& frame) {
  const auto factor = static_cast<int64_t>(factor_);
  const auto small = coarse(frame.to(torch::kFloat32), factor);
  const double f = factor_;
  // Where the plate should be (coarse pixels), and how far to look.
  const double pcx = (box_.cx() + vx_) / f, pcy = (box_.cy() + vy_) / f;
  const double radius = (options_.search * box_.h + std::hypot(vx_, vy_)) / f *
                        std::min(3.0, std::pow(1.5, static_cast<double>(lost_)));
  // While lost, look over a wider range of sizes and angles too.
  std::vector<double> scales = options_.scales, turns = options_.turns;
  if (lost_ > 0) {
    for (double extra : {0.82, 0.88, 1.12, 1.2}) scales.push_back(extra);
    for (double extra : {-6.0, 6.0}) turns.push_back(extra);
  }
  const double max_scale = *std::max_element(scales.begin(), scales.end());
  const double expected = degrees_;
  const auto rw = static_cast<int64_t>(std::ceil(box_.w * max_scale / f + 2 * radius));
  const auto rh = static_cast<int64_t>(std::ceil(box_.h * max_scale / f + 2 * radius));
  TrackStep best;
  best.score = -2;
  std::vector<double> turn_scores;
  for (double turn : turns) {
    double turn_best = -2;
    const double angle = expected + turn;
    // The window around the expected centre, turned by -angle: the plate
    // in it is level when the angle is right.
    const auto region =
        crop_resize(small, Box::around(pcx, pcy, static_cast<double>(rw), static_cast<double>(rh)),
                    rh, rw, angle);
    for (double scale : scales) {
      const auto tw = std::max<int64_t>(4, std::lround(box_.w * scale / f));
      const auto th = std::max<int64_t>(4, std::lround(box_.h * scale / f));
      if (tw > rw || th > rh) continue;
      const auto patch =
          F::interpolate(template_.view({1, 1, template_.size(0), template_.size(1)}),
                         F::InterpolateFuncOptions()
                             .size(std::vector<int64_t>{th, tw})
                             .mode(torch::kBilinear)
                             .align_corners(false))
              .view({th, tw});
      const auto map = ncc(region, patch);
      const auto flat = map.argmax().item<int64_t>();
      const double score = map.view(-1)[flat].item<double>();
      turn_best = std::max(turn_best, score);
      if (score > best.score) {
        const int64_t iy = flat / map.size(1), ix = flat % map.size(1);
        // Sub-pixel: the parabola through the peak and its neighbours.
        const auto at = [&](int64_t y, int64_t x) {
          return y >= 0 && x >= 0 && y < map.size(0) && x < map.size(1) ? map[y][x].item<double>()
                                                                        : score;
        };
        const double sx = parabola_peak(at(iy, ix - 1), score, at(iy, ix + 1));
        const double sy = parabola_peak(at(iy - 1, ix), score, at(iy + 1, ix));
        // The match centre in the turned window, back to the frame.
        const double dx = static_cast<double>(ix) + sx + static_cast<double>(tw) / 2 -
                          static_cast<double>(rw) / 2;
        const double dy = static_cast<double>(iy) + sy + static_cast<double>(th) / 2 -
                          static_cast<double>(rh) / 2;
        const double a = angle * kPi / 180.0;
        const double cx = (pcx + std::cos(a) * dx - std::sin(a) * dy) * f;
        const double cy = (pcy + std::sin(a) * dx + std::cos(a) * dy) * f;
        best.score = score;
        best.degrees = angle;
        best.box = Box::around(cx, cy, box_.w * scale, box_.h * scale);
      }
    }
    turn_scores.push_back(turn_best);
  }
  // Between the angles tried: the parabola through the three nearest ones.
  if (options_.turns.size() == 3 && best.degrees == expected + options_.turns[1]) {
    best.degrees += parabola_peak(turn_scores[0], turn_scores[1], turn_scores[2]) *
                    (options_.turns[2] - options_.turns[1]);
  }
  if (best.score < options_.min_score) {
    ++lost_;
    // Coast: keep moving, growing and turning as the last good matches did.
    box_ = Box::around(box_.cx() + vx_, box_.cy() + vy_, box_.w * vs_, box_.h * vs_);
    degrees_ += vd_;
    best.box = box_;
    best.degrees = degrees_;
    best.lost = true;
    return best;
  }
  lost_ = 0;
  vs_ = 0.5 * vs_ + 0.5 * (best.box.h / box_.h);
  vx_ = 0.5 * vx_ + 0.5 * (best.box.cx() - box_.cx());
  vy_ = 0.5 * vy_ + 0.5 * (best.box.cy() - box_.cy());
  vd_ = 0.5 * vd_ + 0.5 * (best.degrees - degrees_);
  degrees_ = best.degrees;
  box_ = best.box;
  if (best.score >= options_.good_score) {
    const auto seen = crop_resize(frame, box_, template_.size(0), template_.size(1), degrees_);
    template_ = (1 - options_.update) * template_ + options_.update * seen;
  }
  return best;
}

const std::vector<std::string>& tracker_method_names() {
  static const std::vector<std::string> names = {"nnn", "csrt", "kcf", "mil"};
  return names;
}

const std::string& to_string(TrackerMethod method) {
  return enum_name(tracker_method_names(), method);
}

TrackerMethod parse_tracker_method(const std::string& name, const std::string& what) {
  return enum_from_name<TrackerMethod>(tracker_method_names(), name, what);
}

std::vector<TrackStep> track_plate(const torch::Tensor& frames, const Box& init,
                                   const TrackerOptions& options) {
  NNN_CHECK(frames.dim() == 3 && frames.size(0) >= 1, "track: expected frames [F, H, W]; got ",
            frames.sizes());
  if (options.method != TrackerMethod::kNnn)
    return track_plate_opencv(frames, init, options.method);
  PlateTracker tracker(frames[0], init, options);
  std::vector<TrackStep> steps;
  TrackStep first;
  first.box = init;
  steps.push_back(first);
  for (int64_t t = 1; t < frames.size(0); ++t) steps.push_back(tracker.update(frames[t]));
  return steps;
}

Box detect_plate(const torch::Tensor& frame, int64_t digits, double* score) {
  NNN_CHECK(frame.dim() == 2, "detect: a frame must be [H, W]");
  NNN_CHECK(digits >= 1 && digits <= 12, "detect: digits must be 1 to 12; got ", digits);
  // Work on a half-size copy; integral images of the pixels and their squares.
  const int64_t factor = 2;
  const auto small = coarse(frame.to(torch::kFloat64), factor);
  const int64_t h = small.size(0), w = small.size(1);
  auto integral = [&](const torch::Tensor& x) {
    auto s = torch::zeros({h + 1, w + 1}, torch::kFloat64);
    s.narrow(0, 1, h).narrow(1, 1, w).copy_(x.cumsum(0).cumsum(1));
    return s;
  };
  const auto s1 = integral(small), s2 = integral(small * small);
  // Sums of every bh x bw window: [h - bh + 1, w - bw + 1].
  auto window = [&](const torch::Tensor& s, int64_t bh, int64_t bw) {
    const int64_t oh = h - bh + 1, ow = w - bw + 1;
    return s.narrow(0, bh, oh).narrow(1, bw, ow) - s.narrow(0, 0, oh).narrow(1, bw, ow) -
           s.narrow(0, bh, oh).narrow(1, 0, ow) + s.narrow(0, 0, oh).narrow(1, 0, ow);
  };
  const double aspect = static_cast<double>(plate_width(digits)) / kPlateHeight;
  Box best;
  double best_score = -1e9;
  for (double bh_f = 8;
       bh_f * aspect < static_cast<double>(w) - 4 && bh_f < static_cast<double>(h) / 2;
       bh_f *= 1.08) {
    const auto bh = static_cast<int64_t>(std::lround(bh_f));
    const auto bw = static_cast<int64_t>(std::lround(bh_f * aspect));
    const int64_t mh = std::max<int64_t>(2, bh / 4), mw = std::max<int64_t>(2, bh / 4);  // ring
    const int64_t oh = bh + 2 * mh, ow = bw + 2 * mw;
    if (oh > h || ow > w) break;
    const double n_in = static_cast<double>(bh * bw), n_out = static_cast<double>(oh * ow) - n_in;
    // Inner windows aligned with the outer ones: offset by the ring.
    const auto outer = window(s1, oh, ow);
    const auto inner = window(s1, bh, bw).narrow(0, mh, outer.size(0)).narrow(1, mw, outer.size(1));
    const auto inner2 =
        window(s2, bh, bw).narrow(0, mh, outer.size(0)).narrow(1, mw, outer.size(1));
    const auto mean_in = inner / n_in;
    const auto mean_ring = (outer - inner) / n_out;
    const auto std_in = (inner2 / n_in - mean_in * mean_in).clamp_min(0).sqrt();
    const auto map = mean_in - mean_ring + std_in;
    const auto flat = map.argmax().item<int64_t>();
    const double value = map.view(-1)[flat].item<double>();
    if (value > best_score) {
      best_score = value;
      const int64_t iy = flat / map.size(1), ix = flat % map.size(1);
      best = {static_cast<double>((ix + mw) * factor), static_cast<double>((iy + mh) * factor),
              static_cast<double>(bw * factor), static_cast<double>(bh * factor)};
    }
  }
  NNN_CHECK(best_score > -1e9, "detect: the frame (", frame.size(1), "x", frame.size(0),
            ") is too small to hold a plate");
  if (score != nullptr) *score = best_score;
  return best;
}

}  // namespace nnn
