// A training run's TensorBoard event file, RUN/tensorboard/events.out.tfevents.*:
// per epoch the training loss, learning rate, samples per second, training
// accuracy per step and every per-step test figure, under tags a person can
// filter (train/loss, test/accuracy/step_3, ...); at the start the config
// and the wiring (DOT) as text; at the end the per-step table as text. Like
// metrics.jsonl (MetricsLog) its records are carried in the checkpoint, so
// a resumed run continues the same file without repeating an epoch.
// Torch-free.
//
// Dimension key: T steps.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "nnn/tracking/event_file.h"
#include "nnn/train/report.h"

namespace nnn {

class RunEvents {
 public:
  /// The scalar tags of every epoch (T steps): "train/loss", "train/lr",
  /// "train/samples_per_second", "train/accuracy/step_t", "test/loss",
  /// "test/accuracy" (the last step's), "test/{accuracy,top3,confidence,ece}/step_t",
  /// "time/epoch_seconds".
  explicit RunEvents(int64_t steps);
  /// Continues the records a checkpoint carried (checkpoint_extra()'s
  /// keys); without them, starts afresh.
  void restore(const std::map<std::string, std::string>& extra);
  std::map<std::string, std::string> checkpoint_extra() const;

  /// A new run's first records (once): the file version, the config (YAML)
  /// and the wiring (Graphviz DOT) as text at step 0, and `hparams` for
  /// the HParams dashboard when given (group: the run's name).
  void start(const std::string& config_yaml, const std::string& wiring_dot,
             const std::map<std::string, HParamValue>& hparams, const std::string& group);
  /// One epoch's scalars at step = its epoch.
  void append(const EpochReport& report);
  /// The finished run: the last epoch's per-step test table as text and,
  /// with hparams, the session's end.
  void finish(const EpochReport& last);
  /// Brings RUN/tensorboard/FILE up to date with the records: appends what
  /// is new in one write, or rewrites the file atomically when it is not a
  /// prefix of the records (a run resumed after a kill between checkpoint
  /// and write).
  void write(const std::string& run_dir);

  /// The event file's name (events.out.tfevents.TIME.HOST.PID.nnn).
  const std::string& file_name() const { return name_; }
  const std::string& records() const { return records_; }

 private:
  int64_t steps_;
  bool hparams_ = false;
  std::string name_, records_;
  size_t written_ = std::string::npos;  // bytes known to be in the file (npos: unknown)
};

}  // namespace nnn
