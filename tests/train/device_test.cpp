// Device-correct behaviour: what can be proven on the CPU (epochs prepared in
// one piece equal per-batch draws, checkpoints load through the CPU onto the
// device asked for) and, where a GPU is present, CPU vs CUDA parity
// (*_CUDA tests, skipped with the reason otherwise).
#include <gtest/gtest.h>

#include <torch/torch.h>
#include <csignal>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "nnn/config/model_options.h"
#include "nnn/data/batch_loader.h"
#include "nnn/data/load_data.h"
#include "nnn/runtime/device.h"
#include "nnn/runtime/parallel.h"
#include "nnn/train/loaded_run.h"
#include "nnn/train/run.h"
#include "nnn/train/run_evaluation.h"
#include "nnn/train/trainer.h"
#include "nnn/util/random.h"
#include "tests/test_util.h"

namespace nnn {
namespace {

namespace fs = std::filesystem;

Dataset square_images(int64_t n) {
  Dataset d;
  d.name = "squares";
  d.inputs = torch::rand({n, 64});  // 8x8 pixels in [0, 1]
  d.labels = torch::randint(3, {n}, torch::kLong);
  d.classes = 3;
  return d;
}

// What a GPU run does (the epoch drawn on the CPU in one piece, then one
// copy) gives exactly the batches of the per-batch way.
TEST(DeviceLoader, PreparedEpochsEqualPerBatchDraws) {
  torch::manual_seed(3);
  const Dataset data = square_images(50);
  FrameOptions frames;
  frames.count = 3;
  frames.degrade.shift = 1.0;
  frames.degrade.noise_std = 0.2;
  frames.degrade.motion_length = 3;
  for (const FrameFeed feed : {FrameFeed::kSequence, FrameFeed::kAverage, FrameFeed::kSingle}) {
    frames.feed = feed;
    BatchLoader per_batch(data, 16, true, 9, torch::kCPU, /*augment_shift=*/1, frames);
    BatchLoader prepared(data, 16, true, 9, torch::kCPU, /*augment_shift=*/1, frames);
    EXPECT_FALSE(prepared.prepares_epochs());  // the CPU draws per batch ...
    prepared.prepare_epochs(true);             // ... what other devices prepare
    for (int64_t epoch = 1; epoch <= 2; ++epoch) {
      per_batch.start_epoch(epoch);
      prepared.start_epoch(epoch);
      for (int64_t b = 0; b < per_batch.batches(); ++b) {
        const auto [x1, y1] = per_batch.batch(b);
        const auto [x2, y2] = prepared.batch(b);
        EXPECT_TRUE(torch::equal(x1, x2)) << "epoch " << epoch << " batch " << b;
        EXPECT_TRUE(torch::equal(y1, y2));
      }
    }
  }
}

ExperimentConfig spiral_config() {
  ExperimentConfig c;
  c.name = "device";
  c.seed = 2;
  c.threads = 1;
  c.model.input_size = 2;
  c.model.output_size = 3;
  c.model.steps = 3;
  c.model.hidden = {12};
  c.model.wiring = layered({1, 2, 1}, 3, true);
  c.data.source = SpiralPoints{3, /*train_per_class=*/30, /*test_per_class=*/10};
  c.train.epochs = 2;
  c.train.batch_size = 16;
  c.train.lr = 0.01;
  return c;
}

class DeviceRunTest : public testing::TempDirTest {
 protected:
  // A run on `device` stopped by an interrupt after its first checkpoint,
  // then resumed on `device`.
  RunResult interrupted_and_resumed(const std::string& device, std::ostringstream& log) {
    const std::string config = (dir_ / "c.yaml").string();
    std::ofstream(config) << experiment_to_yaml(spiral_config());
    RunOptions options;
    options.config_path = config;
    options.out = (dir_ / device).string();
    options.device = DeviceSetting::parse(device);
    options.hooks.after_batch = [](int64_t batches, int64_t, bool) {
      if (batches == 5) std::raise(SIGINT);
    };
    const RunResult stopped = run_training(options, log);
    EXPECT_FALSE(stopped.completed);
    RunOptions resume;
    resume.resume = stopped.dir;
    resume.device = DeviceSetting::parse(device);
    return run_training(resume, log);
  }
};

// The device is a run-time choice: a run written with device: auto loads,
// evaluates and resumes on the device asked for.
TEST_F(DeviceRunTest, RunsLoadOnTheDeviceAskedFor) {
  std::ostringstream log;
  const RunResult done = interrupted_and_resumed("cpu", log);
  ASSERT_TRUE(done.completed);
  EXPECT_NE(log.str().find("device cpu"), std::string::npos);
  const LoadedRun loaded = load_run(done.dir, DeviceSetting::cpu());
  EXPECT_TRUE(loaded.device.is_cpu());
  for (const auto& p : loaded.model->parameters()) EXPECT_TRUE(p.device().is_cpu());
  EXPECT_EQ(evaluate_run(done.dir, {}, DeviceSetting::cpu()).accuracy, done.last.test.accuracy);
  testing::expect_error([&] { DeviceSetting::parse("tpu"); },
                        "expected auto, cpu, cuda or cuda:N (N a GPU index); found 'tpu'");
}

// ---- With a GPU ----------------------------------------------------------

#define NNN_NEED_CUDA()             \
  if (!torch::cuda::is_available()) \
  GTEST_SKIP() << "no CUDA device: LibTorch " << TORCH_VERSION << " reports none"

TEST(DeviceParity, ForwardAndGradientsOnRandomWiringsWithFrames_CUDA) {
  NNN_NEED_CUDA();
  torch::manual_seed(21);
  Rng rng(22);
  for (int trial = 0; trial < 6; ++trial) {
    const int64_t n = 2 + static_cast<int64_t>(rng.below(5));
    Matrix64 a = random_wiring(n, 0.4, 2, 500 + trial).adjacency();
    a[1][1] = 2;
    const Wiring wiring(a, {0}, n - 1);
    const int64_t steps = wiring.distance() + 2;
    NNN cpu(NNNOptions(wiring, 5, 3, steps).hidden({6}));
    auto gpu = std::dynamic_pointer_cast<NNNImpl>(cpu->clone());
    gpu->to(torch::kCUDA);
    const auto x = torch::randn({3, 8, 5});
    const auto w = torch::randn({steps, 8, 3});
    const auto yc = cpu->forward(x);
    const auto yg = gpu->forward(x.cuda());
    EXPECT_TRUE(torch::allclose(yg.cpu(), yc, 1e-4, 1e-5)) << "trial " << trial;
    const auto gc = flat_gradient((yc * w).sum(), cpu->parameters());
    const auto gg = flat_gradient((yg * w.cuda()).sum(), gpu->parameters());
    EXPECT_TRUE(torch::allclose(gg.cpu(), gc, 1e-3, 1e-4))
        << "trial " << trial << " max diff " << (gg.cpu() - gc).abs().max().item<float>();
  }
}

TEST(DeviceParity, OneTrainerEpochCpuVsCuda_CUDA) {
  NNN_NEED_CUDA();
  ExperimentConfig config = spiral_config();
  config.train.epochs = 1;
  auto train_on = [&](const torch::Device& device) {
    torch::manual_seed(config.seed);
    NNN model(to_options(config.model));
    model->to(device);
    Trainer trainer(model, config, load_data(config.data, config.seed), device);
    EpochReport last;
    trainer.run({[&](const EpochReport& r) { last = r; }, {}, {}});
    return last;
  };
  const EpochReport cpu = train_on(torch::kCPU);
  const EpochReport gpu = train_on(torch::Device(torch::kCUDA, 0));
  EXPECT_NEAR(gpu.train_loss, cpu.train_loss, 1e-3);
  for (size_t t = 0; t < cpu.test.accuracy.size(); ++t) {
    // Same batches; an argmax may flip on a float tie: one sample of 30.
    EXPECT_NEAR(gpu.test.accuracy[t], cpu.test.accuracy[t], 1.0 / 30 + 1e-9) << "step " << t + 1;
  }
}

TEST_F(DeviceRunTest, CheckpointFromCudaResumesOnCudaAndEvaluatesOnCpu_CUDA) {
  NNN_NEED_CUDA();
  std::ostringstream log;
  const RunResult done = interrupted_and_resumed("cuda", log);
  ASSERT_TRUE(done.completed);
  // A checkpoint written on the GPU evaluates on the CPU.
  fs::remove(fs::path(done.dir) / RunFiles::kWeights);  // force the checkpoint path
  const Evaluation on_cpu = evaluate_run(done.dir, {}, DeviceSetting::cpu());
  for (size_t t = 0; t < on_cpu.accuracy.size(); ++t) {
    EXPECT_NEAR(on_cpu.accuracy[t], done.last.test.accuracy[t], 1.0 / 30 + 1e-9);
  }
}

TEST(DeviceSelection, CudaIndexIsChecked_CUDA) {
  NNN_NEED_CUDA();
  EXPECT_EQ(resolve_device(DeviceSetting::parse("cuda:0")), torch::Device(torch::kCUDA, 0));
  const auto count = static_cast<int64_t>(torch::cuda::device_count());
  testing::expect_error(
      [&] { resolve_device(DeviceSetting::parse("cuda:" + std::to_string(count))); },
      std::to_string(count));
}

}  // namespace
}  // namespace nnn
