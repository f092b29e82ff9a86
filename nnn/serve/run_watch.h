// The Training tab's source: run directories on disk (the served runs, and
// any run under the folders `nnn serve --watch` names, finished or still
// training), read afresh on every request, so the page follows a run as its
// metrics.jsonl grows. Torch-free.
#pragma once

#include <string>
#include <vector>

#include "nnn/serve/training_service.h"

namespace nnn {

class RunWatch : public TrainingService {
 public:
  /// Runs shown: `runs` (directories) and every directory holding a
  /// config.yaml up to 2 levels under each of `folders`, at most kMaxRuns.
  RunWatch(std::vector<std::string> runs, std::vector<std::string> folders);
  static constexpr size_t kMaxRuns = 200;
  /// metrics.jsonl larger than this is not read (a run's rows are ~1 KB).
  static constexpr uint64_t kMaxMetricsBytes = uint64_t{16} << 20;

  Json runs() const override;
  std::optional<Json> curves(const std::string& name) const override;

 private:
  // name -> directory, in order.
  std::vector<std::pair<std::string, std::string>> listing() const;
  std::vector<std::string> runs_, folders_;
};

}  // namespace nnn
