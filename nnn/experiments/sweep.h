// `nnn sweep`: a grid of config settings times seeds, each combination a run
// of its own under one sweep folder, then one table (markdown and CSV) of
// every combination's per-step test accuracy, mean and range over seeds,
// the best marked. Finished runs are not redone; interrupted ones resume.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace nnn {

/// One swept key and its values, from "key=v1,v2,..." (commas inside [ ]
/// or { } belong to a value: model.hidden=[64,32],[32]).
struct SweepAxis {
  std::string key;
  std::vector<std::string> values;
};
SweepAxis parse_sweep_axis(const std::string& text);

struct SweepOptions {
  std::string config_path;
  std::vector<SweepAxis> axes;  // the grid is their product
  int64_t seeds = 1;            // seeds config.seed, config.seed + 1, ...
  std::string out;              // the sweep folder
};

struct SweepRow {
  std::vector<std::string> settings;  // "key=value" per axis
  int64_t seeds_done = 0;
  std::vector<double> mean;  // [T] test accuracy per step, mean over seeds
  std::vector<double> min;   // [T]
  std::vector<double> max;   // [T]
  bool best = false;         // highest mean accuracy at the last step
  /// The mean at the last step is no better than guessing (at_chance()):
  /// the combination collapsed, whatever its neighbours did.
  bool collapsed = false;
};

/// Whether `accuracy` over `classes` classes is within reach of guessing:
/// below 1.5 / classes (50% for 3 classes, 15% for 10).
bool at_chance(double accuracy, int64_t classes);

/// Runs (or resumes, or skips when finished) every combination and seed,
/// writing OUT/cNNN-sK/ run directories, OUT/sweep.md and OUT/sweep.csv;
/// one progress line per run on `log`. Every combination's config is
/// checked before the first run starts, so a typo fails at once.
std::vector<SweepRow> run_sweep(const SweepOptions& options, std::ostream& log);

/// The table of `rows` as markdown and as CSV.
std::string sweep_markdown(const std::vector<SweepRow>& rows, const std::vector<SweepAxis>& axes);
std::string sweep_csv(const std::vector<SweepRow>& rows, const std::vector<SweepAxis>& axes);

}  // namespace nnn
