// Optimisers and schedules, exact resume (in process, mid-epoch), atomic
// checkpoints, run directory files, evaluation of a finished run, NaN stop.
#include "nnn/train/run.h"
#include "nnn/train/loaded_run.h"
#include "nnn/train/progress.h"
#include "nnn/train/run_evaluation.h"
#include "nnn/train/trainer.h"

#include <gtest/gtest.h>

#include <torch/torch.h>
#include <unistd.h>
#include <csignal>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "nnn/config/model_options.h"
#include "nnn/core/weights.h"
#include "nnn/experiments/compare.h"
#include "nnn/experiments/lesion.h"
#include "nnn/kernels/denormals.h"
#include "nnn/train/optimizer.h"
#include "nnn/train/run_evaluation.h"
#include "nnn/util/files.h"
#include "tests/test_util.h"

namespace nnn {
namespace {

namespace fs = std::filesystem;
using testing::expect_error;

ExperimentConfig tiny_config() {
  ExperimentConfig c;
  c.name = "tiny";
  c.seed = 5;
  c.threads = 1;
  c.device = DeviceSetting::cpu();
  c.model.input_size = 2;
  c.model.output_size = 3;
  c.model.steps = 3;
  c.model.hidden = {16};
  c.model.wiring = layered({1, 2, 1}, 4, true);
  c.data.source = SpiralPoints{3, /*train_per_class=*/40, /*test_per_class=*/20};
  c.train.epochs = 3;
  c.train.batch_size = 16;
  c.train.lr = 0.01;
  c.train.optimizer = OptimizerKind::kAdamW;
  c.train.weight_decay = 0.01;
  c.train.schedule = LrSchedule::kCosine;
  c.train.warmup_epochs = 0.5;
  return c;
}

class RunTest : public testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    configure_threads(1);
  }
};

TEST(Schedule, WarmupStepCosine) {
  TrainConfig c;
  c.lr = 1.0;
  c.epochs = 10;
  EXPECT_DOUBLE_EQ(scheduled_lr(c, 37, 10), 1.0);
  c.warmup_epochs = 2;  // 20 batches
  EXPECT_DOUBLE_EQ(scheduled_lr(c, 0, 10), 1.0 / 20);
  EXPECT_DOUBLE_EQ(scheduled_lr(c, 9, 10), 0.5);
  EXPECT_DOUBLE_EQ(scheduled_lr(c, 20, 10), 1.0);
  c.warmup_epochs = 0;
  c.schedule = LrSchedule::kStep;
  c.step_size = 3;
  c.gamma = 0.5;
  EXPECT_DOUBLE_EQ(scheduled_lr(c, 29, 10), 1.0);   // epoch index 2
  EXPECT_DOUBLE_EQ(scheduled_lr(c, 30, 10), 0.5);   // epoch index 3
  EXPECT_DOUBLE_EQ(scheduled_lr(c, 65, 10), 0.25);  // epoch index 6
  c.schedule = LrSchedule::kCosine;
  c.min_lr = 0.1;
  EXPECT_DOUBLE_EQ(scheduled_lr(c, 0, 10), 1.0);
  EXPECT_NEAR(scheduled_lr(c, 50, 10), 0.55, 1e-12);  // half way
  EXPECT_NEAR(scheduled_lr(c, 100, 10), 0.1, 1e-12);
}

