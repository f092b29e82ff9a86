// The hand-written backward through the unrolled steps (NNN::forward_backward)
// against autograd through NNN::forward and the literal reference: random
// wirings with self-loops and several inputs, single inputs and frame
// sequences (fewer and more frames than steps), every activation, per-cell
// hidden sizes, dropout, shards, and the trainer's backward setting.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "nnn/config/model_options.h"
#include "nnn/core/dropout.h"
#include "nnn/core/network.h"
#include "nnn/train/trainer.h"
#include "nnn/util/random.h"
#include "tests/core/reference_nnn.h"
#include "tests/test_util.h"

namespace nnn {
namespace {

// The hand-written gradient of sum(predictions * weights).
torch::Tensor manual_gradient(NNN& model, const torch::Tensor& x, const torch::Tensor& weights,
                              torch::Tensor* predictions = nullptr) {
  torch::Tensor grad;
  const auto p = model->forward_backward(
      x, [&](const torch::Tensor&) { return weights; }, &grad);
  if (predictions != nullptr) *predictions = p;
  return grad;
}

torch::Tensor autograd_gradient(NNN& model, const torch::Tensor& x, const torch::Tensor& weights) {
  return flat_gradient((model->forward(x) * weights).sum(), model->parameters());
}

void expect_close(const torch::Tensor& got, const torch::Tensor& expected,
                  const std::string& what) {
  ASSERT_EQ(got.sizes(), expected.sizes()) << what;
  EXPECT_TRUE(torch::allclose(got, expected, 1e-4, 1e-5))
      << what << ": max diff " << (got - expected).abs().max().item<float>() << " of max "
      << expected.abs().max().item<float>();
}

// forward_backward with `options` on a one-cell, three-step network fails
// with `message`.
void expect_backward_error(const BackwardOptions& options, const std::string& message) {
  NNN model(NNNOptions(Wiring(Matrix64{{2}}), 3, 2, 3));
  torch::Tensor grad;
  testing::expect_error(
      [&] {
        model->forward_backward(
            torch::randn({2, 3}), [](const torch::Tensor& p) { return torch::ones_like(p); }, &grad,
            options);
      },
      message);
}

TEST(ManualBackward, EqualsAutogradAndTheReferenceOnRandomWirings) {
  torch::manual_seed(21);
  Rng rng(9);
  const std::vector<Activation> hidden = {Activation::kReLU, Activation::kTanh,
                                          Activation::kSigmoid, Activation::kLogSigmoid,
                                          Activation::kIdentity};
  const std::vector<Activation> output = {Activation::kLogSigmoid, Activation::kTanh,
                                          Activation::kIdentity, Activation::kReLU,
                                          Activation::kSigmoid};
  int64_t compared = 0;
  for (int trial = 0; trial < 10; ++trial) {
    const Wiring wiring = testing::random_test_wiring(rng, 6, 300 + static_cast<uint64_t>(trial));
    const int64_t n = wiring.size();
    const int64_t steps = wiring.distance() + 1 + trial % 3;
    // Per-cell hidden sizes on odd trials: groups of one cell and of several.
    std::vector<int64_t> sizes = {4};
    if (trial % 2 == 1) {
      sizes.clear();
      for (int64_t c = 0; c < n; ++c) sizes.push_back(3 + c % 2);
    }
    NNN model(NNNOptions(wiring, 5, 3, steps)
                  .hidden(sizes)
                  .hidden_activation(hidden[static_cast<size_t>(trial % 5)])
                  .output_activation(output[static_cast<size_t>(trial / 2 % 5)]));
    ASSERT_TRUE(model->manual_backward());
    for (const auto& x : {torch::randn({6, 5}), torch::randn({2, 6, 5}), torch::randn({5, 6, 5})}) {
      const auto weights = torch::randn({steps, 6, 3});
      torch::Tensor predictions;
      const auto got = manual_gradient(model, x, weights, &predictions);
      const std::string what = "trial " + std::to_string(trial) + ", x " + std::to_string(x.dim()) +
                               "-d with " + std::to_string(x.size(0));
      {
        torch::NoGradGuard no_grad;  // the same direct products as forward_backward's
        EXPECT_TRUE(torch::equal(predictions, model->forward(x))) << what;
      }
      EXPECT_TRUE(torch::allclose(predictions, model->forward(x).detach(), 1e-5, 1e-6)) << what;
      EXPECT_FALSE(predictions.requires_grad());
      expect_close(got, autograd_gradient(model, x, weights), what + " vs autograd");
      expect_close(got,
                   flat_gradient((testing::reference_forward(model, x, steps) * weights).sum(),
                                 model->parameters()),
                   what + " vs reference");
      ++compared;
    }
  }
  EXPECT_EQ(compared, 30);
}

// One step (no message is ever read), and a single cell with only a
// self-loop: the message weights get zero gradient at T = 1.
TEST(ManualBackward, OneStepAndSelfLoopOnly) {
  torch::manual_seed(5);
  for (const int64_t steps : {1, 4}) {
    NNN model(NNNOptions(Wiring(Matrix64{{3}}), 4, 2, steps).hidden({6}));
    const auto x = torch::randn({5, 4});
    const auto weights = torch::randn({steps, 5, 2});
    expect_close(manual_gradient(model, x, weights), autograd_gradient(model, x, weights),
                 "steps " + std::to_string(steps));
  }
}

// The direct path off its usual road: doubles (LibTorch's products instead
// of libxsmm's), a strided input, and a parameter made a strided view.
TEST(ManualBackward, DoublesStridedInputsAndStridedParameters) {
  torch::manual_seed(8);
  const Wiring wiring({{1, 2, 0}, {0, 0, 3}, {1, 0, 1}}, {0, 1}, 2);
  NNN model(NNNOptions(wiring, 4, 3, 4).hidden({5}).hidden_activation(Activation::kTanh));
  const auto x = torch::randn({4, 6}).t();  // [6, 4], not contiguous
  const auto weights = torch::randn({4, 6, 3});
  {
    torch::NoGradGuard no_grad;
    model->cell(1)->w2.set_data(torch::randn({3, 5}).t());  // [5, 3], not contiguous
  }
  ASSERT_FALSE(model->cell(1)->w2.is_contiguous());
  expect_close(manual_gradient(model, x, weights), autograd_gradient(model, x, weights),
               "strided float");
  {
    torch::NoGradGuard no_grad;
    EXPECT_TRUE(
        torch::allclose(model->forward(x), testing::reference_forward(model, x, 4), 1e-5, 1e-6));
  }
  model->to(torch::kDouble);
  const auto xd = x.to(torch::kDouble);
  const auto wd = weights.to(torch::kDouble);
  torch::Tensor grad;
  model->forward_backward(
      xd, [&](const torch::Tensor&) { return wd; }, &grad);
  const auto expected = autograd_gradient(model, xd, wd);
  EXPECT_EQ(grad.scalar_type(), torch::kDouble);
  EXPECT_TRUE(torch::allclose(grad, expected, 1e-10, 1e-12))
      << (grad - expected).abs().max().item<double>();
}

// forward_saving then backward_saved (nnn's torch operators): the same
// predictions and parameter gradient as forward_backward, and dL/dx equal to
// autograd's, on random wirings, single inputs and frames, float and double,
// with parameters that are not the module's own.
TEST(ManualBackward, SavedPassInTwoCallsEqualsForwardBackwardAndAutograd) {
  torch::manual_seed(31);
  Rng rng(4);
  for (int trial = 0; trial < 6; ++trial) {
    const Wiring wiring = testing::random_test_wiring(rng, 5, 700 + static_cast<uint64_t>(trial));
    const int64_t steps = wiring.distance() + 1 + trial % 3;
    const auto dtype = trial % 2 == 0 ? torch::kFloat : torch::kDouble;
    NNN model(NNNOptions(wiring, 4, 3, steps)
                  .hidden({3 + trial % 3})
                  .hidden_activation(trial % 3 == 0 ? Activation::kTanh : Activation::kReLU));
    model->to(dtype);
    // Another set of parameters than the module's.
    std::vector<torch::Tensor> parameters;
    for (const auto& p : model->parameters()) {
      parameters.push_back(torch::randn_like(p).requires_grad_(false));
    }
    const auto x = trial < 3 ? torch::randn({5, 4}, dtype) : torch::randn({trial - 1, 5, 4}, dtype);
    const auto weights = torch::randn({steps, 5, 3}, dtype);
    torch::Tensor saved, d_x;
    const auto predictions = model->forward_saving(parameters, x, steps, &saved);
    EXPECT_EQ(saved.sizes(), torch::IntArrayRef({steps, 5 * model->saved_width()}));
    const auto grad = model->backward_saved(parameters, x, saved, weights, steps, &d_x);
    // The reference: the module given those parameters.
    {
      torch::NoGradGuard no_grad;
      auto own = model->parameters();
      for (size_t i = 0; i < own.size(); ++i) own[i].copy_(parameters[i]);
    }
    torch::Tensor expected_predictions;
    const auto expected = manual_gradient(model, x, weights, &expected_predictions);
    const double tolerance = dtype == torch::kDouble ? 1e-10 : 1e-5;
    EXPECT_TRUE(torch::allclose(predictions, expected_predictions, tolerance, tolerance));
    EXPECT_TRUE(torch::allclose(grad, expected, tolerance, tolerance))
        << "trial " << trial << ": " << (grad - expected).abs().max().item<double>();
    const auto xr = x.clone().requires_grad_(true);
    const auto dx = torch::autograd::grad({(model->forward(xr) * weights).sum()}, {xr})[0];
    ASSERT_EQ(d_x.sizes(), x.sizes());
    EXPECT_TRUE(torch::allclose(d_x, dx, tolerance, tolerance))
        << "trial " << trial << ": " << (d_x - dx).abs().max().item<double>();
    // From the last step only: what cannot reach it is skipped, the
    // gradient is forward_backward's with loss_from_step.
    const auto last = model->forward_saving(parameters, x, steps, &saved, steps);
    EXPECT_TRUE(
        torch::allclose(last, expected_predictions.narrow(0, steps - 1, 1), tolerance, tolerance));
    // Nothing kept (inference): the same predictions.
    EXPECT_TRUE(torch::equal(model->forward_saving(parameters, x, steps, nullptr, steps), last));
    EXPECT_TRUE(torch::allclose(model->forward_saving(parameters, x, steps, nullptr),
                                expected_predictions, tolerance, tolerance));
    const auto last_weights = weights.narrow(0, steps - 1, 1);
    const auto last_grad =
        model->backward_saved(parameters, x, saved, last_weights, steps, nullptr, steps);
    torch::Tensor expected_last;
    BackwardOptions from_last;
    from_last.loss_from_step = steps;
    model->forward_backward(
        x,
        [&](const torch::Tensor& p) {
          auto w = torch::zeros_like(p);
          w.narrow(0, steps - 1, 1).copy_(last_weights);
          return w;
        },
        &expected_last, from_last);
    EXPECT_TRUE(torch::allclose(last_grad, expected_last, tolerance, tolerance))
        << "trial " << trial << ": " << (last_grad - expected_last).abs().max().item<double>();
  }
  // Wrong parameters, saved state and gradients are named.
  NNN model(NNNOptions(Wiring(Matrix64{{2}}), 3, 2, 3));
  auto parameters = model->parameters();
  const auto x = torch::randn({2, 3});
  torch::Tensor saved;
  testing::expect_error([&] { model->forward_saving({parameters[0]}, x, 3, &saved); },
                        "got 1 parameter tensors; this network of 1 cells has 4");
  auto wrong = parameters;
  wrong[2] = torch::zeros({3, 3});
  testing::expect_error([&] { model->forward_saving(wrong, x, 3, &saved); },
                        "cells.0.w2 has shape [3, 3]; expected");
  model->forward_saving(parameters, x, 3, &saved);
  testing::expect_error(
      [&] {
        model->backward_saved(parameters, x, saved.narrow(0, 0, 2), torch::ones({3, 2, 2}), 3,
                              nullptr);
      },
      "saved has shape [2,");
  testing::expect_error(
      [&] {
        model->backward_saved(parameters, x, saved, torch::ones({3, 2, 5}), 3, nullptr);
      },
      "the loss gradient has shape [3, 2, 5]");
}

TEST(ManualBackward, DropoutMasksAreTheForwardPasses) {
  torch::manual_seed(6);
  NNN model(NNNOptions(layered({1, 3, 1}, 4, true), 6, 4, 4).hidden({8}).dropout(0.3));
  model->train();
  const auto x = torch::randn({2, 12, 6});
  const auto weights = torch::randn({4, 12, 4});
  DropoutScope scope(17, 3);
  const auto got = manual_gradient(model, x, weights);
  expect_close(got, autograd_gradient(model, x, weights), "dropout 0.3");
  // The masks mattered: without dropout the gradient differs.
  model->eval();
  EXPECT_FALSE(torch::allclose(got, autograd_gradient(model, x, weights), 1e-3, 1e-3));
}

// The trainer's step: manual and autograd give the same loss, predictions
// and gradient, in one shard and in three; auto takes the manual path.
TEST(ManualBackward, TrainerStepEqualsAutogradsInShards) {
  torch::manual_seed(8);
  NNN model(NNNOptions(layered({1, 3, 1}, 4, true), 6, 4, 4).hidden({8}));
  const auto x = torch::randn({3, 96, 6});
  const auto y = torch::randint(0, 4, {96}, torch::kLong);
  WorkerPool pool(3);
  for (WorkerPool* p : {static_cast<WorkerPool*>(nullptr), &pool}) {
    for (const LossSteps steps : {LossSteps::kLast, LossSteps::kAll}) {
      const auto manual = forward_backward(model, x, y, {steps, p, 0, 0, BackwardMode::kManual});
      const auto reference =
          forward_backward(model, x, y, {steps, p, 0, 0, BackwardMode::kAutograd});
      EXPECT_EQ(manual.shards, p ? 3 : 1);
      EXPECT_TRUE(torch::allclose(manual.loss, reference.loss, 1e-6, 1e-6));
      EXPECT_TRUE(torch::allclose(manual.predictions, reference.predictions, 1e-6, 1e-6));
      expect_close(manual.grad, reference.grad, p ? "three shards" : "one shard");
    }
  }
  const auto automatic = forward_backward(model, x, y, {LossSteps::kLast, nullptr});
  const auto manual =
      forward_backward(model, x, y, {LossSteps::kLast, nullptr, 0, 0, BackwardMode::kManual});
  EXPECT_TRUE(torch::equal(automatic.grad, manual.grad));
}

// Other cell types: auto falls back to autograd; manual is refused.
TEST(ManualBackward, OtherCellTypesUseAutograd) {
  torch::manual_seed(9);
  NNN model(NNNOptions(layered({1, 2, 1}, 3, true), 5, 3, 3).hidden({4}).generic_path(true));
  EXPECT_FALSE(model->manual_backward());
  const auto x = torch::randn({8, 5});
  const auto y = torch::randint(0, 3, {8}, torch::kLong);
  const auto automatic = forward_backward(model, x, y, {LossSteps::kAll, nullptr});
  const auto reference =
      forward_backward(model, x, y, {LossSteps::kAll, nullptr, 0, 0, BackwardMode::kAutograd});
  EXPECT_TRUE(torch::equal(automatic.grad, reference.grad));
  testing::expect_error(
      [&] {
        forward_backward(model, x, y, {LossSteps::kAll, nullptr, 0, 0, BackwardMode::kManual});
      },
      "train.backward is manual, but the hand-written backward needs perceptron cells");
}

// Recomputing segments of k steps gives the gradient of keeping every step,
// for segments that do and do not divide T, with frames and dropout.
// Skipping what cannot reach the loss (BackwardOptions::loss_from_step)
// leaves the gradient as it was: random wirings with self-loops and cells
// off the path to the output, frames, dropout, recomputed segments; the
// predictions the loss reads are the same, the ones before are NaN.
TEST(ManualBackward, SkippingUnreachableCellsKeepsTheGradient) {
  torch::manual_seed(5);
  Rng rng(17);
  int64_t compared = 0;
  for (int trial = 0; trial < 8; ++trial) {
    const Wiring wiring = trial % 4 == 3 ? layered({1, 3, 1}, 2, true)
                                         : testing::random_test_wiring(rng, 7, 500 + trial);
    const int64_t steps = wiring.distance() + 2 + trial % 3;
    NNN model(NNNOptions(wiring, 5, 3, steps).hidden({4}).dropout(trial % 2 ? 0.2 : 0.0));
    model->train();
    for (const auto& x : {torch::randn({6, 5}), torch::randn({3, 6, 5})}) {
      for (const int64_t from : {steps, wiring.distance() + 1, steps - 1}) {
        // The loss reads the steps from `from` on.
        auto weights = torch::randn({steps, 6, 3});
        weights.narrow(0, 0, from - 1).zero_();
        DropoutScope scope(7, 0);
        torch::Tensor all, skipped;
        const auto p_all = model->forward_backward(
            x, [&](const torch::Tensor&) { return weights; }, &all);
        for (const int64_t every : {int64_t{0}, int64_t{2}}) {
          const auto p_skipped = model->forward_backward(
              x, [&](const torch::Tensor&) { return weights; }, &skipped, {-1, every, from});
          const std::string what = "trial " + std::to_string(trial) + ", from " +
                                   std::to_string(from) + ", every " + std::to_string(every);
          expect_close(skipped, all, what);
          // Close, not equal: the output activation runs over the columns
          // of the cells that ran, so a vector loop's tail falls elsewhere.
          EXPECT_TRUE(torch::allclose(p_skipped.narrow(0, from - 1, steps - from + 1),
                                      p_all.narrow(0, from - 1, steps - from + 1), 1e-6, 1e-7))
              << what;
          if (from > 1) EXPECT_TRUE(p_skipped.narrow(0, 0, from - 1).isnan().all().item<bool>());
          ++compared;
        }
      }
    }
  }
  EXPECT_EQ(compared, 96);
  expect_backward_error({3, 0, 4}, "loss_from_step is 4 but the network runs 3 steps");
}

// The trainer's step with train.skip_unreachable: the same gradient and
// last-step predictions as computing every cell.
TEST(ManualBackward, TrainerStepSkipsWhatTheLossDoesNotRead) {
  torch::manual_seed(8);
  NNN model(NNNOptions(layered({1, 4, 4, 1}, 3, true), 5, 3, 6).hidden({5}));
  const auto x = torch::randn({10, 5});
  const auto y = torch::randint(0, 3, {10});
  for (const LossSteps steps : {LossSteps::kLast, LossSteps::kAll}) {
    StepOptions options{steps, nullptr, 0, 0, BackwardMode::kManual};
    const auto every = forward_backward(model, x, y, options);
    options.skip_unreachable = true;
    const auto skipped = forward_backward(model, x, y, options);
    expect_close(skipped.grad, every.grad, to_string(steps));
    EXPECT_TRUE(torch::allclose(skipped.loss, every.loss, 1e-6, 1e-7));
    const int64_t from = first_loss_step(steps, model->distance(), 6);
    EXPECT_EQ(from, steps == LossSteps::kLast ? 6 : 4);
    EXPECT_TRUE(torch::allclose(skipped.predictions.narrow(0, from - 1, 7 - from),
                                every.predictions.narrow(0, from - 1, 7 - from), 1e-6, 1e-7));
  }
}

TEST(ManualBackward, RecomputedSegmentsEqualKeepingEveryStep) {
  torch::manual_seed(11);
  Rng rng(3);
  for (int trial = 0; trial < 4; ++trial) {
    const int64_t n = 3 + static_cast<int64_t>(rng.below(4));
    Matrix64 a = random_wiring(n, 0.5, 2, 40 + trial).adjacency();
    a[0][0] = 3;
    const Wiring wiring(a, {0}, n - 1);
    const int64_t steps = wiring.distance() + 4;
    NNN model(NNNOptions(wiring, 5, 3, steps).hidden({6}).dropout(trial % 2 ? 0.25 : 0.0));
    model->train();
    const auto x = torch::randn({3, 10, 5});
    const auto weights = torch::randn({steps, 10, 3});
    DropoutScope scope(99, 0);
    torch::Tensor kept;
    const auto predictions = model->forward_backward(
        x, [&](const torch::Tensor&) { return weights; }, &kept);
    expect_close(kept, autograd_gradient(model, x, weights),
                 "kept, trial " + std::to_string(trial));
    for (const int64_t every : {int64_t{1}, int64_t{2}, int64_t{3}, steps - 1, steps + 5}) {
      torch::Tensor grad;
      const auto again = model->forward_backward(x, [&](const torch::Tensor&) { return weights; },
                                                 &grad, {steps, every});
      EXPECT_TRUE(torch::equal(again, predictions));
      expect_close(grad, kept,
                   "every " + std::to_string(every) + ", trial " + std::to_string(trial));
    }
  }
  expect_backward_error({3, -1}, "recompute_every is -1");
}

TEST(ManualBackward, EqualsCpu_CUDA) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  torch::manual_seed(10);
  NNN model(NNNOptions(layered({1, 3, 1}, 4, true), 6, 4, 5).hidden({8}));
  const auto x = torch::randn({3, 20, 6});
  const auto weights = torch::randn({5, 20, 4});
  const auto cpu = manual_gradient(model, x, weights);
  model->to(torch::kCUDA);
  const auto gpu = manual_gradient(model, x.cuda(), weights.cuda());
  EXPECT_TRUE(gpu.is_cuda());
  expect_close(gpu.cpu(), cpu, "CUDA vs CPU");
}

}  // namespace
}  // namespace nnn
