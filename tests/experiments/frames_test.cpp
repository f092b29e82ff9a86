// Blurry frames end to end: config keys, frame batches and test frames,
// sharding over [F, B, D], calibration error, the SVG plot, the frames
// comparison, plates and `predict` on a tiny model trained on synthetic
// shapes (so no downloaded data is needed).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>
#include "nnn/config/model_options.h"
#include "nnn/data/batch_loader.h"
#include "nnn/data/degrade.h"
#include "nnn/data/digit_image.h"
#include "nnn/data/idx.h"
#include "nnn/data/image_file.h"
#include "nnn/data/load_data.h"
#include "nnn/data/plate_readings.h"
#include "nnn/experiments/frames_compare.h"
#include "nnn/experiments/halting.h"
#include "nnn/experiments/palette.h"
#include "nnn/experiments/plates.h"
#include "nnn/experiments/predict.h"
#include "nnn/train/loaded_run.h"
#include "nnn/train/metrics.h"
#include "nnn/train/run.h"
#include "nnn/train/trainer.h"
#include "nnn/util/svg_plot.h"
#include "tests/shapes.h"
#include "tests/test_util.h"

namespace nnn {
namespace {

namespace fs = std::filesystem;
using testing::expect_error;
using testing::shapes;

class FramesTest : public testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    configure_threads(1);
    for (const auto& [name, n, seed] : {std::tuple{"train", 256, 1}, {"test", 64, 2}}) {
      IdxArray labels;
      const IdxArray images = shapes(n, seed, &labels);
      write_idx(path(std::string(name) + "-images"), images);
      write_idx(path(std::string(name) + "-labels"), labels);
    }
  }

  // An experiment YAML on the shapes with frames; `model` is the model map.
  std::string write_config(const std::string& name, const std::string& model,
                           const std::string& feed = "sequence") {
    const std::string file = path(name + ".yaml");
    std::ofstream(file) << "name: " << name << "\nseed: 3\ndevice: cpu\nthreads: 1\n"
                        << "model:\n  input_size: 784\n  output_size: 4\n"
                        << model << "\ndata:\n  dataset: idx\n"
                        << "  train_images: " << path("train-images") << "\n"
                        << "  train_labels: " << path("train-labels") << "\n"
                        << "  test_images: " << path("test-images") << "\n"
                        << "  test_labels: " << path("test-labels") << "\n"
                        << "  normalize: unit\n  frames: 3\n  feed: " << feed << "\n"
                        << "  degrade: {blur_sigma: 0.8, noise_std: 0.15, shift: 0.5}\n"
                        << "train:\n  epochs: 4\n  batch_size: 32\n  lr: 0.005\n"
                        << "  log_every: 1000\nloss:\n  steps: all\n";
    return file;
  }
  static constexpr const char* kSelfLoop = "  steps: 3\n  hidden: 32\n  wiring: {adjacency: [[8]]}";
  static constexpr const char* kLayered =
      "  steps: 5\n  hidden: 16\n  wiring: {generator: layered, layers: [1, 2, 1], channels: 4}";
  static constexpr const char* kMlp = "  steps: 1\n  hidden: 16\n  wiring: {adjacency: [[0]]}";
};

TEST_F(FramesTest, ConfigKeysRoundTrip) {
  const auto config = load_experiment(write_config("c", kSelfLoop, "average"));
  const FrameOptions& f = config.data.frames;
  EXPECT_EQ(f.count, 3);
  EXPECT_EQ(f.feed, FrameFeed::kAverage);
  EXPECT_DOUBLE_EQ(f.degrade.blur_sigma, 0.8);
  EXPECT_DOUBLE_EQ(f.degrade.noise_std, 0.15);
  EXPECT_TRUE(f.active());
  const std::string yaml = experiment_to_yaml(config);
  EXPECT_EQ(experiment_to_yaml(parse_experiment(yaml, "resolved.yaml")), yaml);
  expect_error([&] { load_experiment(write_config("d", kSelfLoop), {"data.feed=blend"}); },
               "data.feed: 'blend' is not one of");
}