// The flat optimisers follow torch::optim's update rules step for step.
TEST(Optimizers, FlatMatchesTorchOptim) {
  torch::manual_seed(11);
  struct Case {
    std::string name;
    TrainConfig config;
    std::function<std::unique_ptr<torch::optim::Optimizer>(std::vector<torch::Tensor>)> make;
  };
  std::vector<Case> cases;
  TrainConfig c;
  c.lr = 0.05;
  c.optimizer = OptimizerKind::kSgd;
  c.momentum = 0.9;
  c.nesterov = true;
  c.weight_decay = 0.01;
  cases.push_back({"sgd nesterov", c, [c](std::vector<torch::Tensor> p) {
                     return std::make_unique<torch::optim::SGD>(p,
                                                                torch::optim::SGDOptions(c.lr)
                                                                    .momentum(c.momentum)
                                                                    .nesterov(true)
                                                                    .weight_decay(c.weight_decay));
                   }});
  c.nesterov = false;
  cases.push_back(
      {"sgd momentum", c, [c](std::vector<torch::Tensor> p) {
         return std::make_unique<torch::optim::SGD>(
             p, torch::optim::SGDOptions(c.lr).momentum(c.momentum).weight_decay(c.weight_decay));
       }});
  c = TrainConfig();
  c.lr = 0.01;
  c.optimizer = OptimizerKind::kAdam;
  c.weight_decay = 0.1;
  c.beta1 = 0.8;
  cases.push_back({"adam", c, [c](std::vector<torch::Tensor> p) {
                     return std::make_unique<torch::optim::Adam>(p,
                                                                 torch::optim::AdamOptions(c.lr)
                                                                     .betas({c.beta1, c.beta2})
                                                                     .weight_decay(c.weight_decay));
                   }});
  c.optimizer = OptimizerKind::kAdamW;
  cases.push_back({"adamw", c, [c](std::vector<torch::Tensor> p) {
                     return std::make_unique<torch::optim::AdamW>(
                         p, torch::optim::AdamWOptions(c.lr)
                                .betas({c.beta1, c.beta2})
                                .weight_decay(c.weight_decay));
                   }});
  // Doubles (LibTorch's operations, to 1e-12) and floats (the fused Adam
  // loop on CPU floats, to float rounding over 5 steps).
  for (const auto dtype : {torch::kDouble, torch::kFloat}) {
    const double tolerance = dtype == torch::kDouble ? 1e-12 : 2e-6;
    for (const auto& k : cases) {
      const auto a0 = torch::randn({3, 4}, dtype);
      const auto b0 = torch::randn({5}, dtype);
      auto a = a0.clone().requires_grad_(true);
      auto b = b0.clone().requires_grad_(true);
      auto reference = k.make({a, b});
      auto flat = torch::cat({a0.reshape({-1}), b0}).clone();
      FlatOptimizer ours(k.config);
      for (int step = 0; step < 5; ++step) {
        const auto ga = torch::randn({3, 4}, dtype);
        const auto gb = torch::randn({5}, dtype);
        a.mutable_grad() = ga.clone();
        b.mutable_grad() = gb.clone();
        reference->step();
        ours.step(flat, torch::cat({ga.reshape({-1}), gb}));
      }
      const auto expected = torch::cat({a.detach().reshape({-1}), b.detach()});
      EXPECT_TRUE(torch::allclose(flat, expected, tolerance, tolerance))
          << k.name << " " << dtype << ": max diff "
          << (flat - expected).abs().max().item<double>();
    }
  }
}

// Denormals flushed inside the scope only; the optimiser's step leaves the
// caller's mode as it found it.
TEST(Optimizers, DenormalsFlushedOnlyWhileTheStepRuns) {
  volatile float tiny = 1e-37f;  // normal; a tenth of it is denormal
  const auto tenth = [&] { return tiny * 0.1f; };
  ASSERT_GT(tenth(), 0.0f);
  {
    const FlushDenormals flush;
#if defined(__SSE__) || defined(__x86_64__)
    EXPECT_EQ(tenth(), 0.0f);
#endif
  }
  EXPECT_GT(tenth(), 0.0f);
  TrainConfig c;
  c.optimizer = OptimizerKind::kAdam;
  FlatOptimizer adam(c);
  auto params = torch::ones({4});
  adam.step(params, torch::tensor({1e-30f, 0.0f, 1.0f, -1.0f}));
  adam.step(params, torch::zeros({4}));
  EXPECT_GT(tenth(), 0.0f);
  EXPECT_TRUE(torch::isfinite(params).all().item<bool>());
}

