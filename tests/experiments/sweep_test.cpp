// nnn sweep: axes with YAML lists, the grid times seeds, the table, resume
// (finished runs kept, a half-done one continued), a folder of another
// sweep refused, a typo refused before any run.
#include "nnn/experiments/sweep.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "nnn/config/experiment_config.h"
#include "nnn/train/run.h"
#include "nnn/util/files.h"
#include "tests/test_util.h"

namespace nnn {
namespace {

namespace fs = std::filesystem;
using testing::expect_error;

// A combination that learned nothing is flagged, not ranked silently
// beside the others.
TEST(SweepTable, FlagsCombinationsAtChance) {
  EXPECT_TRUE(at_chance(0.40, 3));
  EXPECT_FALSE(at_chance(0.55, 3));
  EXPECT_TRUE(at_chance(0.12, 10));
  SweepRow good, flat;
  good.settings = {"train.lr=0.01"};
  flat.settings = {"train.lr=100"};
  good.seeds_done = flat.seeds_done = 1;
  good.mean = good.min = good.max = {0.9};
  flat.mean = flat.min = flat.max = {0.1};
  good.best = true;
  flat.collapsed = true;
  const std::string md = sweep_markdown({good, flat}, {SweepAxis{"train.lr", {"0.01", "100"}}});
  EXPECT_NE(md.find("| 0.01 | 1 | 90.00 | best |"), std::string::npos) << md;
  EXPECT_NE(md.find("| 100 | 1 | 10.00 | at chance |"), std::string::npos) << md;
}

TEST(SweepAxis, ValuesSplitOutsideBrackets) {
  const SweepAxis lr = parse_sweep_axis("train.lr=0.1,0.01");
  EXPECT_EQ(lr.key, "train.lr");
  EXPECT_EQ(lr.values, (std::vector<std::string>{"0.1", "0.01"}));
  const SweepAxis hidden = parse_sweep_axis("model.hidden=[64,32],[32],{a: 1, b: 2}");
  EXPECT_EQ(hidden.values, (std::vector<std::string>{"[64,32]", "[32]", "{a: 1, b: 2}"}));
  expect_error([] { parse_sweep_axis("train.lr"); }, "expected key=value1,value2");
  expect_error([] { parse_sweep_axis("train.lr=0.1,,0.2"); }, "an empty value");
  expect_error([] { parse_sweep_axis("model.hidden=[1,2"); }, "unbalanced brackets");
}

class SweepTest : public testing::TempDirTest {
 protected:
  // A two-cell spiral reader small enough to train many times; `per_class`
  // training samples per class (a quarter of that for testing).
  std::string tiny_config(int per_class, int epochs) {
    const std::string config = path("tiny.yaml");
    std::ofstream(config) << "name: tiny\nseed: 3\nthreads: 1\ndevice: cpu\nmodel:\n"
                          << "  input_size: 2\n  output_size: 3\n  steps: 3\n  hidden: 8\n"
                          << "  wiring: {generator: chain, n: 2, channels: 4}\n"
                          << "data: {dataset: spiral, classes: 3, train_per_class: " << per_class
                          << ", test_per_class: " << per_class / 3 << "}\n"
                          << "train: {epochs: " << epochs << ", batch_size: 16, lr: 0.01}\n";
    return config;
  }
};

TEST_F(SweepTest, GridTimesSeedsTableAndResume) {
  const std::string config = tiny_config(/*per_class=*/30, /*epochs=*/2);
  SweepOptions options;
  options.config_path = config;
  options.axes = {parse_sweep_axis("model.hidden=4,8"), parse_sweep_axis("train.lr=0.01,0.02")};
  options.seeds = 2;
  options.out = path("sweep");
  std::ostringstream log;
  const auto rows = run_sweep(options, log);
  ASSERT_EQ(rows.size(), 4u);  // 2 x 2 combinations
  EXPECT_EQ(rows[1].settings, (std::vector<std::string>{"model.hidden=4", "train.lr=0.02"}));
  int best = 0;
  for (const auto& row : rows) {
    EXPECT_EQ(row.seeds_done, 2);
    ASSERT_EQ(row.mean.size(), 3u);
    for (size_t t = 0; t < 3; ++t) {
      EXPECT_LE(row.min[t], row.mean[t] + 1e-12);
      EXPECT_GE(row.max[t], row.mean[t] - 1e-12);
    }
    best += row.best;
  }
  EXPECT_EQ(best, 1);
  EXPECT_NE(log.str().find("[8/8] model.hidden=8 train.lr=0.02 seed=4: trained"), std::string::npos)
      << log.str();
  // Seeds 3 and 4 (the config's and the next) for every combination.
  EXPECT_EQ(load_experiment(path("sweep/c003-s1/config.yaml")).seed, 4u);
  EXPECT_EQ(load_experiment(path("sweep/c003-s1/config.yaml")).model.hidden,
            (std::vector<int64_t>{8}));
  const std::string md = read_file(path("sweep/sweep.md"));
  EXPECT_NE(md.find("| model.hidden | train.lr | seeds | step 1 | step 2 | step 3 |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("best |"), std::string::npos);
  const std::string csv = read_file(path("sweep/sweep.csv"));
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "model.hidden,train.lr,seeds,test_acc_mean_1,test_acc_mean_2,test_acc_mean_3,"
            "test_acc_min_1,test_acc_min_2,test_acc_min_3,test_acc_max_1,test_acc_max_2,"
            "test_acc_max_3,best");

  // Again: nothing retrained; a run that lost its summary resumes from its
  // checkpoint and gives the same numbers.
  fs::remove(path("sweep/c002-s0/summary.json"));
  std::ostringstream again;
  const auto rerun = run_sweep(options, again);
  EXPECT_NE(again.str().find("[1/8] model.hidden=4 train.lr=0.01 seed=3: skipped"),
            std::string::npos);
  EXPECT_NE(again.str().find("[5/8] model.hidden=8 train.lr=0.01 seed=3: resumed"),
            std::string::npos)
      << again.str();
  for (size_t r = 0; r < rows.size(); ++r) EXPECT_EQ(rerun[r].mean, rows[r].mean);

  // Another grid in the same folder, a typo: refused, nothing run.
  SweepOptions other = options;
  other.seeds = 3;
  expect_error([&] { run_sweep(other, log); }, "holds another sweep");
  SweepOptions typo = options;
  typo.out = path("typo");
  typo.axes.push_back(parse_sweep_axis("train.lrr=0.1"));
  expect_error([&] { run_sweep(typo, log); }, "unknown key 'lrr' in train");
  EXPECT_FALSE(fs::exists(path("typo")));
}

}  // namespace
}  // namespace nnn

namespace nnn {
namespace {

// Every axis reaches every run: the recorded config.yaml of each run holds
// its grid point, for keys of every kind (a number, a list, an enum, a map);
// axes that would not reach the runs are refused before any run.
TEST_F(SweepTest, EveryAxisReachesTheRecordedConfig) {
  const std::string config = tiny_config(/*per_class=*/15, /*epochs=*/1);
  SweepOptions options;
  options.config_path = config;
  options.out = path("grid");
  options.axes = {parse_sweep_axis("train.lr=0.02,0.005"),
                  parse_sweep_axis("model.hidden=[8,6],[4,4]"),
                  parse_sweep_axis("model.hidden_activation=tanh,relu"),
                  parse_sweep_axis("model.wiring={generator: chain, n: 2, channels: 2},"
                                   "{generator: chain, n: 2, channels: 3}")};
  std::ostringstream log;
  const auto rows = run_sweep(options, log);
  ASSERT_EQ(rows.size(), 16u);
  for (size_t c = 0; c < rows.size(); ++c) {
    const std::string dir = path(fmt::format("grid/c{:03d}-s0", static_cast<int>(c)));
    const ExperimentConfig recorded = load_experiment(dir + "/config.yaml");
    // The grid point, loaded on its own, resolves to what the run recorded.
    ExperimentConfig expected = load_experiment(config, rows[c].settings);
    expected.data.standard = recorded.data.standard;
    EXPECT_EQ(experiment_to_yaml(expected), read_file(dir + "/config.yaml")) << dir;
  }
  SweepOptions bad = options;
  bad.out = path("bad");
  bad.axes = {parse_sweep_axis("train.lr=0.1,0.2"), parse_sweep_axis("train.lr=0.3")};
  expect_error([&] { run_sweep(bad, log); }, "sweep axis train.lr is given twice");
  bad.axes = {parse_sweep_axis("seed=1,2")};
  expect_error([&] { run_sweep(bad, log); }, "sweep axis seed: the sweep sets each run's seed");
  bad.axes = {parse_sweep_axis("train.lr=0.1,1e-1")};
  expect_error([&] { run_sweep(bad, log); },
               "and '1e-1' give the same config, so the runs would not differ");
  EXPECT_FALSE(fs::exists(path("bad")));
}

}  // namespace
}  // namespace nnn
