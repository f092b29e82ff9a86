// What the HTTP API (api.h) asks of a run it serves, without LibTorch:
// DemoRun (demo.h) is the trained run behind `nnn serve`; the API's fuzzer
// (tests/fuzz/fuzz_api.cpp) serves a stand-in that checks what reaches it.
//
// Dimension key: F frames, K digits of a plate, T steps.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "nnn/experiments/predict.h"

namespace nnn {

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

/// The API validates every request before it calls these: digits are 784
/// finite values in [0, 1], F is 1 to max_frames() (or DemoLimits::kMaxFrames
/// for predict), every frame has the same K digits (1 to kMaxPlateDigits),
/// test digit indices are below test_count(). Implementations may still
/// refuse with nnn::Error (answered 400), e.g. more frames than the run reads.
class ServedRun {
 public:
  virtual ~ServedRun() = default;

  virtual const std::string& name() const = 0;
  /// At least "steps", "parameters", "feed" and "wiring": {"cells"} (the run
  /// list shows them).
  virtual const Json& info() const = 0;
  /// How many test digits the frames and plate modes can draw from (0 when
  /// the run's data could not be read; test_data_error() says why).
  virtual int64_t test_count() const = 0;
  virtual const std::string& test_data_error() const = 0;
  /// Frames a frames or plate request gets when it does not ask.
  virtual int64_t default_frames() const = 0;
  /// The most frames a frames or plate request may ask for (>= 1).
  virtual int64_t max_frames() const = 0;

  /// Per row, the probabilities, top classes and confidence (see DemoRun).
  virtual Json predict(const DigitFrames& frames, bool plate) = 0;
  /// predict() of one digit plus the messages along every edge per step.
  virtual Json trace(const std::vector<float>& digit) = 0;
  /// `count` degraded frames of one clean digit and predict() over them.
  virtual Json frames(const std::vector<float>& clean, int64_t count, uint64_t seed) = 0;
  /// Test digit `index` (0 <= index < test_count()) and its label.
  virtual std::vector<float> test_digit(int64_t index, int64_t* label) const = 0;
  /// How many test digits each class has (empty without test digits).
  virtual std::vector<int64_t> test_class_counts() const = 0;
  /// The index of the nth test digit of class `cls` (0 <= cls <
  /// test_class_counts().size(), 0 <= nth < test_class_counts()[cls]).
  virtual int64_t test_index_of_class(int64_t cls, int64_t nth) const = 0;
  /// A K-digit plate of test digits, its `count` frames and predict() over them.
  virtual Json plate(int64_t digits, int64_t count, uint64_t seed) = 0;
  /// What removing each edge and each cell costs on the run's test data
  /// (`nnn lesion` without the per-step cuts; computed once):
  /// {"samples", "intact": [T] accuracy, "edges": [{"from", "to",
  /// "accuracy": [T]}], "cells": [{"cell", "accuracy": [T]}]}. Only called
  /// when test_count() > 0.
  virtual Json lesions() = 0;
};

}  // namespace nnn