TEST(Optimizers, ClipGradNorm) {
  auto g = torch::tensor({3.0, 4.0}, torch::kDouble);
  clip_grad_norm(g, 1.0);
  EXPECT_NEAR(g.norm().item<double>(), 1.0, 1e-6);
  auto small = torch::tensor({0.3, 0.4}, torch::kDouble);
  clip_grad_norm(small, 1.0);
  EXPECT_TRUE(torch::allclose(small, torch::tensor({0.3, 0.4}, torch::kDouble)));
}

// Interrupt after 7 batches (mid-epoch 2), checkpoint, resume in a fresh
// Trainer: the end state equals an uninterrupted run exactly.
// The epoch line fits 80 columns: the steps before d + 1 (at chance by
// construction) are left out, at most the last four reachable steps are
// shown, and the time left for the run follows the epoch's own.
TEST(TrainingProgress, EpochLinesAreShortAndSayTheTimeLeft) {
  std::ostringstream out;
  TrainingProgress progress(out, false, 40, 64, 50, /*first_step=*/3);
  EpochReport r;
  r.epoch = 7;
  r.train_loss = 0.35812;
  r.seconds = 9.6;
  r.test.samples = 1505;
  r.test.accuracy = {0.0864, 0.0864, 0.9688};
  EXPECT_EQ(progress.epoch_line(r, 271.0),
            "epoch  7/40 loss 0.3581 | test % at step 3: 96.9 | 9.6 s, 4 min 31 s left");
  r.epoch = 40;
  r.test.accuracy = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95};
  const std::string last = progress.epoch_line(r, 0.0);
  EXPECT_EQ(last, "epoch 40/40 loss 0.3581 | test % at steps 7-10: 70.0 80.0 90.0 95.0 | 9.6 s");
  EXPECT_LE(last.size(), 80u);
  EXPECT_EQ(duration_text(0.42), "0.4 s");
  EXPECT_EQ(duration_text(59.4), "59 s");
  EXPECT_EQ(duration_text(3600 * 2 + 5 * 60 + 1), "2 h 05 min");
  EXPECT_EQ(duration_text(-1), "?");
}

// With 3 classes or fewer the top 3 always hold the truth: the table leaves
// the column out instead of printing 100% at every step.
TEST(EvaluationTable, LeavesOutTopThreeWhereItIsTrivial) {
  Evaluation e;
  e.samples = 10;
  e.accuracy = {0.5};
  e.top3 = {1.0};
  e.confidence = {0.6};
  e.ece = {0.1};
  e.classes = 3;
  EXPECT_EQ(evaluation_table(e),
            "  step  accuracy  confidence     ECE\n     1    50.00%      0.600  0.1000\n");
  e.classes = 10;
  EXPECT_NE(evaluation_table(e).find("top-3"), std::string::npos);
}