TEST_F(FramesTest, BatchesAreFreshFramesFedAsConfigured) {
  const auto config = load_experiment(write_config("c", kSelfLoop));
  const DataSplit data = load_data(config.data, config.seed);
  auto loader_for = [&](FrameFeed feed) {
    FrameOptions frames = config.data.frames;
    frames.feed = feed;
    return BatchLoader(data.train, 16, true, 7, torch::kCPU, 0, frames);
  };
  BatchLoader sequence = loader_for(FrameFeed::kSequence);
  BatchLoader single = loader_for(FrameFeed::kSingle);
  BatchLoader average = loader_for(FrameFeed::kAverage);
  for (auto* l : {&sequence, &single, &average}) l->start_epoch(2);
  const auto [xs, ys] = sequence.batch(3);
  EXPECT_EQ(xs.sizes(), (std::vector<int64_t>{3, 16, 784}));
  EXPECT_TRUE(torch::equal(xs, sequence.batch(3).first));   // seeded
  EXPECT_FALSE(torch::equal(xs[0], xs[1]));                 // frames differ
  EXPECT_TRUE(torch::equal(single.batch(3).first, xs[0]));  // frame 1 alone
  EXPECT_TRUE(torch::allclose(average.batch(3).first, xs.mean(0)));
  // average_random: each sample is the mean of its first k frames, k in 1..3.
  BatchLoader any_count = loader_for(FrameFeed::kAverageRandom);
  any_count.start_epoch(2);
  const auto mixed = any_count.batch(3).first;  // [16, 784]
  const auto running = xs.cumsum(0) / torch::arange(1, 4, xs.options()).view({3, 1, 1});
  std::set<int64_t> counts;
  for (int64_t b = 0; b < 16; ++b) {
    int64_t found = 0;
    for (int64_t k = 0; k < 3; ++k) {
      if (torch::allclose(mixed[b], running[k][b], 1e-5, 1e-6)) found = k + 1;
    }
    EXPECT_GT(found, 0) << "sample " << b;
    counts.insert(found);
  }
  EXPECT_GE(counts.size(), 2u);
  EXPECT_TRUE(torch::equal(mixed, any_count.batch(3).first));  // seeded
  sequence.start_epoch(3);  // a new epoch draws new frames of the same images
  EXPECT_FALSE(torch::equal(sequence.batch(3).first, xs));
  EXPECT_GE(xs.min().item<float>(), 0.0f);
  EXPECT_LE(xs.max().item<float>(), 1.0f);
}

TEST_F(FramesTest, TestFramesAreFixedBySeed) {
  const auto config = load_experiment(write_config("c", kSelfLoop));
  const DataSplit a = load_data(config.data, config.seed);
  EXPECT_EQ(a.test.frames.sizes(), (std::vector<int64_t>{3, 64, 784}));
  EXPECT_FALSE(a.train.frames.defined());  // training frames are drawn per batch
  EXPECT_TRUE(torch::equal(a.test.frames, load_data(config.data, config.seed).test.frames));
  EXPECT_FALSE(torch::equal(a.test.frames, load_data(config.data, config.seed + 1).test.frames));
  EXPECT_FALSE(torch::allclose(a.test.frames[0], a.test.inputs, 0.05, 0.05));
}

