// `nnn frames`: the blurry-frames comparison. On the same fixed test frames
// (data.frames, data.degrade of the configs), five ways to read an image
// from F degraded frames:
//   1. an MLP on a single frame (the first);
//   2. an MLP trained and evaluated on the pixel average of the frames;
//   3. the MLP of 1 applied to every frame, outputs averaged over frames;
//   4. the NNN fed one frame per step (feed: sequence);
//   5. the NNN fed the same single frame at every step (feed: single).
// Each is scored after k = 1..F frames: the averages over the first k
// frames for 2 and 3, step k + d for the NNNs (d: the wiring's input-to-
// output distance, since the prediction of step t has seen frames 1..t-d).
// Writes frames.md, frames.json and frames.svg (accuracy and confidence
// against frames seen), and each trained run in its own subdirectory.
//
// Dimension key: F frames, T steps, N test samples, C classes.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace nnn {

/// One method's metrics on the test frames; entries are NaN where a method
/// has no value (an NNN whose steps end before it has seen k frames).
struct FrameCurve {
  std::string key;    // mlp_single | mlp_average | mlp_logits | nnn_sequence | nnn_single
  std::string label;  // for tables and the plot legend
  int64_t parameters = 0;
  double train_seconds = 0.0;  // 0 for mlp_logits (it reuses mlp_single's model)
  std::vector<double> accuracy;
  std::vector<double> top3;
  std::vector<double> confidence;
  std::vector<double> ece;  // expected calibration error (15 bins)
};

struct FramesComparison {
  std::string dir;
  int64_t frames = 0;    // F
  int64_t steps = 0;     // T of the NNN
  int64_t distance = 0;  // d of the NNN's wiring
  int64_t test_samples = 0;
  std::string degrade;                // the degradations, as "key=value" text
  std::vector<FrameCurve> by_frames;  // the five methods, [F] each
  std::vector<FrameCurve> nnn_steps;  // the two NNNs per step, [T] each
};

/// Trains the four models (the NNN config twice, the MLP config twice) with
/// `overrides` applied to both configs, into `out` (empty:
/// `runs/<nnn name>-frames-<time>`), evaluates the five methods and writes the
/// report. The two configs must agree on `data` and `seed` (the same frames).
FramesComparison run_frames_comparison(const std::string& nnn_config, const std::string& mlp_config,
                                       const std::vector<std::string>& overrides,
                                       const std::string& out, std::ostream& log);

/// The Markdown report: per frame count, per NNN step, and which method wins.
std::string frames_markdown(const FramesComparison& comparison);
/// Accuracy and confidence against frames seen, one line per method.
std::string frames_svg(const FramesComparison& comparison);

}  // namespace nnn