TEST_F(RunTest, ResumeMidEpochIsExact) {
  const ExperimentConfig config = tiny_config();
  auto fresh_trainer = [&](NNN& model) {
    torch::manual_seed(config.seed);
    model = NNN(to_options(config.model));
    return Trainer(model, config, load_data(config.data, config.seed), torch::kCPU);
  };
  NNN straight_model(nullptr);
  Trainer straight = fresh_trainer(straight_model);
  EpochReport straight_last;
  ASSERT_TRUE(straight.run({[&](const EpochReport& r) { straight_last = r; }, {}, {}}));

  NNN first_model(nullptr);
  Trainer first = fresh_trainer(first_model);
  int batches = 0;
  Trainer::Hooks stop_early;
  stop_early.on_batch = [&](int64_t, int64_t, int64_t, const torch::Tensor&) { ++batches; };
  stop_early.stop_requested = [&] { return batches == 11; };
  ASSERT_FALSE(first.run(stop_early));
  ASSERT_EQ(first.batches_per_epoch(), 8);  // 120 samples, batch 16
  EXPECT_EQ(first.epoch(), 2);
  EXPECT_EQ(first.batch(), 3);
  const std::string checkpoint = (dir_ / "checkpoint.pt").string();
  first.save_checkpoint(checkpoint, {{"note", "hello"}});

  NNN second_model(nullptr);
  Trainer second = fresh_trainer(second_model);
  {
    torch::NoGradGuard no_grad;
    for (auto& p : second_model->parameters()) p.fill_(0.5);  // must be overwritten
  }
  const auto extra = second.load_checkpoint(checkpoint);
  EXPECT_EQ(extra.at("note"), "hello");
  EpochReport resumed_last;
  ASSERT_TRUE(second.run({[&](const EpochReport& r) { resumed_last = r; }, {}, {}}));
  EXPECT_EQ(resumed_last.epoch, 3);
  EXPECT_EQ(resumed_last.train_loss, straight_last.train_loss);
  // The loss is on the last step and training skips what cannot reach it:
  // no training accuracy before step 3 (NaN), the same at step 3.
  ASSERT_EQ(resumed_last.train_accuracy.size(), 3u);
  ASSERT_EQ(straight_last.train_accuracy.size(), 3u);
  for (size_t t = 0; t < 2; ++t) {
    EXPECT_TRUE(std::isnan(resumed_last.train_accuracy[t]) &&
                std::isnan(straight_last.train_accuracy[t]));
  }
  EXPECT_EQ(resumed_last.train_accuracy[2], straight_last.train_accuracy[2]);
  EXPECT_GT(resumed_last.train_accuracy[2], 0.0);
  EXPECT_EQ(resumed_last.test.accuracy, straight_last.test.accuracy);
  EXPECT_EQ(resumed_last.test.loss, straight_last.test.loss);
  for (const auto& item : straight_model->named_parameters()) {
    EXPECT_TRUE(torch::equal(item.value(), second_model->named_parameters()[item.key()]))
        << item.key();
  }
}

TEST_F(RunTest, CheckpointWritesAreAtomic) {
  const ExperimentConfig config = tiny_config();
  NNN model(to_options(config.model));
  Trainer trainer(model, config, load_data(config.data, config.seed), torch::kCPU);
  const fs::path checkpoint = dir_ / "checkpoint.pt";
  trainer.save_checkpoint(checkpoint.string(), {});
  const std::string before = read_file(checkpoint.string());
  // The temporary file cannot be created (a folder is in its way): the write
  // fails with an error and the previous checkpoint stays intact.
  fs::create_directories(checkpoint.string() + ".tmp." + std::to_string(::getpid()));
  EXPECT_THROW(trainer.save_checkpoint(checkpoint.string(), {{"x", "y"}}), Error);
  EXPECT_EQ(read_file(checkpoint.string()), before);
  fs::remove_all(checkpoint.string() + ".tmp." + std::to_string(::getpid()));
  trainer.save_checkpoint(checkpoint.string(), {});
  for (const auto& entry : fs::directory_iterator(dir_)) {
    EXPECT_EQ(entry.path().filename(), "checkpoint.pt");  // no temporary left behind
  }
}

std::string write_config(const fs::path& dir, const std::string& extra = "") {
  const std::string path = (dir / "tiny.yaml").string();
  std::ofstream(path) << experiment_to_yaml(tiny_config()) << extra;
  return path;
}