TEST_F(FramesTest, ShardedFramesMatchOneShard) {
  const auto config = load_experiment(write_config("c", kLayered));
  torch::manual_seed(0);
  NNN model(to_options(config.model));
  const auto x = torch::rand({3, 64, 784});
  const auto y = torch::randint(4, {64}, torch::kLong);
  WorkerPool pool(2);
  const auto one = forward_backward(model, x, y, {LossSteps::kAll, nullptr});
  const auto two = forward_backward(model, x, y, {LossSteps::kAll, &pool});
  EXPECT_EQ(two.shards, 2);  // the frames really were cut along B
  EXPECT_EQ(pool.worker_tasks(), 1);
  EXPECT_TRUE(torch::allclose(one.predictions, two.predictions, 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(one.grad, two.grad, 1e-5, 1e-6));
  EXPECT_NEAR(one.loss.item<double>(), two.loss.item<double>(), 1e-6);
}

TEST(Calibration, ExpectedCalibrationErrorByHand) {
  // Two classes; outputs (0, log 3) give class 1 with probability 0.75.
  const auto sure = torch::tensor({0.0f, std::log(3.0f)});
  const auto predictions = sure.repeat({1, 4, 1});  // [T=1, B=4, C=2]
  StepMetrics calibrated(1, 2, torch::kCPU);
  calibrated.add(predictions, torch::tensor({1, 1, 1, 0}, torch::kLong));
  EXPECT_NEAR(calibrated.accuracy()[0], 0.75, 1e-12);
  EXPECT_NEAR(calibrated.confidence()[0], 0.75, 1e-6);
  EXPECT_NEAR(calibrated.calibration_error()[0], 0.0, 1e-6);
  StepMetrics overconfident(1, 2, torch::kCPU);
  overconfident.add(predictions, torch::tensor({1, 0, 0, 0}, torch::kLong));
  EXPECT_NEAR(overconfident.calibration_error()[0], 0.5, 1e-6);
  // Two bins: 0.75-confident and right twice; 0.5-confident and right once of two.
  StepMetrics mixed(1, 2, torch::kCPU);
  const auto unsure = torch::zeros({2});
  mixed.add(torch::stack({sure, sure, unsure, unsure}).unsqueeze(0),
            torch::tensor({1, 1, 0, 1}, torch::kLong));
  // Bin of 0.75: |2 - 1.5| / 4; bin of 0.5: |1 - 1| / 4.
  EXPECT_NEAR(mixed.calibration_error()[0], 0.125, 1e-6);
  EXPECT_NEAR(mixed.top_k()[0], 1.0, 1e-12);
}

TEST(Svg, TicksAndCharts) {
  const auto fifths = svg::nice_ticks(0, 1, 5);
  ASSERT_EQ(fifths.size(), 6u);
  for (size_t i = 0; i < 6; ++i) EXPECT_NEAR(fifths[i], 0.2 * static_cast<double>(i), 1e-12);
  EXPECT_EQ(svg::nice_ticks(1, 6, 8), (std::vector<double>{1, 2, 3, 4, 5, 6}));
  svg::Panel panel{"Accuracy", "k", "%", {}};
  panel.series.push_back({"A & B", {1, 2, 3}, {10, std::nan(""), 30}, false, "", "", {}});
  panel.series.push_back({"C", {1, 2, 3}, {20, 25, 28}, true, "", "", {}});
  const std::string text = svg::line_charts("T <1>", {panel, panel});
  EXPECT_EQ(text.rfind("<svg", 0), 0u);
  EXPECT_NE(text.find("A &amp; B"), std::string::npos);
  EXPECT_NE(text.find("T &lt;1&gt;"), std::string::npos);
  EXPECT_NE(text.find("stroke-dasharray"), std::string::npos);
  // One path per series and panel; the NaN lifts the pen once in each A.
  auto count = [&](const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("<path"), 4u);
  EXPECT_EQ(count(" M"), 2u);
  EXPECT_EQ(count("<circle"), 10u);  // 2 panels x (2 + 3) points
  EXPECT_EQ(text.substr(text.size() - 7), "</svg>\n");
}

TEST(Svg, LogAxesAreLabelledInTheirUnits) {
  EXPECT_EQ(svg::log_ticks(30, 1100, 8), (std::vector<double>{50, 100, 200, 500, 1000}));
  // Too many 1-2-5 ticks: powers of ten only.
  EXPECT_EQ(svg::log_ticks(1, 1e6, 8), (std::vector<double>{1, 10, 100, 1e3, 1e4, 1e5, 1e6}));
  EXPECT_EQ(svg::short_number(950), "950");
  EXPECT_EQ(svg::short_number(1500), "1.5k");
  EXPECT_EQ(svg::short_number(20000), "20k");
  EXPECT_EQ(svg::short_number(3e6), "3M");
  EXPECT_EQ(svg::short_number(0.25), "0.25");
  svg::Panel panel{"batch", "batch", "samples/s", {}};
  panel.x_log = panel.y_log = true;
  panel.series.push_back({"m", {32, 64, 128, 0}, {2000, 4000, 8000, 5}, false, "", "", {}});
  const std::string text = svg::line_charts("log", {panel});
  EXPECT_NE(text.find(">100</text>"), std::string::npos) << text;
  EXPECT_NE(text.find(">5k</text>"), std::string::npos) << text;
  EXPECT_EQ(text.find("log10"), std::string::npos);
  // x = 0 has no place on a log axis: 3 points drawn, not 4.
  size_t circles = 0;
  for (size_t at = text.find("<circle"); at != std::string::npos;
       at = text.find("<circle", at + 1)) {
    ++circles;
  }
  EXPECT_EQ(circles, 3u);
  // Equal ratios, equal steps: 32 -> 64 -> 128 evenly spaced.
  std::vector<double> xs;
  for (size_t at = text.find("<circle cx=\""); at != std::string::npos;
       at = text.find("<circle cx=\"", at + 1)) {
    xs.push_back(std::stod(text.substr(at + 12)));
  }
  ASSERT_EQ(xs.size(), 3u);
  EXPECT_NEAR(xs[1] - xs[0], xs[2] - xs[1], 0.15);
}

TEST(Svg, BandsAreDrawnUnderTheirLines) {
  svg::Panel panel{"Accuracy", "k", "%", {}};
  svg::Series s{"NNN", {1, 2, 3}, {50, 60, 70}, false, "#d62728", "", {}};
  s.y_low = {45, 58, 69};
  s.y_high = {55, 62, 90};  // the band widens the y range to 90
  panel.series.push_back(s);
  const std::string text = svg::line_charts("bands", {panel});
  const size_t band = text.find("<polygon");
  ASSERT_NE(band, std::string::npos);
  EXPECT_LT(band, text.find("<path"));  // under the line
  EXPECT_NE(text.find("fill=\"#d62728\" fill-opacity=\"0.15\""), std::string::npos);
  EXPECT_NE(text.find(">90</text>"), std::string::npos) << "the band's top is on the axis";
  // Six corners: 3 upper, 3 lower.
  const std::string points = text.substr(band, text.find('"', band + 18) - band);
  EXPECT_EQ(std::count(points.begin(), points.end(), ','), 6);
}

TEST_F(FramesTest, ComparisonScoresFiveMethodsOnTheSameFrames) {
  std::ostringstream log;
  const auto result =
      run_frames_comparison(write_config("nnn", kLayered), write_config("mlp", kMlp),
                            {"train.epochs=2"}, path("cmp"), log, /*baselines=*/false);
  ASSERT_EQ(result.by_frames.size(), 5u);
  EXPECT_EQ(result.frames, 3);
  EXPECT_EQ(result.distance, 2);
  EXPECT_EQ(result.test_samples, 64);
  // The stopping rule read to the end gives each method's last accuracy.
  ASSERT_EQ(result.anytime.size(), 3u);
  for (const auto& curve : result.anytime) {
    ASSERT_EQ(curve.points.size(), anytime_taus().size());
    const auto& all = curve.points.back();
    EXPECT_NEAR(all.mean_frames, 3.0, 1e-12) << curve.key;
    for (const auto& c : result.by_frames) {
      if (c.key == curve.key) {
        EXPECT_NEAR(all.accuracy, c.accuracy.back(), 1e-9) << curve.key;
      }
    }
    for (size_t i = 1; i < curve.points.size(); ++i) {
      EXPECT_GE(curve.points[i].mean_frames, curve.points[i - 1].mean_frames) << curve.key;
    }
  }
  const auto& single = result.by_frames[0];
  const auto& logits = result.by_frames[2];
  for (const auto& c : result.by_frames) EXPECT_EQ(c.accuracy.size(), 3u) << c.key;
  EXPECT_EQ(single.accuracy[0], single.accuracy[2]);  // one frame, whatever k
  EXPECT_EQ(logits.accuracy[0], single.accuracy[0]);  // an average of one frame
  EXPECT_EQ(logits.ece[0], single.ece[0]);
  // The NNN at k frames is its step k + d; step 5 is the last (k = 3).
  const auto& sequence = result.by_frames[3];
  EXPECT_EQ(sequence.key, "nnn_sequence");
  for (size_t k = 0; k < 3; ++k)
    EXPECT_EQ(sequence.accuracy[k], result.nnn_steps[0].accuracy[k + 2]);
  for (const char* file :
       {"frames.md", "frames.json", "frames.svg", "nnn_sequence/weights.pt",
        "nnn_single/weights.pt", "mlp_single/weights.pt", "mlp_average/weights.pt"}) {
    EXPECT_TRUE(fs::exists(fs::path(path("cmp")) / file)) << file;
  }
  std::ifstream svg_file(fs::path(path("cmp")) / "frames.svg");
  const std::string svg((std::istreambuf_iterator<char>(svg_file)), {});
  for (const auto& c : result.by_frames) EXPECT_NE(svg.find(c.label), std::string::npos);
  expect_error(
      [&] {
        run_frames_comparison(write_config("nnn", kLayered), write_config("mlp", kMlp),
                              {"train.epochs=1"}, path("cmp"), log);
      },
      "already holds a frames comparison");
  // An MLP config with other frames is refused before anything trains.
  std::ifstream in(write_config("other", kMlp));
  std::string text((std::istreambuf_iterator<char>(in)), {});
  text.replace(text.find("noise_std: 0.15"), 15, "noise_std: 0.25");
  std::ofstream(path("other.yaml")) << text;
  expect_error(
      [&] { run_frames_comparison(path("nnn.yaml"), path("other.yaml"), {}, path("cmp2"), log); },
      "differ in their data section or seed");
  EXPECT_FALSE(fs::exists(path("cmp2")));
}

// The baselines (random-count average MLP, GRU, LSTM) and the seed summary.
TEST_F(FramesTest, BaselinesAndSeedsArePairedOnTheSameImages) {
  std::ostringstream log;
  const std::string nnn = write_config("nnn", kSelfLoop), mlp = write_config("mlp", kMlp);
  const std::string md = run_frames_seeds(nnn, mlp, {"train.epochs=1"}, 2, path("seeds"), log);
  for (const char* seed : {"seed0", "seed1"}) {
    for (const char* run : {"mlp_average_random", "gru", "lstm", "nnn_sequence"}) {
      EXPECT_TRUE(fs::exists(fs::path(path("seeds")) / seed / run / "weights.pt")) << run;
    }
  }
  EXPECT_TRUE(fs::exists(fs::path(path("seeds")) / "frames_seeds.md"));
  EXPECT_TRUE(fs::exists(fs::path(path("seeds")) / "frames_seeds.svg"));
  std::ifstream json_file(fs::path(path("seeds")) / "seed0" / "frames.json");
  const auto json = nlohmann::json::parse(json_file);
  ASSERT_EQ(json.at("by_frames").size(), 8u);
  int64_t nnn_parameters = 0;
  for (const auto& m : json.at("by_frames")) {
    const auto accuracy = m.at("accuracy");
    const auto correct = m.at("correct").get<std::vector<std::string>>();
    ASSERT_EQ(correct.size(), 3u);
    for (size_t k = 0; k < 3; ++k) {
      if (accuracy[k].is_null()) continue;
      ASSERT_EQ(correct[k].size(), 64u);
      const auto right = std::count(correct[k].begin(), correct[k].end(), '1');
      EXPECT_NEAR(accuracy[k].get<double>(), static_cast<double>(right) / 64.0, 1e-9)
          << m.at("key");
    }
    if (m.at("key") == "nnn_sequence") nnn_parameters = m.at("parameters").get<int64_t>();
  }
  // The recurrent readers are the NNN's size, as near as one hidden unit allows.
  for (const auto& m : json.at("by_frames")) {
    const std::string key = m.at("key").get<std::string>();
    if (key != "gru" && key != "lstm") continue;
    const int64_t step = key == "gru" ? 3 * (784 + 4) : 4 * (784 + 4);  // about one hidden unit
    EXPECT_LE(std::abs(m.at("parameters").get<int64_t>() - nnn_parameters), step) << key;
  }
  ASSERT_EQ(json.at("halting").size(), 6u);
  for (const auto& h : json.at("halting")) {
    EXPECT_GE(h.at("mean_frames").get<double>(), 1.0);
    EXPECT_LE(h.at("mean_frames").get<double>(), 3.0);
  }
  EXPECT_NE(md.find("| 3 |"), std::string::npos);
  EXPECT_TRUE(md.find("NNN wins") != std::string::npos || md.find("tie") != std::string::npos ||
              md.find("NNN loses") != std::string::npos);
  // Finished seeds are read again, not retrained.
  std::ostringstream again;
  EXPECT_EQ(run_frames_seeds(nnn, mlp, {"train.epochs=1"}, 2, path("seeds"), again), md);
  EXPECT_NE(again.str().find("seed1/frames.json exists, read"), std::string::npos);
}

// The paired test by hand: 4 images, 2 seeds; the NNN right on 3 + 4, the
// other on 1 + 2 of them.
TEST(FramesSeeds, PairedCountsAndVerdicts) {
  auto seed = [](const std::string& nnn_bits, const std::string& other_bits) {
    FramesComparison c;
    c.dir = "d";
    c.frames = 1;
    c.test_samples = 4;
    FrameCurve nnn, other;
    nnn.key = "nnn_sequence";
    nnn.label = "NNN";
    other.key = "mlp_average";
    other.label = "MLP";
    for (auto* m : {&nnn, &other}) {
      const std::string& bits = m == &nnn ? nnn_bits : other_bits;
      m->correct = {hits_from_text(bits)};
      m->accuracy = {static_cast<double>(std::count(bits.begin(), bits.end(), '1')) / 4.0};
      m->confidence = {0.5};
    }
    c.by_frames = {other, nnn};
    return c;
  };
  const std::string md = frames_seeds_markdown({seed("1101", "1000"), seed("1111", "0100")});
  // NNN only: images 2 and 4 in seed 0 and 1, 3, 4 in seed 1; the MLP only: none.
  // Per image, seed-averaged: +0.5, +0.5, +0.5, +1, so every resample is > 0;
  // McNemar: (|5 - 0| - 1)^2 / 5 = 3.2, p = 0.074.
  EXPECT_NE(
      md.find("| 1 | MLP | 87.50 | 25.00 | +62.50 (+50.00 to +87.50) | 5 / 0 | 0.074 | NNN wins |"),
      std::string::npos)
      << md;
  EXPECT_NE(md.find("| 25.00 (25.00-25.00) | 87.50 (75.00-100.00) |"), std::string::npos) << md;
  expect_error([] { frames_seeds_markdown({}); }, "no seeds");
  // The plot: the NNN's mean 87.5 with a band from 75 to 100, per method.
  const std::string plot = frames_seeds_svg({seed("1101", "1000"), seed("1111", "0100")});
  EXPECT_NE(plot.find("mean of 2 seeds, band: seed range"), std::string::npos);
  size_t bands = 0;
  for (size_t at = plot.find("<polygon"); at != std::string::npos;
       at = plot.find("<polygon", at + 1)) {
    ++bands;
  }
  EXPECT_EQ(bands, 4u);  // 2 methods x (accuracy, confidence)
  EXPECT_NE(plot.find(">100</text>"), std::string::npos) << "the NNN's best seed on the axis";
}

// A reader that turns right at a step of its own per sample (and is
// confidently wrong before it), with a message that says when: the halting
// unit learns to stop there, where the confidence threshold would stop at
// once.
TEST(LearnedHalting, StopsWhereTheReaderBecomesRight) {
  torch::manual_seed(31);
  const int64_t steps = 4, n = 400;
  const auto right_from = torch::randint(1, steps + 1, {n}, torch::kLong);  // 1-based step
  const auto labels = torch::randint(0, 2, {n}, torch::kLong);
  const auto t = torch::arange(1, steps + 1, torch::kLong).view({steps, 1});
  const auto is_right = t.ge(right_from.view({1, n}));  // [T, N]
  const auto guess = torch::where(is_right, labels.view({1, n}), 1 - labels.view({1, n}));
  const auto logits = torch::one_hot(guess, 2).to(torch::kFloat32) * 4.0;  // [T, N, 2]
  const auto messages = torch::stack({is_right.to(torch::kFloat32), torch::randn({steps, n})}, 2) +
                        0.05 * torch::randn({steps, n, 2});
  // A prior that pulls towards early halting (once right, reading on costs
  // nothing in the expected loss; the prior is what makes stopping pay).
  HaltingOptions options;
  options.prior = 0.9;
  options.beta = 0.1;
  const HaltingUnit unit = train_halting(messages, logits, labels, options);
  const AnytimePoint point = halting_reading(unit, messages, logits, labels);
  const double mean_right_from = right_from.to(torch::kDouble).mean().item<double>();
  EXPECT_GE(point.accuracy, 0.95);
  EXPECT_LE(point.mean_frames, mean_right_from + 0.25);
  // The confidence threshold stops at step 1 (everything is confident there).
  const auto threshold = anytime_reading(logits, labels, {0.9});
  EXPECT_NEAR(threshold[0].mean_frames, 1.0, 1e-12);
  EXPECT_LT(threshold[0].accuracy, 0.5);
  // The threshold curve read at given frames, linear between its points.
  const std::vector<AnytimePoint> curve = {{0.9, 0.7, 2.0}, {0.5, 0.5, 1.0}};
  EXPECT_NEAR(accuracy_at_frames(curve, 1.5), 0.6, 1e-12);
  EXPECT_TRUE(std::isnan(accuracy_at_frames(curve, 2.5)));
  expect_error([&] { train_halting(messages, logits.narrow(0, 0, 2), labels, options); },
               "learned halting: expected messages [T, N, K], logits [T, N, C]");
}

TEST(Polarity, NoisyLowContrastFramesAreNotInverted) {
  // Thin bars (class 1 of the shapes) degraded like blurry_frames.yaml and
  // printed dark on light: every frame must come back light on dark.
  const auto x = testing::shape_tensors(256, 4).first;
  DegradeOptions o;
  o.shift = 1.5;
  o.rotation = 8;
  o.motion_length = 5;
  o.blur_sigma = 1.0;
  o.contrast = 0.5;
  o.noise_std = 0.35;
  const auto frames = degrade(x, o, 21);
  int64_t inverted = 0;
  for (int64_t i = 0; i < 256; ++i) {
    GreyImage photo;
    photo.width = photo.height = 28;
    const auto bytes = (255.0 * (1.0 - frames[i])).round().to(torch::kUInt8).contiguous();
    photo.pixels.assign(bytes.data_ptr<uint8_t>(), bytes.data_ptr<uint8_t>() + 784);
    const auto back = torch::tensor(light_on_dark(photo));
    inverted += (back - frames[i]).abs().max().item<double>() > 0.01;
  }
  EXPECT_EQ(inverted, 0) << "of 256 frames came back the wrong way round";
}

TEST_F(FramesTest, PredictReadsGeneratedPlates) {
  std::ostringstream log;
  RunOptions options;
  options.config_path = write_config("reader", kSelfLoop);
  options.out = path("run");
  const RunResult trained = run_training(options, log);
  ASSERT_GT(trained.last.test.accuracy.back(), 0.9) << log.str();

  const auto config = load_experiment(options.config_path);
  DataConfig clean = config.data;
  clean.frames = FrameOptions{};
  const DataSplit data = load_data(clean, config.seed);
  PlateOptions plate_options;
  plate_options.plates = 4;
  plate_options.digits = 3;
  plate_options.frames = 3;
  plate_options.degrade = config.data.frames.degrade;
  const auto plates =
      make_plates(data.test.inputs, data.test.labels, plate_options, path("plates"));
  ASSERT_EQ(plates.size(), 4u);
  EXPECT_TRUE(fs::exists(path("plates/plates.tsv")));
  const GreyImage strip = read_pgm(plates[0].files[0]);
  EXPECT_EQ(strip.width, 84);
  EXPECT_EQ(strip.height, 28);

  LoadedRun run = load_run(path("run"));
  int64_t right = 0;
  for (const auto& plate : plates) {
    const auto rows = predict_frames(run, read_frames(plate.files, 3));
    ASSERT_EQ(rows.size(), 3u);  // one per step
    EXPECT_EQ(rows[2].label, "step 3 (frames 1-3)");
    ASSERT_EQ(rows[2].probabilities.size(), 3u);
    double total = 0;
    for (double p : rows[2].probabilities[1]) total += p;
    EXPECT_NEAR(total, 1.0, 1e-6);
    const auto best = best_readings(rows[2].probabilities, 3);
    right += best[0].digits == plate.reading;
    const std::string table = format_plate_rows(rows, 3);
    EXPECT_NE(table.find(best[0].digits), std::string::npos);
  }
  EXPECT_GE(right, 3) << "of 4 plates read right";

  // One digit per file: the first cell of a plate, cut out and saved.
  const GreyImage cell = split_plate(strip, 3, "strip")[0];
  write_pgm(path("digit.pgm"), cell);
  const auto rows = predict_frames(run, read_frames({path("digit.pgm")}, 0));
  const std::string digits = format_digit_rows(rows, 2);
  EXPECT_NE(digits.find("step 1 (frame 1)"), std::string::npos);
  // The same digit as a PNG (lossless) reads exactly as the PGM does, as a
  // JPEG within its loss; the format is told by the bytes, not the name.
  std::ofstream(path("digit.png"), std::ios::binary) << encode_image(cell, ImageFormat::kPng);
  std::ofstream(path("digit.jpeg.pgm"), std::ios::binary)
      << encode_image(cell, ImageFormat::kJpeg, 95);
  const auto png_rows = predict_frames(run, read_frames({path("digit.png")}, 0));
  const auto jpeg_rows = predict_frames(run, read_frames({path("digit.jpeg.pgm")}, 0));
  ASSERT_EQ(png_rows.size(), rows.size());
  for (size_t t = 0; t < rows.size(); ++t) {
    EXPECT_EQ(png_rows[t].probabilities, rows[t].probabilities);
    for (size_t c = 0; c < rows[t].probabilities[0].size(); ++c) {
      EXPECT_NEAR(jpeg_rows[t].probabilities[0][c], rows[t].probabilities[0][c], 0.05);
    }
  }

  // Bad input is named.
  std::ofstream(path("bad.pgm")) << "P6\n2 2\n255\n";
  expect_error([&] { read_frames({path("bad.pgm")}, 0); }, path("bad.pgm"));
  expect_error([&] { read_frames({plates[0].files[0]}, 30); },
               plates[0].files[0] + ": a plate of 30 digits needs at least 120 pixels");
  expect_error(
      [&] {
        predict_frames(run, read_frames({path("digit.pgm"), path("digit.pgm"), path("digit.pgm"),
                                         path("digit.pgm")},
                                        0));
      },
      "4 frames given but the model thinks for 3 steps");

  // Anytime reading: the report stops at the first confident row.
  const std::string full = predict_report(path("run"), plates[0].files, 3, 2, DeviceSetting::cpu());
  const std::string early =
      predict_report(path("run"), plates[0].files, 3, 2, DeviceSetting::cpu(), 1e-9);
  EXPECT_NE(full.find("step 3 (frames 1-3)"), std::string::npos);
  EXPECT_EQ(early.find("step 2 (frames 1-2)"), std::string::npos);
  EXPECT_NE(early.find("stopped at step 1 (frame 1): confidence"), std::string::npos) << early;
  const std::string never =
      predict_report(path("run"), plates[0].files, 3, 2, DeviceSetting::cpu(), 1.0);
  EXPECT_NE(never.find("never stopped: no row reached 100.00%"), std::string::npos) << never;
}

TEST(AnytimeReading, FirstConfidentRow) {
  PredictionRow low{"step 1", {{0.5, 0.3, 0.2}, {0.6, 0.4}}};
  PredictionRow high{"step 2", {{0.9, 0.05, 0.05}, {0.95, 0.05}}};
  EXPECT_DOUBLE_EQ(row_confidence(low, false), 0.5);
  EXPECT_DOUBLE_EQ(row_confidence(low, true), 0.5 * 0.6);
  EXPECT_EQ(first_confident_row({low, high}, 0.8, false), 1);
  EXPECT_EQ(first_confident_row({low, high}, 0.5, false), 0);
  EXPECT_EQ(first_confident_row({low, high}, 0.9, true), -1);  // 0.9 * 0.95 = 0.855
  EXPECT_EQ(first_confident_row({low, high}, 0.85, true), 1);
}

}  // namespace
}  // namespace nnn

