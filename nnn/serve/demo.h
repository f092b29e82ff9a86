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

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nnn/experiments/predict.h"

namespace nnn {

struct NNNTrace;  // nnn/core/network.h

using Json = nlohmann::ordered_json;

/// Limits on what one request may ask for.
struct DemoLimits {
  static constexpr int64_t kMaxFrames = 64;       // frames of one prediction
  static constexpr int64_t kMaxPlateDigits = 12;  // K of a plate
  static constexpr int64_t kTop = 3;              // candidates per row
  static constexpr int64_t kReadings = 5;         // plate readings per row
};

/// Pixels in [0, 1] as a JSON array, rounded to 4 decimals (what a page
/// shows; keeps replies small).
Json pixels_json(const std::vector<float>& pixels);

class DemoRun {
 public:
  /// Loads the run in `dir` (on `device`, or the config's when empty) and,
  /// when its data can be read, its test digits (8-bit pixels scaled to
  /// [0, 1], no frames) for the frames and plate modes.
  DemoRun(const std::string& dir, const std::string& device = "");
  ~DemoRun();
  DemoRun(const DemoRun&) = delete;
  DemoRun& operator=(const DemoRun&) = delete;

  const std::string& name() const;
  /// Name, wiring (adjacency, inputs, output, edges, cell places), sizes,
  /// feed, frames and degradation, parameters, and summary.json's test
  /// accuracy per step when the run has one.
  const Json& info() const;
  /// How many test digits the frames and plate modes can draw from (0 when
  /// the run's data could not be read; test_data_error() says why).
  int64_t test_count() const;
  const std::string& test_data_error() const;
  /// Frames a frames or plate request gets when it does not ask: the run's
  /// frames per image, at most its steps for a sequence feed.
  int64_t default_frames() const;
  /// The most frames a request may give: the run's steps for a sequence
  /// feed, else DemoLimits::kMaxFrames.
  int64_t max_frames() const;

  /// Per row (step, or frame count), the probabilities, the top classes and
  /// the confidence; for a plate (K > 1 or `plate`) the best readings with
  /// their joint probabilities. "input" is frame 1 as the model reads it.
  Json predict(const DigitFrames& frames, bool plate);
  /// predict() of one digit plus every edge's message norm at every step:
  /// "edges" [E] {from, to, channels}, "edge_norms" [T][E] (L2 norm of the
  /// channels i -> j), "cell_norms" [T][N] (L2 norm of each cell's whole message).
  Json trace(const std::vector<float>& digit);
  /// `count` degraded frames of one clean digit (784 values in [0, 1]) with
  /// the run's degradation and `seed`, and predict() over them.
  Json frames(const std::vector<float>& clean, int64_t count, uint64_t seed);
  /// Test digit `index` (its pixels and label), or an error when out of range.
  std::vector<float> test_digit(int64_t index, int64_t* label) const;
  /// A K-digit plate of test digits picked with `seed`, its `count` frames
  /// (28 x 28K strips, dark on light) and predict() over them.
  Json plate(int64_t digits, int64_t count, uint64_t seed);

 private:
  // predict() that also keeps the messages of the forward pass.
  Json predict(const DigitFrames& frames, bool plate, NNNTrace* trace);

  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace nnn