std::vector<std::string> lines(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// train.init_from: a new run starts from another run's weights; shapes
// must match (the error names the tensor and both shapes).
TEST_F(RunTest, InitFromStartsFromAnotherRunsWeights) {
  RunOptions first;
  first.config_path = write_config(dir_);
  first.out = (dir_ / "first").string();
  first.overrides = {"train.epochs=2"};
  std::ostringstream log;
  ASSERT_TRUE(run_training(first, log).completed);
  // A learning rate of 1e-12 leaves the weights where they started: the
  // first run's.
  RunOptions warm = first;
  warm.out = (dir_ / "warm").string();
  warm.overrides = {"train.epochs=1", "train.lr=1e-12", "train.warmup_epochs=0",
                    "train.init_from=" + first.out};
  ASSERT_TRUE(run_training(warm, log).completed);
  EXPECT_NE(log.str().find("weights initialised from " + first.out + "/weights.pt"),
            std::string::npos);
  NNN a = load_run(first.out, DeviceSetting::cpu()).model,
      b = load_run(warm.out, DeviceSetting::cpu()).model;
  EXPECT_LT((a->flat_parameters() - b->flat_parameters()).abs().max().item<double>(), 1e-6);
  // The config it wrote names where it started.
  EXPECT_EQ(load_experiment(warm.out + "/config.yaml").train.init_from, first.out);
  // Without init_from the same settings start elsewhere.
  RunOptions cold = warm;
  cold.out = (dir_ / "cold").string();
  cold.overrides.pop_back();
  ASSERT_TRUE(run_training(cold, log).completed);
  NNN c = load_run(cold.out, DeviceSetting::cpu()).model;
  EXPECT_GT((a->flat_parameters() - c->flat_parameters()).abs().max().item<double>(), 1e-3);
  RunOptions mismatch = warm;
  mismatch.out = (dir_ / "mismatch").string();
  mismatch.overrides.push_back("model.hidden=8");
  expect_error([&] { run_training(mismatch, log); },
               "train.init_from: " + first.out + "/weights.pt: tensor 'cells.0.w1'");
  RunOptions missing = warm;
  missing.out = (dir_ / "missing").string();
  missing.overrides.back() = "train.init_from=" + (dir_ / "nowhere").string();
  expect_error([&] { run_training(missing, log); }, "nowhere/weights.pt does not exist");
}

// A write killed mid-way leaves NAME.tmp.PID; resuming removes those whose
// process is gone and keeps a live writer's.
TEST_F(RunTest, ResumeRemovesStaleTemporaries) {
  RunOptions options;
  options.config_path = write_config(dir_);
  options.out = (dir_ / "run").string();
  options.overrides = {"train.epochs=1"};
  std::ostringstream log;
  ASSERT_TRUE(run_training(options, log).completed);
  const fs::path run(options.out);
  const fs::path dead = run / "checkpoint.pt.tmp.4194305";  // above any pid_max
  const fs::path live = run / ("metrics.csv.tmp." + std::to_string(::getpid()));
  std::ofstream(dead) << "torn";
  std::ofstream(live) << "in progress";
  RunOptions resume;
  resume.resume = options.out;
  ASSERT_TRUE(run_training(resume, log).completed);
  EXPECT_FALSE(fs::exists(dead));
  EXPECT_TRUE(fs::exists(live));
  EXPECT_NE(log.str().find("removed 1 temporary file(s) left by a write that was killed"),
            std::string::npos);
}

TEST_F(RunTest, LesionStudyRemovesEachPartOfATrainedRun) {
  // layered [1, 2, 1] with feedback: 0 -> {1, 2} -> 3 and back, d = 2, 3
  // steps.
  std::ostringstream log;
  ExperimentConfig config = tiny_config();
  config.train.epochs = 30;  // past chance, so that the forward edges carry the reading
  const RunResult run = run_training(config, RunDirectory((dir_ / "run").string()), log);
  ASSERT_TRUE(run.completed);
  const LesionStudy study = lesion_study(run.dir);
  const Evaluation intact = evaluate_run(run.dir);
  EXPECT_EQ(study.intact.accuracy, intact.accuracy);  // the generic path scores the same
  const int64_t edges = 8, cells = 4, steps = 3;
  ASSERT_EQ(static_cast<int64_t>(study.rows.size()), edges + cells + edges * steps);
  const auto whole_cut = [&](const LesionRow& row) {
    for (const LesionRow& r : study.rows) {
      if (r.kind == LesionRow::Kind::kEdge && r.from == row.from && r.to == row.to && r.step == 0)
        return r.evaluation.accuracy[2];
    }
    return -1.0;
  };
  // A cut of i -> j at step t changes step 3's prediction only through
  // j's message at t, which reaches the output at t + dist(j) (dist: 2, 1,
  // 1, 0 edges from cells 0-3 to the output); at step 1 every message read
  // is still zero. So each edge matters at one step at most, and a whole
  // run's cut of it changes step 3 exactly as that one step's cut does.
  const std::vector<int64_t> dist = {2, 1, 1, 0};
  bool some_loss = false;
  for (const LesionRow& row : study.rows) {
    if (row.kind != LesionRow::Kind::kEdge) continue;
    const auto& a = row.evaluation.accuracy;
    const int64_t when = steps - dist[static_cast<size_t>(row.to)];
    if (row.step != 0) {
      const bool matters = row.step == when && when >= 2;
      EXPECT_EQ(a[2], matters ? whole_cut(row) : intact.accuracy[2]) << row.name();
    } else if (when < 2) {
      EXPECT_EQ(a[2], intact.accuracy[2]) << row.name();
    }
    some_loss = some_loss || (row.from == 0 && row.step == 0 && a[2] < intact.accuracy[2]);
  }
  EXPECT_GT(intact.accuracy[2], 0.5) << "3 classes";
  EXPECT_TRUE(some_loss) << "no forward edge mattered";
  EXPECT_EQ(study.rows[static_cast<size_t>(edges + 3)].name(), "cell 3");
  write_lesion_report(study, (dir_ / "lesion").string());
  for (const char* file : {"lesion.md", "lesion.csv", "lesion.json", "lesion.dot", "lesion.svg"}) {
    EXPECT_TRUE(fs::exists(dir_ / "lesion" / file)) << file;
  }
  EXPECT_NE(read_file((dir_ / "lesion" / "lesion.dot").string()).find("c0 -> c1"),
            std::string::npos);
  // The SVG: one path per edge, one circle per cell, each titled with its loss.
  const std::string svg = read_file((dir_ / "lesion" / "lesion.svg").string());
  size_t paths = 0, circles = 0;
  for (size_t at = svg.find("<title>edge "); at != std::string::npos;
       at = svg.find("<title>edge ", at + 1))
    ++paths;
  for (size_t at = svg.find("<title>cell "); at != std::string::npos;
       at = svg.find("<title>cell ", at + 1))
    ++circles;
  EXPECT_EQ(paths, static_cast<size_t>(edges));
  EXPECT_EQ(circles, static_cast<size_t>(cells));
}

TEST_F(RunTest, RunDirectoryHoldsEveryFile) {
  RunOptions options;
  options.config_path = write_config(dir_);
  options.out = (dir_ / "run").string();
  options.overrides = {"train.epochs=2"};
  std::ostringstream log;
  const RunResult result = run_training(options, log);
  ASSERT_TRUE(result.completed);
  const fs::path run(result.dir);
  for (const char* name : {RunFiles::kConfig, RunFiles::kMetricsJsonl, RunFiles::kMetricsCsv,
                           RunFiles::kCheckpoint, RunFiles::kWeights, RunFiles::kSummary}) {
    EXPECT_TRUE(fs::exists(run / name)) << name;
  }
  // The resolved config carries the override.
  EXPECT_EQ(load_experiment((run / RunFiles::kConfig).string()).train.epochs, 2);
  const auto csv = lines(run / RunFiles::kMetricsCsv);
  ASSERT_EQ(csv.size(), 3u);  // header + 2 epochs
  const auto columns = [](const std::string& line) {
    return std::count(line.begin(), line.end(), ',') + 1;
  };
  EXPECT_EQ(columns(csv[0]),
            4 + 5 * 3 + 2);  // 5 per-step groups: train acc, test acc, top-3, confidence, ECE
  EXPECT_EQ(columns(csv[1]), columns(csv[0]));
  EXPECT_EQ(csv[0].substr(0, 40), "epoch,lr,train_loss,test_loss,train_acc_");
  // Training skipped the steps the loss does not read (train.skip_unreachable):
  // their training accuracy is empty in the CSV and null in the JSONL.
  const auto fields = [](const std::string& line) {
    std::vector<std::string> out;
    std::stringstream in(line);
    for (std::string field; std::getline(in, field, ',');) out.push_back(field);
    return out;
  };
  EXPECT_EQ(fields(csv[1])[4], "");
  EXPECT_EQ(fields(csv[1])[5], "");
  EXPECT_NE(fields(csv[1])[6], "");
  const auto jsonl = lines(run / RunFiles::kMetricsJsonl);
  EXPECT_EQ(jsonl.size(), 2u);
  EXPECT_NE(jsonl[0].find("\"train_accuracy\":[null,null,"), std::string::npos) << jsonl[0];
  const std::string summary = read_file((run / RunFiles::kSummary).string());
  for (const char* key : {"\"test\"", "\"accuracy\"", "\"parameters\"", "\"wall_seconds\"",
                          "\"device\": \"cpu\"", "\"libtorch\"", "\"ece\""}) {
    EXPECT_NE(summary.find(key), std::string::npos) << key << " in " << summary;
  }
  // nnn eval on the run gives the summary's final test accuracy.
  const Evaluation e = evaluate_run(result.dir);
  EXPECT_EQ(e.accuracy, result.last.test.accuracy);
  EXPECT_EQ(e.samples, 60);
  expect_error([&] { run_training(options, log); }, "already holds a run");
  expect_error([&] { evaluate_run(result.dir, EvaluationData::parse("elsewhere")); },
               "expected test, train or IMAGES:LABELS");

  // Resuming a finished run changes nothing and succeeds.
  RunOptions again;
  again.resume = result.dir;
  EXPECT_TRUE(run_training(again, log).completed);
  EXPECT_EQ(lines(run / RunFiles::kMetricsCsv).size(), 3u);
}

// A config built in code trains like the same config from a file (the
// same weights), and gets the file's checks: a field set out of range, or
// a rule between keys broken, is refused before anything runs.
TEST_F(RunTest, ConfigsBuiltInCodeTrainLikeFilesAndGetTheirChecks) {
  std::ostringstream log;
  RunOptions from_file;
  from_file.config_path = write_config(dir_);
  from_file.overrides = {"train.epochs=1", "model.steps=4"};
  from_file.out = (dir_ / "file").string();
  const RunResult file = run_training(from_file, log);
  ExperimentConfig config = load_experiment(write_config(dir_), {"train.epochs=1"});
  config.model.steps = 4;
  const RunResult code = run_training(config, RunDirectory((dir_ / "built").string()), log);
  ASSERT_TRUE(file.completed && code.completed);
  EXPECT_EQ(code.last.test.accuracy, file.last.test.accuracy);
  EXPECT_EQ(read_file((dir_ / "built" / RunFiles::kConfig).string()),
            read_file((dir_ / "file" / RunFiles::kConfig).string()));
  // A directory that holds a run is refused, as for a file's run.
  expect_error([&] { run_training(config, RunDirectory((dir_ / "built").string()), log); },
               "already holds a run");

  const RunDirectory bad_dir((dir_ / "bad").string());
  ExperimentConfig bad = config;
  bad.model.steps = 0;
  expect_error([&] { run_training(bad, bad_dir, log); }, "model.steps: must be in 1..");
  bad = config;
  bad.model.steps = 1;  // the output cell is 2 edges from the input
  expect_error([&] { run_training(bad, bad_dir, log); }, "model.steps is 1");
  EXPECT_FALSE(fs::exists(dir_ / "bad"));
}

TEST_F(RunTest, NonFiniteLossStopsAndKeepsTheLastGoodCheckpoint) {
  // Features near float's largest value overflow the first products to
  // infinity (a learning rate of 1e30 did this before train.lr was bounded).
  const std::string table = (dir_ / "huge.csv").string();
  {
    std::ofstream csv(table);
    for (int i = 0; i < 48; ++i)
      csv << (i % 2 ? 3e38 : -3e38) << "," << 3e38 << "," << i % 3 << "\n";
  }
  ExperimentConfig config = tiny_config();
  CsvFile source;
  source.path = table;
  config.data.source = source;
  config.train.optimizer = OptimizerKind::kSgd;
  config.train.lr = 1;
  config.train.warmup_epochs = 0;
  config.train.schedule = LrSchedule::kConstant;
  config.train.weight_decay = 0;
  const std::string path = (dir_ / "huge.yaml").string();
  std::ofstream(path) << experiment_to_yaml(config);
  RunOptions options;
  options.config_path = path;
  options.out = (dir_ / "run").string();
  std::ostringstream log;
  expect_error([&] { run_training(options, log); },
               "the loss became NaN or infinite in epoch 1 at batch");
  EXPECT_FALSE(fs::exists(dir_ / "run" / RunFiles::kCheckpoint));
  EXPECT_FALSE(fs::exists(dir_ / "run" / RunFiles::kWeights));
}

}  // namespace
}  // namespace nnn

