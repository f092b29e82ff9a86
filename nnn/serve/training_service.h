// What the HTTP API (api.h) asks of the Training tab's source, without
// LibTorch: RunWatch (run_watch.h) reads run directories on disk; the API's
// fuzzer serves a stand-in.
#pragma once

#include <optional>
#include <string>

#include "nnn/serve/served_run.h"

namespace nnn {

class TrainingService {
 public:
  virtual ~TrainingService() = default;
  /// {"runs": [{"name", "status" ("finished", "in progress", "starting"),
  /// "epochs_done", "epochs"}]}: the served runs and the runs under the
  /// watched folders, as they are on disk now.
  virtual Json runs() const = 0;
  /// The run `name` (one runs() lists): its status and per epoch the
  /// training loss, test loss, per-step test accuracy, learning rate and
  /// samples per second (metrics.jsonl); nullopt for a name not listed.
  virtual std::optional<Json> curves(const std::string& name) const = 0;
};

}  // namespace nnn
