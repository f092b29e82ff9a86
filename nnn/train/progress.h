// What a run prints while it trains: a bar redrawn at most five times a
// second on a terminal, or a plain line every `train.log_every` batches;
// then one line per epoch (loss, test accuracy per step, lr, speed).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <ostream>

#include "nnn/train/report.h"

namespace nnn {

class TrainingProgress {
 public:
  /// `bar`: redraw one status line (a terminal) instead of printing lines.
  TrainingProgress(std::ostream& out, bool bar, int64_t epochs, int64_t batch_size,
                   int64_t log_every);
  /// After batch `batch` (0-based) of `batches`; `loss` is asked for only
  /// when something is printed (it may wait for the device).
  void batch(int64_t epoch, int64_t batch, int64_t batches, const std::function<double()>& loss);
  void epoch(const EpochReport& report);
  /// Clears the bar before other output (an interruption).
  void clear();

 private:
  std::ostream& out_;
  const bool bar_;
  const int64_t epochs_, batch_size_, log_every_;
  std::chrono::steady_clock::time_point last_{}, epoch_start_{};
};

}  // namespace nnn
