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

namespace at {
class Tensor;  // torch::Tensor
}  // namespace at

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

/// Anytime reading with a stopping rule: read frames until the confidence
/// (largest softmax probability) reaches tau, then answer.
struct AnytimePoint {
  double tau = 0;          // > 1: never stop early (all frames)
  double accuracy = 0;     // of the answers where each sample stopped
  double mean_frames = 0;  // frames read, averaged over the samples
};
struct AnytimeCurve {
  std::string key, label;
  std::vector<AnytimePoint> points;  // one per tau, in the order given
};

/// `outputs` [F, N, C]: a method's outputs after k = 1..F frames. Each
/// sample stops at the first k whose softmax's largest probability is >=
/// tau (at F when none is); per tau, the accuracy there and the mean k.
std::vector<AnytimePoint> anytime_reading(const at::Tensor& outputs, const at::Tensor& labels,
                                          const std::vector<double>& taus);

/// The stopping thresholds `nnn frames` sweeps (the last, 2, reads every frame).
const std::vector<double>& anytime_taus();

struct FramesComparison {
  std::string dir;
  int64_t frames = 0;    // F
  int64_t steps = 0;     // T of the NNN
  int64_t distance = 0;  // d of the NNN's wiring
  int64_t test_samples = 0;
  std::string degrade;                // the degradations, as "key=value" text
  std::vector<FrameCurve> by_frames;  // the five methods, [F] each
  std::vector<FrameCurve> nnn_steps;  // the two NNNs per step, [T] each
  /// Methods that read more with every frame (not the one-frame ones).
  std::vector<AnytimeCurve> anytime;
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
/// Accuracy against mean frames read under the stopping rule, one line per method.
std::string anytime_svg(const FramesComparison& comparison);

}  // namespace nnn
