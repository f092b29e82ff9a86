// A trained run served by `nnn serve`: everything the web page and the JSON
// API ask of it (run info, predictions per step, message traces, degraded
// frames, plates), as JSON. Inputs reach the model the way `nnn predict`
// feeds them (nnn/experiments/predict.h). Safe to call from many threads:
// inference runs one request at a time per run, under torch::InferenceMode;
// parsing, rendering and JSON are concurrent.
//
// Dimension key: F frames, K digits of a plate, T steps, C classes, N cells,
// E edges.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nnn/experiments/predict.h"
#include "nnn/runtime/device_setting.h"
#include "nnn/serve/served_run.h"

namespace nnn {

struct NNNTrace;  // nnn/core/network.h

class DemoRun : public ServedRun {
 public:
  /// Loads the run in `dir` (on `device`, or the config's when empty) and,
  /// when its data can be read, its test digits (8-bit pixels scaled to
  /// [0, 1], no frames) for the frames and plate modes.
  DemoRun(const std::string& dir, const std::optional<DeviceSetting>& device = {});
  ~DemoRun() override;
  DemoRun(const DemoRun&) = delete;
  DemoRun& operator=(const DemoRun&) = delete;

  const std::string& name() const override;
  /// Name, wiring (adjacency, inputs, output, edges, cell places), sizes,
  /// feed, frames and degradation, what it was trained on (a sentence),
  /// parameters, the test digits per class, and summary.json's test
  /// accuracy per step when the run has one.
  const Json& info() const override;
  /// How many test digits the frames and plate modes can draw from (0 when
  /// the run's data could not be read; test_data_error() says why).
  int64_t test_count() const override;
  const std::string& test_data_error() const override;
  /// Frames a frames or plate request gets when it does not ask: the run's
  /// frames per image, at most its steps for a sequence feed.
  int64_t default_frames() const override;
  /// The most frames a request may give: the run's steps for a sequence
  /// feed, else DemoLimits::kMaxFrames.
  int64_t max_frames() const override;

  /// Per row (step, or frame count), the probabilities, the top classes and
  /// the confidence; for a plate (K > 1 or `plate`) the best readings with
  /// their joint probabilities. "input" is frame 1 as the model reads it.
  Json predict(const DigitFrames& frames, bool plate) override;
  /// predict() of one digit plus every edge's message norm at every step:
  /// "edges" [E] {from, to, channels}, "edge_norms" [T][E] (L2 norm of the
  /// channels i -> j), "cell_norms" [T][N] (L2 norm of each cell's whole message).
  Json trace(const std::vector<float>& digit) override;
  /// `count` degraded frames of one clean digit (784 values in [0, 1]) with
  /// the run's degradation and `seed`, predict() over them, and the message
  /// norms of that pass as trace() gives them.
  Json frames(const std::vector<float>& clean, int64_t count, uint64_t seed) override;
  /// Test digit `index` (its pixels and label), or an error when out of range.
  std::vector<float> test_digit(int64_t index, int64_t* label) const override;
  std::vector<int64_t> test_class_counts() const override;
  int64_t test_index_of_class(int64_t cls, int64_t nth) const override;
  /// A K-digit plate of test digits picked with `seed`, its `count` frames
  /// (28 x 28K strips, dark on light) and predict() over them.
  Json plate(int64_t digits, int64_t count, uint64_t seed) override;
  /// lesion_study() of the run (nnn/experiments/lesion.h), whole-run cuts
  /// only, computed on the first call and kept.
  Json lesions() override;

 private:
  // predict() that also keeps the messages of the forward pass.
  Json predict(const DigitFrames& frames, bool plate, NNNTrace* trace);
  // "edges", "edge_norms" [T][E] and "cell_norms" [T][N] of the first
  // sample of `trace`, into `out`.
  void add_message_norms(const NNNTrace& trace, Json& out) const;

  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace nnn
