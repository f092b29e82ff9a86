// A run's metrics, one row per epoch, as metrics.csv and metrics.jsonl
// (RunFiles), carried in its checkpoint so that a resumed run continues the
// same files; and the one JSON form of an evaluation (summary.json's
// "test", `nnn eval --json`, the JSONL rows' test_* fields).
//
// Dimension key: T steps.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "nnn/train/report.h"

namespace nnn {

class MetricsLog {
 public:
  explicit MetricsLog(int64_t steps);
  /// Continues the rows a checkpoint carried (checkpoint_extra()'s keys);
  /// a checkpoint without them starts afresh.
  void restore(const std::map<std::string, std::string>& extra);
  /// What a checkpoint carries so that restore() continues the files.
  std::map<std::string, std::string> checkpoint_extra() const;
  void append(const EpochReport& report);
  /// Writes metrics.csv and metrics.jsonl into `dir`, each atomically.
  void write(const std::string& dir) const;

 private:
  int64_t steps_;
  std::string csv_, jsonl_;
};

/// {"samples", "loss", "accuracy" [T], "top3" [T], "confidence" [T], "ece" [T]}
/// as JSON text (NaN and the infinities, which JSON lacks, as null).
std::string evaluation_json(const Evaluation& evaluation);

}  // namespace nnn
