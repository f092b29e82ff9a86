// `nnn frames`: the blurry-frames comparison. On the same fixed test frames
// (data.frames, data.degrade of the configs), five ways to read an image
// from F degraded frames:
//   1. an MLP on a single frame (the first);
//   2. an MLP trained and evaluated on the pixel average of the frames;
//   3. the MLP of 1 applied to every frame, outputs averaged over frames;
//   4. the NNN fed one frame per step (feed: sequence);
//   5. the NNN fed the same single frame at every step (feed: single);
// and, unless left out, three baselines a reviewer asks for:
//   6. the MLP trained on the average of a random number (1..F) of frames
//      per sample (feed: average_random), so it is trained for every k;
//   7, 8. GRU and LSTM frame readers (one recurrent cell on a self-loop
//      with a linear read-out per step, nnn/core/recurrent_cell.h), their
//      hidden size chosen so their parameters match the NNN's as closely
//      as the size allows, trained with the NNN's data, epochs, optimiser,
//      schedule and loss.
// Each is scored after k = 1..F frames: the averages over the first k
// frames for 2, 3 and 6, step k + d for the NNNs (d: the wiring's input-to-
// output distance, since the prediction of step t has seen frames 1..t-d),
// step k for the recurrent readers.
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

/// Per test sample, whether it was read right.
using SampleHits = std::vector<bool>;

/// One method's metrics on the test frames; entries are NaN where a method
/// has no value (an NNN whose steps end before it has seen k frames).
struct FrameCurve {
  std::string key;    // mlp_single | mlp_average | mlp_logits | nnn_sequence | nnn_single |
                      // mlp_average_random | gru | lstm
  std::string label;  // for tables and the plot legend
  int64_t parameters = 0;
  double train_seconds = 0.0;  // 0 for mlp_logits (it reuses mlp_single's model)
  std::vector<double> accuracy;
  std::vector<double> top3;
  std::vector<double> confidence;
  std::vector<double> ece;  // expected calibration error (15 bins)
  /// Per frame count, which test samples were read right (empty where the
  /// method has no value), for paired tests.
  std::vector<SampleHits> correct;
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

/// Learned halting on the NNN fed one frame per step (nnn/experiments/
/// halting.h), for one prior: where it stops and how well it reads there,
/// beside the confidence threshold's accuracy at the same mean frames.
struct HaltingResult {
  double prior = 0;
  double beta = 0;
  AnytimePoint point;
  double threshold_accuracy = 0;  // NaN outside the threshold curve's range
};

struct FramesComparison {
  std::string dir;
  std::string nnn_config, mlp_config;  // the configs compared
  int64_t frames = 0;                  // F
  int64_t steps = 0;                   // T of the NNN
  int64_t distance = 0;                // d of the NNN's wiring
  int64_t test_samples = 0;
  std::string degrade;                // the degradations, as "key=value" text
  std::vector<FrameCurve> by_frames;  // the five methods, [F] each
  std::vector<FrameCurve> nnn_steps;  // the two NNNs per step, [T] each
  /// Methods that read more with every frame (not the one-frame ones).
  std::vector<AnytimeCurve> anytime;
  /// With the baselines: learned halting units for several priors and KL weights.
  std::vector<HaltingResult> halting;
};

/// Trains the models (the NNN config twice, the MLP config twice or three
/// times, and the GRU and LSTM readers when `baselines`) with
/// `overrides` applied to both configs, into `out` (empty:
/// `runs/<nnn name>-frames-<time>`), evaluates the five methods and writes the
/// report. The two configs must agree on `data` and `seed` (the same frames).
FramesComparison run_frames_comparison(const std::string& nnn_config, const std::string& mlp_config,
                                       const std::vector<std::string>& overrides,
                                       const std::string& out, std::ostream& log,
                                       bool baselines = true);

/// The comparison over seeds 0..seeds-1 (`seed=S` added to the overrides),
/// each in out/seedS (a seed whose frames.json exists is read, not redone),
/// then frames_seeds.md and frames_seeds.svg (frames_seeds_svg): per
/// method and k the mean and range of accuracy
/// over seeds, and the NNN against the best other method at each k, paired
/// over test images and seeds: the mean difference with a 95% bootstrap
/// interval over test images (seed-averaged correctness), and McNemar's
/// test on the (seed, image) pairs. Returns the Markdown.
std::string run_frames_seeds(const std::string& nnn_config, const std::string& mlp_config,
                             const std::vector<std::string>& overrides, int64_t seeds,
                             const std::string& out, std::ostream& log, bool baselines = true);

/// The seed summary's tables from each seed's frames.json (already parsed
/// into comparisons).
std::string frames_seeds_markdown(const std::vector<FramesComparison>& seeds);

// frames.json (frames_json.cpp), the reports (frames_report.cpp) and the
// seed statistics (frames_seeds.cpp).

/// The seeds' accuracy and confidence against frames seen: per method the
/// mean over seeds as a line and the lowest to highest as a band.
std::string frames_seeds_svg(const std::vector<FramesComparison>& seeds);

/// frames.json: the comparison with every curve; hits as strings of '1'
/// and '0', one character per test sample.
std::string frames_json(const FramesComparison& comparison);
/// A comparison read back from frames.json (the curves' keys, labels,
/// sizes, accuracy and hits); nnn::Error naming the file when it is not one.
FramesComparison read_frames_json(const std::string& file);
/// Hits as frames.json writes them, and back.
std::string hits_text(const SampleHits& hits);
SampleHits hits_from_text(const std::string& text);

/// A table cell: v * scale with `decimals` decimals, "-" for NaN.
std::string report_cell(double v, int decimals = 2, double scale = 100.0);
/// The Markdown report: per frame count, per NNN step, and which method wins.
std::string frames_markdown(const FramesComparison& comparison);
/// Accuracy and confidence against frames seen, one line per method.
std::string frames_svg(const FramesComparison& comparison);
/// Accuracy against mean frames read under the stopping rule, one line per method.
std::string anytime_svg(const FramesComparison& comparison);

}  // namespace nnn