namespace nnn {
namespace {

TEST(FramesReport, NamesTheWinnerPerFrameCountAndMarksMissingValues) {
  FramesComparison c;
  c.frames = 2;
  c.steps = 3;
  c.distance = 2;
  c.test_samples = 10;
  c.degrade = "noise std 0.3";
  const double nan = std::nan("");
  auto curve = [](const char* key, std::vector<double> accuracy) {
    FrameCurve f;
    f.key = key;
    f.label = key;
    f.accuracy = accuracy;
    f.top3 = accuracy;
    f.confidence = accuracy;
    f.ece = {0.1, 0.2};
    return f;
  };
  c.by_frames = {curve("a", {0.5, 0.7}), curve("b", {0.6, nan})};
  FrameCurve steps = curve("b", {0.1, 0.2, 0.6});
  steps.ece = {0.0, 0.1, 0.2};
  c.nnn_steps = {steps};
  const std::string md = frames_markdown(c);
  EXPECT_NE(md.find("| 1 | 50.00 | 60.00 | b |"), std::string::npos) << md;
  EXPECT_NE(md.find("| 2 | 70.00 | - | a |"), std::string::npos) << md;
  EXPECT_NE(md.find("its column at k frames is step k + 2"), std::string::npos);
  EXPECT_NE(md.find("| 3 | 1 | 60.00 / 60.00 / 0.600 / 0.2000 |"), std::string::npos) << md;
  EXPECT_EQ(md.find("the last frame is read again"), std::string::npos);  // 2 + 2 > 3 steps
  const std::string svg = frames_svg(c);
  EXPECT_NE(svg.find("Reading blurry digits from 2 frames"), std::string::npos);
  // Fewer frames than steps can hold: said, not implied.
  c.steps = 6;
  EXPECT_NE(
      frames_markdown(c).find("(up to 2 frames: from step 5 on, the last frame is read again)"),
      std::string::npos);
}

// A method keeps its colour in every figure whatever its place in the list
// (the NNN red, GRU green), and the anytime plot names the NNN's thresholds.
TEST(FramesReport, OneColourPerMethodAndLabelledThresholds) {
  FramesComparison c;
  c.frames = 2;
  c.steps = 2;
  c.test_samples = 4;
  FrameCurve nnn;
  nnn.key = "nnn_sequence";
  nnn.label = "NNN";
  nnn.accuracy = nnn.top3 = nnn.confidence = nnn.ece = {0.5, 0.6};
  FrameCurve gru = nnn;
  gru.key = "gru";
  gru.label = "GRU";
  c.by_frames = {gru, nnn};
  c.anytime = {{"nnn_sequence", "NNN", {{0.5, 0.6, 1.0}, {2.0, 0.7, 2.0}}}};
  const std::string frames = frames_svg(c), anytime = anytime_svg(c);
  EXPECT_NE(frames.find(R"(stroke="#d62728")"), std::string::npos);
  EXPECT_NE(frames.find(R"(stroke="#2ca02c")"), std::string::npos);
  EXPECT_NE(anytime.find(R"(stroke="#d62728")"), std::string::npos);
  EXPECT_NE(anytime.find(">0.5</text>"), std::string::npos) << anytime;
  EXPECT_NE(anytime.find(">all</text>"), std::string::npos);
}

// The video plot colours a run by the method its config is.
TEST(FramesReport, RunsAreNamedByTheirMethod) {
  ExperimentConfig c;  // one cell, one step: an MLP
  EXPECT_EQ(method_key(c), "mlp_single");
  c.data.frames.feed = FrameFeed::kAverage;
  EXPECT_EQ(method_key(c), "mlp_average");
  c.data.frames.feed = FrameFeed::kAverageRandom;
  EXPECT_EQ(method_key(c), "mlp_average_random");
  c.model.steps = 6;
  c.model.wiring = Wiring(Matrix64{{64}});
  c.data.frames.feed = FrameFeed::kSequence;
  EXPECT_EQ(method_key(c), "nnn_sequence");
  EXPECT_EQ(method_colour(method_key(c)), "#d62728");
  c.data.frames.feed = FrameFeed::kSingle;
  EXPECT_EQ(method_key(c), "nnn_single");
  c.data.frames.feed = FrameFeed::kSequence;
  c.model.cell = {"lstm"};
  EXPECT_EQ(method_key(c), "lstm");
}

TEST(Anytime, StopsAtTheFirstConfidentFrame) {
  // [F = 3, N = 2, C = 2] as log-probabilities. Sample 0 (class 0) grows
  // surer: 0.6, 0.9, 0.95. Sample 1 (class 1) first leans wrong at 0.8,
  // then right at 0.55 and 0.99.
  const auto p = torch::tensor(
      {{{0.6, 0.4}, {0.8, 0.2}}, {{0.9, 0.1}, {0.45, 0.55}}, {{0.95, 0.05}, {0.01, 0.99}}},
      torch::kDouble);
  const auto labels = torch::tensor({0, 1}, torch::kLong);
  const auto points = anytime_reading(p.log(), labels, {0.5, 0.85, 2.0});
  ASSERT_EQ(points.size(), 3u);
  EXPECT_NEAR(points[0].accuracy, 0.5, 1e-12);  // both stop at frame 1; sample 1 wrong
  EXPECT_NEAR(points[0].mean_frames, 1.0, 1e-12);
  EXPECT_NEAR(points[1].accuracy, 1.0, 1e-12);  // frames 2 and 3
  EXPECT_NEAR(points[1].mean_frames, 2.5, 1e-12);
  EXPECT_NEAR(points[2].accuracy, 1.0, 1e-12);  // never early: all 3 frames
  EXPECT_NEAR(points[2].mean_frames, 3.0, 1e-12);
  expect_error([&] { anytime_reading(p[0], labels, {0.5}); }, "expected outputs [F, N, C]");
}

}  // namespace
}  // namespace nnn
