// Experiment runs: one call from a config (a value, or a YAML file plus
// overrides) to a run directory holding the resolved config, per-epoch
// metrics (JSONL and CSV), an atomic checkpoint, Python-readable weights and
// a summary; resume, restarts and Ctrl-C. Apps stay thin around it.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "nnn/config/experiment_config.h"
#include "nnn/train/report.h"
#include "nnn/train/run_directory.h"

namespace nnn {

/// What a caller watches or injects while a run trains.
struct RunHooks {
  /// Progress display: a redrawn bar on a terminal, plain lines otherwise.
  bool progress_bar = false;
  /// Called after every training batch of this session with the batches
  /// run so far, this process's rank (0 outside a distributed job) and
  /// whether this is a restarted attempt: tools and tests stop or kill a
  /// run at a given point through it (`nnn train` reads
  /// NNN_TEST_KILL_AT_BATCH and friends into one).
  std::function<void(int64_t batches_run, int64_t rank, bool restarted)> after_batch;
  /// Hyperparameters the run's TensorBoard events record for the HParams
  /// dashboard (name -> value as text; numbers and true/false are typed):
  /// `nnn sweep` gives its grid's settings and the seed.
  std::map<std::string, std::string> hparams;
  /// Train as one process even inside a launcher's job (RANK and friends
  /// set): `nnn search`'s ranks each train runs of their own.
  bool independent = false;
};

/// A run as `nnn train` asks for it: text, as typed.
struct RunOptions {
  std::string config_path;             // a new run from this YAML ...
  std::vector<std::string> overrides;  // ... with these dotted.key=value settings
  std::string out;                     // run directory; empty: runs/<name>-<timestamp>
  std::string resume;                  // or: continue the run in this directory
  /// The device to train on (auto, cpu, cuda, cuda:N) instead of the
  /// config's; for a resumed run too (config.yaml keeps what it said).
  std::optional<DeviceSetting> device;
  RunHooks hooks;
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

/// A new run of `config` (loaded, or built in code: a study's variants set
/// fields) in `dir`, which is created and must not hold a run. The config
/// gets every check a file gets: it is read back from its YAML first.
/// Writes into the directory as it goes; `log` receives the human-readable
/// report. Throws nnn::Error on bad input or a non-finite loss (the last
/// good checkpoint stays).
RunResult run_training(const ExperimentConfig& config, const RunDirectory& dir, std::ostream& log,
                       const RunHooks& hooks = {});

/// The same as `nnn train` asks for it: a config file with overrides, or a
/// run to resume; a job restarted by its launcher continues the run it left
/// in --out.
RunResult run_training(const RunOptions& options, std::ostream& log);

}  // namespace nnn
