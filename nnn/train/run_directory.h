// A run directory: where one run lives, what its files are called, how a
// new one is named (runs/NAME-TIMESTAMP) and created, what makes one
// resumable or readable, and the summary it ends with. Torch-free.
#pragma once

#include <string>
#include <vector>

namespace nnn {

/// File names inside a run directory.
struct RunFiles {
  static constexpr const char* kConfig = "config.yaml";
  static constexpr const char* kMetricsJsonl = "metrics.jsonl";
  static constexpr const char* kMetricsCsv = "metrics.csv";
  static constexpr const char* kCheckpoint = "checkpoint.pt";
  static constexpr const char* kWeights = "weights.pt";
  static constexpr const char* kSummary = "summary.json";
};

class RunDirectory {
 public:
  /// The directory at `path` (created or checked by the calls below).
  explicit RunDirectory(std::string path);
  /// A new run's (or a study's: name "NAME-frames") default place:
  /// runs/NAME-TIMESTAMP, with -2, -3, ... when that exists. Not created.
  static RunDirectory named(const std::string& name);
  /// `path`, or named(name) when `path` is empty.
  static RunDirectory at_or_named(const std::string& path, const std::string& name);

  const std::string& path() const { return path_; }
  /// `name` inside the directory.
  std::string file(const char* name) const;
  std::string config() const { return file(RunFiles::kConfig); }
  std::string checkpoint() const { return file(RunFiles::kCheckpoint); }
  std::string weights() const { return file(RunFiles::kWeights); }
  std::string summary() const { return file(RunFiles::kSummary); }
  bool has(const char* name) const;

  /// Creates the directory for a new run; nnn::Error when it already holds
  /// one (a checkpoint, or a config.yaml unless `over_unfinished_attempt`:
  /// a restarted job starts again over its attempt that never reached a
  /// checkpoint).
  void create_for_new_run(bool over_unfinished_attempt = false) const;
  /// nnn::Error unless the directory holds a run that can continue
  /// (config.yaml and checkpoint.pt).
  void check_resumable() const;
  /// nnn::Error unless the directory holds a run's config.yaml.
  void check_is_run() const;
  /// The per-step test accuracy a finished run recorded in its summary;
  /// nnn::Error naming the file when it cannot be read.
  std::vector<double> recorded_test_accuracy() const;

 private:
  std::string path_;
};

/// The config file `path` names: the file itself, or config.yaml of the run
/// directory it is (make-plates, video and friends take either).
std::string config_file_of(const std::string& path);

/// The local time as "YYYYmmdd-HHMMSS", for default run directory names.
std::string timestamp();

}  // namespace nnn
