// Experiment runs: one call from a YAML file (plus overrides) to a run
// directory holding the resolved config, per-epoch metrics (JSONL and CSV),
// an atomic checkpoint, Python-readable weights and a summary; resume,
// Ctrl-C handling and evaluation of finished runs. Apps stay thin around it.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "nnn/config/experiment_config.h"
#include "nnn/train/report.h"

namespace nnn {

struct RunOptions {
  std::string config_path;             // a new run from this YAML ...
  std::vector<std::string> overrides;  // ... with these dotted.key=value settings
  /// Or: a new run from this config, built in code (a study's variants set
  /// fields instead of writing YAML overrides). It gets every check a file
  /// gets: it is read back from its YAML before the run starts.
  std::optional<ExperimentConfig> config;
  std::string out;     // run directory; empty: runs/<name>-<timestamp>
  std::string resume;  // or: continue the run in this directory
  /// The device to train on (auto, cpu, cuda, cuda:N) instead of the
  /// config's; for a resumed run too (config.yaml keeps what it said).
  std::string device;
  /// Progress display: a redrawn bar on a terminal, plain lines otherwise.
  bool progress_bar = false;
  /// Called after every training batch of this session with the batches
  /// run so far, this process's rank (0 outside a distributed job) and
  /// whether this is a restarted attempt: tools and tests stop or kill a
  /// run at a given point through it (`nnn train` reads
  /// NNN_TEST_KILL_AT_BATCH and friends into one).
  std::function<void(int64_t batches_run, int64_t rank, bool restarted)> after_batch;
};

struct RunResult {
  std::string dir;
  bool completed = false;  // false: interrupted (SIGINT) with a checkpoint saved
  ExperimentConfig config;
  /// The last epoch trained (its test evaluation in last.test). Resuming a
  /// finished run re-evaluates the test set and leaves the training fields 0.
  EpochReport last;
  int64_t parameters = 0;
  double seconds = 0.0;
};

/// Trains per RunOptions, writing into the run directory as it goes; `log`
/// receives the human-readable report. Throws nnn::Error on bad input or a
/// non-finite loss (the last good checkpoint stays).
RunResult run_training(const RunOptions& options, std::ostream& log);

/// The collectives a data-parallel run of `config` on `device` (auto, cpu,
/// cuda, cuda:N; empty: the config's) uses: true for NCCL (dist.backend
/// nccl, or auto on a CUDA device), false for Gloo; nnn::Error naming the
/// config when the pair cannot work (NCCL on the CPU, Gloo on a GPU, NCCL in
/// a build without it). `nnn train --nproc` asks before it starts any rank.
bool distributed_on_nccl(const ExperimentConfig& config, const std::string& device);

/// The per-step test accuracy a finished run recorded in its summary.json;
/// nnn::Error naming the file when it cannot be read.
std::vector<double> recorded_test_accuracy(const std::string& dir);

/// What evaluate_run scores: the run's own test or training split, or an
/// IDX pair of files normalised as the run's data.
struct EvaluationData {
  enum class Kind { kTest, kTrain, kFiles };
  Kind kind = Kind::kTest;
  std::string images, labels;  // kFiles
  /// "test", "train" or "IMAGES:LABELS"; nnn::Error naming the text otherwise.
  static EvaluationData parse(const std::string& text);
  /// The text parse() reads.
  std::string describe() const;
};

/// Evaluates a run's weights on `data`, on `device` (empty: the config's).
Evaluation evaluate_run(const std::string& dir, const EvaluationData& data = {},
                        const std::string& device = "");

/// A per-step table (step, accuracy, top-3, confidence), one line a step.
std::string evaluation_table(const Evaluation& evaluation);

/// The local time as "YYYYmmdd-HHMMSS", for default run directory names.
std::string timestamp();
/// Where a run (or a study: name "NAME-frames") goes when no --out says:
/// runs/NAME-TIMESTAMP, with -2, -3, ... when that exists. Not created.
std::string default_run_directory(const std::string& name);

/// File names inside a run directory.
struct RunFiles {
  static constexpr const char* kConfig = "config.yaml";
  static constexpr const char* kMetricsJsonl = "metrics.jsonl";
  static constexpr const char* kMetricsCsv = "metrics.csv";
  static constexpr const char* kCheckpoint = "checkpoint.pt";
  static constexpr const char* kWeights = "weights.pt";
  static constexpr const char* kSummary = "summary.json";
};

}  // namespace nnn