namespace nnn {
namespace {

TEST_F(RunTest, CompareWritesOneTableForThreeModels) {
  std::ostringstream log;
  const auto result =
      run_comparison(write_config(dir_), {"train.epochs=2"}, (dir_ / "compare").string(), log);
  ASSERT_EQ(result.rows.size(), 3u);
  const int64_t nnn_parameters = result.rows[0].parameters;
  for (const auto& row : result.rows) {
    EXPECT_NEAR(static_cast<double>(row.parameters), static_cast<double>(nnn_parameters),
                0.02 * static_cast<double>(nnn_parameters))
        << row.model;
    EXPECT_GT(row.samples_per_second, 0.0) << row.model;
    EXPECT_GT(row.test_accuracy.back(), 0.0) << row.model;
    EXPECT_TRUE(std::isfinite(row.final_loss)) << row.model;
  }
  EXPECT_EQ(result.rows[0].test_accuracy.size(), 3u);  // per step for the NNN
  const std::string md = read_file((dir_ / "compare" / "compare.md").string());
  EXPECT_NE(md.find("| from-scratch MLP 2-"), std::string::npos) << md;
  EXPECT_NE(read_file((dir_ / "compare" / "compare.json").string()).find("\"rows\""),
            std::string::npos);
  EXPECT_TRUE(fs::exists(dir_ / "compare" / "nnn" / RunFiles::kSummary));
  EXPECT_TRUE(fs::exists(dir_ / "compare" / "torch_mlp" / RunFiles::kSummary));
}

}  // namespace
}  // namespace nnn

