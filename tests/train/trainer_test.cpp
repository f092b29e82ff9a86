// Loss over steps, evaluation metrics, the spiral data and a short training
// run that must learn.
#include "nnn/train/trainer.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "nnn/config/model_options.h"
#include "nnn/data/load_data.h"
#include "nnn/data/synthetic.h"
#include "tests/test_util.h"

namespace nnn {
namespace {

TEST(Loss, LastAndAllSteps) {
  torch::manual_seed(3);
  const auto predictions = torch::randn({4, 5, 3});
  const auto labels = torch::tensor({0, 2, 1, 1, 0}, torch::kLong);
  namespace F = torch::nn::functional;
  const auto last = step_loss(predictions, labels, LossSteps::kLast, /*distance=*/1);
  EXPECT_TRUE(torch::allclose(last, F::cross_entropy(predictions[3], labels)));
  // d = 1: steps 2..4 (indices 1..3), each batch-mean, then the mean over steps.
  const auto all = step_loss(predictions, labels, LossSteps::kAll, /*distance=*/1);
  const auto expected =
      (F::cross_entropy(predictions[1], labels) + F::cross_entropy(predictions[2], labels) +
       F::cross_entropy(predictions[3], labels)) /
      3;
  EXPECT_TRUE(torch::allclose(all, expected, 1e-6, 1e-6));
  EXPECT_EQ(to_string(LossSteps::kAll), "all");
}

// The fused loss and gradient against LibTorch's autograd through
// step_loss: both losses, a scale, NaN on the steps the loss does not read
// (skipped steps), extreme logits; a label out of range is named.
TEST(Loss, FusedGradientEqualsAutograd) {
  torch::manual_seed(4);
  for (const LossSteps steps : {LossSteps::kLast, LossSteps::kAll}) {
    auto predictions = torch::randn({4, 6, 5}) * 3;
    predictions[3][2][1] = 80.0f;  // a softmax that saturates
    predictions[3][4][0] = -90.0f;
    const auto labels = torch::tensor({0, 2, 1, 4, 0, 3}, torch::kLong);
    const int64_t distance = 1;
    const double scale = 0.375;
    auto leaf = predictions.clone().requires_grad_(true);
    const auto loss = step_loss(leaf, labels, steps, distance) * scale;
    const auto expected = torch::autograd::grad({loss}, {leaf})[0];
    // Steps the loss does not read may hold anything.
    const int64_t unread = steps == LossSteps::kLast ? 3 : distance;
    predictions.narrow(0, 0, unread).fill_(NAN);
    const auto fused = step_loss_and_gradient(predictions, labels, steps, distance, scale);
    EXPECT_NEAR(fused.loss.item<double>(), loss.item<double>(), 1e-6) << to_string(steps);
    EXPECT_TRUE(torch::allclose(fused.gradient, expected, 1e-6, 1e-7)) << to_string(steps);
    EXPECT_TRUE(torch::equal(fused.gradient.narrow(0, 0, unread), torch::zeros({unread, 6, 5})));
  }
  // Another dtype takes autograd's path, to the same numbers.
  const auto p64 = torch::randn({3, 2, 4}, torch::kDouble);
  const auto y = torch::tensor({3, 1}, torch::kLong);
  const auto via_autograd = step_loss_and_gradient(p64, y, LossSteps::kAll, 0, 1.0);
  const auto via_loop = step_loss_and_gradient(p64.to(torch::kFloat), y, LossSteps::kAll, 0, 1.0);
  EXPECT_NEAR(via_autograd.loss.item<double>(), via_loop.loss.item<double>(), 1e-6);
  EXPECT_TRUE(
      torch::allclose(via_autograd.gradient.to(torch::kFloat), via_loop.gradient, 1e-5, 1e-7));
  try {
    step_loss_and_gradient(torch::zeros({2, 2, 3}), torch::tensor({1, 3}, torch::kLong),
                           LossSteps::kLast, 0, 1.0);
    FAIL() << "a label outside the classes was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("label 3 of sample 1 is outside [0, 3)"),
              std::string::npos)
        << e.what();
  }
}

TEST(Spiral, DeterministicShapesAndLabels) {
  const Dataset a = make_spiral(3, 50, 0.2, 5);
  const Dataset b = make_spiral(3, 50, 0.2, 5);
  EXPECT_EQ(a.inputs.sizes(), (std::vector<int64_t>{150, 2}));
  EXPECT_TRUE(torch::equal(a.inputs, b.inputs));
  EXPECT_FALSE(torch::equal(a.inputs, make_spiral(3, 50, 0.2, 6).inputs));
  EXPECT_TRUE(torch::equal(a.labels.bincount(), torch::full({3}, 50, torch::kLong)));
  // Radius grows from 0 to 1 along each arm.
  EXPECT_NEAR(a.inputs[49].norm().item<double>(), 1.0, 1e-6);
  EXPECT_NEAR(a.inputs[0].norm().item<double>(), 0.0, 1e-6);
}

TEST(Evaluate, CountsPerStepAccuracyTop3AndConfidence) {
  // One cell, identity output: predictions equal b2 when w2 = 0.
  NNN model(NNNOptions(Wiring(Matrix64{{0}}), 2, 4, 2)
                .hidden({3})
                .output_activation(Activation::kIdentity));
  {
    torch::NoGradGuard no_grad;
    model->cell(0)->w2.zero_();
    model->cell(0)->b2.copy_(torch::tensor({0.0f, 3.0f, 2.0f, 1.0f}));
  }
  Dataset data;
  data.inputs = torch::randn({4, 2});
  data.labels = torch::tensor({1, 2, 3, 0}, torch::kLong);  // top-1 is 1, top-3 {1, 2, 3}
  data.classes = 4;
  const auto e = evaluate(model, data, /*batch_size=*/3, LossSteps::kLast, torch::kCPU);
  EXPECT_EQ(e.accuracy, (std::vector<double>{0.25, 0.25}));
  EXPECT_EQ(e.top3, (std::vector<double>{0.75, 0.75}));
  const double max_p = std::exp(3.0) / (1 + std::exp(3.0) + std::exp(2.0) + std::exp(1.0));
  EXPECT_NEAR(e.confidence[1], max_p, 1e-6);
}

TEST(Train, LearnsTheSpiral) {
  ExperimentConfig config;
  config.seed = 1;
  config.model.input_size = 2;
  config.model.output_size = 3;
  config.model.steps = 3;
  config.model.hidden = {32};
  config.model.wiring = layered({1, 2, 1}, 8, true);
  config.data.source = SpiralPoints{3, /*train_per_class=*/100, /*test_per_class=*/50};
  config.train.epochs = 40;
  config.train.batch_size = 32;
  config.train.lr = 0.01;
  torch::manual_seed(config.seed);
  configure_threads(1);
  const DataSplit data = load_data(config.data, config.seed);
  NNN model(to_options(config.model));
  std::vector<EpochReport> reports;
  Trainer trainer(model, config, data, torch::kCPU);
  Trainer::Hooks hooks;
  hooks.on_epoch = [&](const EpochReport& r) { reports.push_back(r); };
  EXPECT_TRUE(trainer.run(hooks));
  ASSERT_EQ(reports.size(), 40u);
  EXPECT_LT(reports.back().train_loss, reports.front().train_loss);
  const auto final_train = evaluate(model, data.train, 256, LossSteps::kLast, torch::kCPU);
  EXPECT_GT(final_train.accuracy.back(), 0.9);
  EXPECT_GT(reports.back().test.accuracy.back(), 0.85);
  // Before d + 1 = 3 steps the prediction cannot depend on x: chance level.
  EXPECT_NEAR(final_train.accuracy[0], 1.0 / 3.0, 0.02);
}

TEST(Train, SameSeedSameNumbers) {
  ExperimentConfig config;
  config.seed = 3;
  config.model.input_size = 2;
  config.model.output_size = 3;
  config.model.steps = 2;
  config.model.wiring = chain(2, 4);
  config.data.as<SpiralPoints>().train_per_class = 30;
  config.train.epochs = 2;
  configure_threads(1);
  auto run = [&] {
    torch::manual_seed(config.seed);
    NNN model(to_options(config.model));
    Trainer trainer(model, config, load_data(config.data, config.seed), torch::kCPU);
    EpochReport last;
    trainer.run({[&](const EpochReport& r) { last = r; }, {}, {}});
    return last;
  };
  const auto a = run();
  const auto b = run();
  EXPECT_EQ(a.train_loss, b.train_loss);
  EXPECT_EQ(a.test.accuracy, b.test.accuracy);
}

TEST(Train, MismatchedDataIsAnError) {
  ExperimentConfig config;
  config.model.input_size = 3;
  config.model.output_size = 3;
  config.model.steps = 1;
  NNN model(to_options(config.model));
  testing::expect_error([&] { Trainer(model, config, load_data(config.data, 0), torch::kCPU); },
                        "data has 2 features but model.input_size is 3");
}

}  // namespace
}  // namespace nnn
