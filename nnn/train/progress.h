// What a run prints while it trains: a bar redrawn at most five times a
// second on a terminal, or a plain line every `train.log_every` batches;
// then one short line per epoch (loss, test accuracy at the steps the input
// can reach, time, and the time left for the whole run).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>

#include "nnn/train/report.h"

namespace nnn {

class TrainingProgress {
 public:
  /// `bar`: redraw one status line (a terminal) instead of printing lines.
  /// `first_step`: the first thinking step whose prediction can depend on
  /// the input (d + 1, d the wiring's input-to-output distance); the steps
  /// before it are at chance by construction and are not repeated every
  /// epoch. `first_epoch`: the epoch this session starts at (1, or where a
  /// resumed run continues), for the time left.
  TrainingProgress(std::ostream& out, bool bar, int64_t epochs, int64_t batch_size,
                   int64_t log_every, int64_t first_step = 1, int64_t first_epoch = 1);
  /// After batch `batch` (0-based) of `batches`; `loss` is asked for only
  /// when something is printed (it may wait for the device).
  void batch(int64_t epoch, int64_t batch, int64_t batches, const std::function<double()>& loss);
  void epoch(const EpochReport& report);
  /// Clears the bar before other output (an interruption).
  void clear();

  /// The epoch line for `report` (at most about 80 columns), with
  /// `run_left` seconds left in the run (negative: not known yet).
  std::string epoch_line(const EpochReport& report, double run_left) const;

 private:
  std::ostream& out_;
  const bool bar_;
  const int64_t epochs_, batch_size_, log_every_, first_step_, first_epoch_;
  std::chrono::steady_clock::time_point last_{}, epoch_start_{};
  std::chrono::steady_clock::time_point session_start_ = std::chrono::steady_clock::now();
};

/// "0.4 s", "45 s", "4 min 12 s", "2 h 05 min".
std::string duration_text(double seconds);

}  // namespace nnn
