// `nnn predict`: a trained run reads digits (or K-digit plates) from one or
// more frames. The frames reach the model the way its run was trained
// (data.feed): one per step for a sequence feed (rows are the steps), else
// per frame count k (rows: the pixel average of the first k frames for an
// average feed, the outputs averaged over the first k frames for a single
// feed).
//
// Dimension key: F frames, K digits, T steps, C classes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nnn/data/plate_readings.h"
#include "nnn/runtime/device_setting.h"

namespace nnn {

struct LoadedRun;  // nnn/train/loaded_run.h
struct NNNTrace;   // nnn/core/network.h

struct PredictionRow {
  std::string label;                 // "step 3 (frames 1-1)", "frames 1-2"
  DigitProbabilities probabilities;  // softmax of the outputs
};

/// frames[f][k]: the 784 pixels in [0, 1] (light ink on dark) of digit k in frame f.
using DigitFrames = std::vector<std::vector<std::vector<float>>>;

/// Every frame has the same K digits. Pixels are normalised as the run's
/// data were. `trace` (optional) receives the messages of the last forward
/// pass made (for one frame: the pass that made every row).
std::vector<PredictionRow> predict_frames(LoadedRun& run, const DigitFrames& frames,
                                          NNNTrace* trace = nullptr);

/// Reads the image files as frames: each one digit (plate_digits 0) or a
/// strip of plate_digits digits side by side. Errors name the file.
DigitFrames read_frames(const std::vector<std::string>& files, int64_t plate_digits);

/// A row's confidence: the largest probability of its first digit, or for a
/// plate (`plate` true) the joint probability of its best reading.
double row_confidence(const PredictionRow& row, bool plate);
/// Anytime reading: the first row whose confidence is >= `tau`, or -1.
int64_t first_confident_row(const std::vector<PredictionRow>& rows, double tau, bool plate);

/// `nnn predict` in one call: reads the images (each one digit, or a strip
/// of `plate_digits` digits), loads the run in `run_dir` and returns the
/// report: a header line, then per row the `top` digits (or K-digit
/// readings) with their probabilities. With `stop_at` in (0, 1], the rows
/// end at the first whose confidence reaches it, and a last line says where
/// the reading stopped (or that it never did).
std::string predict_report(const std::string& run_dir, const std::vector<std::string>& images,
                           int64_t plate_digits, int64_t top,
                           const std::optional<DeviceSetting>& device = {}, double stop_at = 0.0);

/// Per row, the `top` most probable classes of the first digit with their
/// probabilities.
std::string format_digit_rows(const std::vector<PredictionRow>& rows, int64_t top);
/// Per row, the `count` most probable K-digit readings with their joint
/// probabilities (best first).
std::string format_plate_rows(const std::vector<PredictionRow>& rows, int64_t count);

}  // namespace nnn