namespace nnn {
namespace {

// A run of layer-normalised cells (the generic path) saves its weights,
// loads them for evaluation and resumes after an interrupt exactly like the
// standard cell's runs.
TEST_F(RunTest, CustomCellRunsSaveLoadAndResume) {
  auto strip_timing = [](std::vector<std::string> rows) {
    for (auto& row : rows) row = row.substr(0, row.rfind(',', row.rfind(',') - 1));
    return rows;
  };
  RunOptions straight;
  straight.config_path = write_config(dir_);
  straight.overrides = {"model.cell=layer_norm", "train.epochs=2"};
  straight.out = (dir_ / "straight").string();
  std::ostringstream log;
  const RunResult a = run_training(straight, log);
  ASSERT_TRUE(a.completed);
  EXPECT_EQ(load_experiment((fs::path(a.dir) / RunFiles::kConfig).string()).model.cell,
            (std::vector<std::string>{"layer_norm"}));
  LoadedRun loaded = load_run(a.dir);
  EXPECT_FALSE(loaded.model->fast_path());
  EXPECT_EQ(evaluate_run(a.dir).accuracy, a.last.test.accuracy);

  RunOptions interrupted = straight;
  interrupted.out = (dir_ / "interrupted").string();
  interrupted.hooks.after_batch = [](int64_t batches, int64_t, bool) {
    if (batches == 11) std::raise(SIGINT);
  };
  const RunResult stopped = run_training(interrupted, log);
  ASSERT_FALSE(stopped.completed);
  RunOptions resume;
  resume.resume = stopped.dir;
  const RunResult b = run_training(resume, log);
  ASSERT_TRUE(b.completed);
  EXPECT_EQ(strip_timing(lines(fs::path(b.dir) / RunFiles::kMetricsCsv)),
            strip_timing(lines(fs::path(a.dir) / RunFiles::kMetricsCsv)));
  EXPECT_EQ(evaluate_run(b.dir).accuracy, a.last.test.accuracy);
}

}  // namespace
}  // namespace nnn
