// `nnn compare`: the config's NNN, a LibTorch MLP with a matched parameter
// count, and the from-scratch MLP (nnn/baseline), trained on the same data
// split, epochs, batch size and seed, in one table (compare.md, compare.json);
// optionally also the classic per-sample sigmoid network.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace nnn {

struct CompareRow {
  std::string model;
  int64_t parameters = 0;
  double seconds = 0.0;
  double samples_per_second = 0.0;
  std::vector<double> test_accuracy;  // per step (one value for the MLPs)
  double final_loss = 0.0;            // training loss of the last epoch
};

struct CompareResult {
  std::string dir;
  std::vector<CompareRow> rows;
};

/// Runs the three trainings into `out` (empty: `runs/<name>-compare-<time>`)
/// and writes compare.md and compare.json there; `log` gets the progress.
/// `classic_lr` > 0 adds the first tutorials' per-sample sigmoid/MSE network
/// (nnn/baseline ClassicNetwork) trained with SGD at that rate.
CompareResult run_comparison(const std::string& config_path,
                             const std::vector<std::string>& overrides, const std::string& out,
                             std::ostream& log, double classic_lr = 0.0);

}  // namespace nnn
