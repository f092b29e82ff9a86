// NNN against NNN-SPEC: hand-computed unit order, zero initial messages,
// synchronous update, frames and the last-frame rule, N = 1 as an MLP,
// self-loops, multiple inputs; agreement with the literal reference; a
// finite-difference gradient check; weights round-trip; CUDA parity.
#include "nnn/core/network.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdio>
#include <filesystem>
#include <map>

#include "nnn/bench/bench.h"
#include "nnn/config/model_options.h"
#include "nnn/core/dropout.h"
#include "nnn/core/weights.h"
#include "nnn/train/trainer.h"
#include "nnn/util/random.h"
#include "tests/core/reference_nnn.h"
#include "tests/test_util.h"

namespace nnn {
namespace {

using testing::expect_error;
using testing::reference_forward;

class NetworkTest : public ::testing::Test {
 protected:
  void SetUp() override { torch::manual_seed(1234); }
};

void set(torch::Tensor& parameter, std::vector<float> values) {
  torch::NoGradGuard no_grad;
  parameter.copy_(torch::tensor(values).view(parameter.sizes()));
}

// Two cells, identity activations, hidden 1, distinct integer weights:
//   cell 0 (input, D_in 1): u0 = [x | from 0 (self, 1) | from 1 (1)]
//                           m0 = [to 0 (1) | to 1 (1)]
//   cell 1 (output, D_out 1): u1 = [from 0 (1)], m1 = [yhat | to 0 (1)]
NNN hand_network() {
  auto options = NNNOptions(Wiring({{1, 1}, {1, 0}}, {0}, 1), 1, 1, 4)
                     .hidden({1})
                     .hidden_activation(Activation::kIdentity)
                     .output_activation(Activation::kIdentity);
  NNN model(options);
  set(model->cell(0)->w1, {1, 10, 100});  // h0 = x + 10 self + 100 from1
  set(model->cell(0)->w2, {2, 3});        // m0 = [2 h0 (to 0), 3 h0 (to 1)]
  set(model->cell(1)->w1, {1});           // h1 = from0
  set(model->cell(1)->w2, {5, 7});        // m1 = [5 h1 (yhat), 7 h1 (to 0)]
  return model;
}

TEST_F(NetworkTest, HandComputedUnitOrder) {
  NNN model = hand_network();
  // t1: m0 = [2, 3], m1 = [0, 0] (messages start at zero)
  // t2: h0 = 1 + 10*2 + 100*0 = 21, m0 = [42, 63]; h1 = 3, m1 = [15, 21]
  // t3: h0 = 1 + 10*42 + 100*21 = 2521; h1 = 63, m1 = [315, 441]
  // t4: h1 = 3 * 2521 = 7563, m1 = [37815, ...]
  const auto y = model->forward(torch::ones({1, 1}));
  EXPECT_EQ(y.sizes(), (std::vector<int64_t>{4, 1, 1}));
  EXPECT_TRUE(torch::equal(y.flatten(), torch::tensor({0.0f, 15.0f, 315.0f, 37815.0f})))
      << y.flatten();
}

TEST_F(NetworkTest, HandComputedFramesAndLastFrameRule) {
  NNN model = hand_network();
  // Frames x(1) = 1, x(2) = 2, then x(2) again at t3, t4.
  // t1: m0 = [2, 3]; t2: h0 = 2 + 20 = 22, m0 = [44, 66]; m1 = [15, 21]
  // t3: h0 = 2 + 440 + 2100 = 2542, m0 = [.., 7626]; m1 = [330, ..]
  // t4: m1 = [5 * 7626, ..] = 38130 (38115 if x(3) were frame 1)
  const auto frames = torch::tensor({1.0f, 2.0f}).view({2, 1, 1});
  const auto y = model->forward(frames);
  EXPECT_TRUE(torch::equal(y.flatten(), torch::tensor({0.0f, 15.0f, 330.0f, 38130.0f})))
      << y.flatten();
  // A batch of two samples keeps them apart.
  const auto batch = torch::tensor({1.0f, 1.0f, 2.0f, 1.0f}).view({2, 2, 1});
  const auto yb = model->forward(batch);
  EXPECT_TRUE(torch::equal(yb.select(1, 0).flatten(), y.flatten()));
  EXPECT_TRUE(
      torch::equal(yb.select(1, 1).flatten(), model->forward(torch::ones({1, 1})).flatten()));
}

TEST_F(NetworkTest, TraceKeepsEveryMessage) {
  NNN model = hand_network();
  const auto trace = model->trace(torch::ones({1, 1}));
  ASSERT_EQ(trace.messages.size(), 2u);
  EXPECT_EQ(trace.messages[0].sizes(), (std::vector<int64_t>{4, 1, 2}));
  EXPECT_TRUE(torch::equal(trace.messages[0][0].flatten(), torch::tensor({2.0f, 3.0f})));
  EXPECT_TRUE(torch::equal(trace.messages[0][1].flatten(), torch::tensor({42.0f, 63.0f})));
  EXPECT_TRUE(torch::equal(trace.messages[1][1].flatten(), torch::tensor({15.0f, 21.0f})));
  EXPECT_TRUE(torch::equal(trace.predictions, model->forward(torch::ones({1, 1}))));
}

TEST_F(NetworkTest, LesionsCutEdgesAndSilenceCellsAsComputedByHand) {
  NNN model = hand_network();
  const auto x = torch::ones({1, 1});
  auto run = [&](const Lesion& lesion) {
    ForwardOptions options;
    options.lesion = &lesion;
    return model->forward(x, options).flatten();
  };
  // Intact: [0, 15, 315, 37815] (HandComputedUnitOrder).
  EXPECT_TRUE(torch::equal(run(Lesion{}), torch::tensor({0.0f, 15.0f, 315.0f, 37815.0f})));
  // 1 -> 0 cut at every step: h0 = x + 10 self; t3 h0 = 421, m0 = [842, 1263];
  // t4 yhat = 5 * 1263.
  EXPECT_TRUE(
      torch::equal(run(Lesion{{{1, 0, 0}}, {}}), torch::tensor({0.0f, 15.0f, 315.0f, 6315.0f})));
  // 0 -> 1 cut at step 3 only: cell 1 reads 0 there (yhat 0); cell 0 is not
  // touched at step 3, so step 4 reads m0(3) as before.
  EXPECT_TRUE(
      torch::equal(run(Lesion{{{0, 1, 3}}, {}}), torch::tensor({0.0f, 15.0f, 0.0f, 37815.0f})));
  // Cell 0 silenced: nothing reaches the output; the output cell silenced:
  // its predictions are zero.
  EXPECT_TRUE(torch::equal(run(Lesion{{}, {0}}), torch::zeros({4})));
  EXPECT_TRUE(torch::equal(run(Lesion{{}, {1}}), torch::zeros({4})));
  // An edge that carries nothing (cell 0 weighs its channel from 1 by 0):
  // cutting it changes nothing, to the last bit.
  set(model->cell(0)->w1, {1, 10, 0});
  EXPECT_TRUE(torch::equal(run(Lesion{{{1, 0, 0}}, {}}), model->forward(x).flatten()));
  // Named refusals.
  expect_error([&] { run(Lesion{{{1, 1, 0}}, {}}); }, "lesion: there is no edge 1 -> 1");
  expect_error(
      [&] {
        run(Lesion{{{0, 1, 5}}, {}});
      },
      "lesion: edge 0 -> 1 at step 5; the network runs steps 1 to 4");
  expect_error([&] { run(Lesion{{}, {2}}); }, "lesion: there is no cell 2; cells 0 to 1");
  const Lesion cut{{{0, 1, 0}}, {}};
  ForwardOptions direct;
  direct.lesion = &cut;
  direct.execution = Execution::kDirect;
  torch::NoGradGuard no_grad;
  expect_error([&] { model->forward(x, direct); }, "a lesion runs on the generic path");
}

TEST_F(NetworkTest, SingleCellIsAPlainMlp) {
  NNN model(NNNOptions(Wiring(Matrix64{{0}}), 6, 4, 3).hidden({8}));
  const auto x = torch::randn({5, 6});
  const auto& c = model->cell(0);
  const auto mlp = torch::log_sigmoid(torch::relu(x.matmul(c->w1) + c->b1).matmul(c->w2) + c->b2);
  const auto y = model->forward(x);
  EXPECT_EQ(y.sizes(), (std::vector<int64_t>{3, 5, 4}));
  for (int64_t t = 0; t < 3; ++t) EXPECT_TRUE(torch::allclose(y[t], mlp, 1e-6, 1e-6));
  EXPECT_EQ(model->parameter_count(), 6 * 8 + 8 + 8 * 4 + 4);
}

// The torch-free counts (`nnn wiring`) equal what the module holds.
TEST_F(NetworkTest, ConfigParameterCountsMatchTheModule) {
  ModelConfig config;
  config.input_size = 7;
  config.output_size = 3;
  config.steps = 4;
  config.hidden = {5, 6, 7, 8};
  config.wiring =
      Wiring(Matrix64{{0, 2, 0, 1}, {0, 1, 3, 0}, {1, 0, 0, 2}, {0, 0, 0, 0}}, {0, 2}, 3);
  NNN model(to_options(config));
  EXPECT_EQ(config.parameter_count(), model->parameter_count());
  for (int64_t c = 0; c < 4; ++c) {
    int64_t held = 0;
    for (const auto& p : model->cell(c)->parameters()) held += p.numel();
    EXPECT_EQ(config.cell_parameters(c), held) << "cell " << c;
  }
}

TEST_F(NetworkTest, NamedParametersAreGenerated) {
  NNN model(NNNOptions(chain(3, 2), 4, 2, 3));
  std::vector<std::string> expected;
  for (int c = 0; c < 3; ++c) {
    for (const char* p : {"w1", "b1", "w2", "b2"})
      expected.push_back("cells." + std::to_string(c) + "." + p);
  }
  EXPECT_EQ(model->named_parameters().keys(), expected);
  EXPECT_EQ(model->named_parameters()["cells.1.w1"].sizes(), (std::vector<int64_t>{2, 32}));
  EXPECT_EQ(model->named_parameters()["cells.2.w2"].sizes(), (std::vector<int64_t>{32, 2}));
}

TEST_F(NetworkTest, PerCellHiddenSizes) {
  NNN model(NNNOptions(chain(3, 2), 4, 2, 3).hidden({5, 6, 7}));
  EXPECT_EQ(model->cell(1)->w1.size(1), 6);
  EXPECT_EQ(model->hidden_size(2), 7);
  expect_error(
      [] {
        NNN(NNNOptions(chain(3, 2), 4, 2, 3).hidden({5, 6}));
      },
      "model.hidden has 2 values but the wiring has 3 cells");
}

TEST_F(NetworkTest, InputValidation) {
  NNN model(NNNOptions(chain(2, 2), 4, 2, 2));
  expect_error(
      [&] {
        model->forward(torch::randn({3, 5}));
      },
      "x has 5 features in its last dimension but model.input_size is 4");
  expect_error([&] { model->forward(torch::randn({4})); }, "x must be [B, D_in] or [F, B, D_in]");
  expect_error(
      [&] {
        model->forward(torch::randn({3, 4}), {/*steps=*/1});
      },
      "steps is 1 but the output cell is 1 edges from the input; need at least 2");
  expect_error([] { NNN(NNNOptions(chain(3, 2), 4, 2, 2)); }, "model.steps is 2");
}

// Random wirings with self-loops and several input cells, single inputs and
// frame sequences: the module equals the literal reference, through autograd
// and through the no-grad direct path.
TEST_F(NetworkTest, MatchesTheReferenceOnRandomWirings) {
  Rng rng(99);
  for (int trial = 0; trial < 12; ++trial) {
    const int64_t n = 1 + static_cast<int64_t>(rng.below(6));
    Matrix64 a(n, std::vector<int64_t>(n, 0));
    for (auto& row : a) {
      for (auto& v : row) v = rng.uniform() < 0.45 ? 1 + static_cast<int64_t>(rng.below(4)) : 0;
    }
    for (int64_t i = 0; i + 1 < n; ++i) a[i][i + 1] = std::max<int64_t>(a[i][i + 1], 1);
    if (n > 1) a[n - 1][0] = std::max<int64_t>(a[n - 1][0], 1);  // every cell sends
    std::vector<int64_t> inputs = {0};
    if (n > 2 && rng.uniform() < 0.5) inputs.push_back(2);
    const Wiring wiring(a, inputs, n - 1);
    const int64_t d_in = 3 + static_cast<int64_t>(rng.below(4));
    const int64_t d_out = 2 + static_cast<int64_t>(rng.below(3));
    const int64_t steps = wiring.distance() + 1 + static_cast<int64_t>(rng.below(3));
    NNN model(NNNOptions(wiring, d_in, d_out, steps)
                  .hidden({3 + static_cast<int64_t>(rng.below(5))})
                  .hidden_activation(trial % 2 ? Activation::kTanh : Activation::kReLU));
    for (const auto& x : {torch::randn({4, d_in}), torch::randn({2, 4, d_in}),
                          torch::randn({steps + 2, 4, d_in})}) {
      const auto fast = model->forward(x);  // autograd-recorded products
      const auto slow = reference_forward(model, x, steps);
      EXPECT_TRUE(torch::allclose(fast, slow, 1e-5, 1e-5))
          << "trial " << trial << " max diff " << (fast - slow).abs().max().item<float>();
      torch::NoGradGuard no_grad;  // the direct path: gemm_into straight into the buffer
      const auto direct = model->forward(x);
      EXPECT_TRUE(torch::allclose(direct, slow, 1e-5, 1e-5))
          << "trial " << trial << " no grad, max diff "
          << (direct - slow).abs().max().item<float>();
    }
  }
}

// Central differences in double through the unrolled steps.
TEST_F(NetworkTest, GradientsMatchFiniteDifferences) {
  const Wiring wiring({{1, 2, 0, 1}, {0, 0, 2, 0}, {1, 0, 1, 3}, {0, 2, 1, 0}}, {0, 1}, 3);
  NNN model(NNNOptions(wiring, 3, 2, 5).hidden({4}).hidden_activation(Activation::kTanh));
  model->to(torch::kDouble);
  const auto x = torch::randn({3, 2, 3}, torch::kDouble);  // 3 frames
  const auto weights = torch::randn({5, 2, 2}, torch::kDouble);
  auto objective = [&] { return (model->forward(x) * weights).sum(); };
  model->zero_grad();
  objective().backward();
  const double eps = 1e-6;
  int64_t checked = 0;
  for (auto& item : model->named_parameters()) {
    auto p = item.value();
    const auto grad = p.grad().clone();
    auto flat = p.data().view({-1});
    for (int64_t k = 0; k < flat.numel(); ++k) {
      const double original = flat[k].item<double>();
      flat[k] = original + eps;
      const double plus = objective().item<double>();
      flat[k] = original - eps;
      const double minus = objective().item<double>();
      flat[k] = original;
      const double numeric = (plus - minus) / (2 * eps);
      const double analytic = grad.view({-1})[k].item<double>();
      EXPECT_NEAR(analytic, numeric, 1e-6 * std::max(1.0, std::abs(numeric)))
          << item.key() << "[" << k << "]";
      ++checked;
    }
  }
  EXPECT_EQ(checked, model->parameter_count());
}

TEST_F(NetworkTest, WeightsRoundTrip) {
  const auto path = (std::filesystem::temp_directory_path() / "nnn_weights_test.pt").string();
  NNN model(NNNOptions(layered({1, 2, 1}, 3, true), 5, 3, 3).hidden({6}));
  save_weights(*model, path);
  torch::manual_seed(42);
  NNN other(NNNOptions(layered({1, 2, 1}, 3, true), 5, 3, 3).hidden({6}));
  const auto x = torch::randn({4, 5});
  EXPECT_FALSE(torch::equal(other->forward(x), model->forward(x)));
  load_weights(*other, path);
  EXPECT_TRUE(torch::equal(other->forward(x), model->forward(x)));

  NNN wider(NNNOptions(layered({1, 2, 1}, 3, true), 5, 3, 3).hidden({7}));
  expect_error([&] { load_weights(*wider, path); },
               "tensor 'cells.0.w1' has shape [11, 6] but the model expects [11, 7]");
  NNN bigger(NNNOptions(layered({1, 3, 1}, 3, true), 5, 3, 3).hidden({6}));
  expect_error([&] { load_weights(*bigger, path); }, "tensor 'cells.0.w1' has shape");
  NNN smaller(NNNOptions(chain(2, 3), 5, 3, 3).hidden({6}));
  expect_error([&] { load_weights(*smaller, path); }, "is not a parameter of this model");
  expect_error([&] { load_weights(*model, path + ".missing"); }, "cannot read");
  std::remove(path.c_str());
}

// The flat vector aliases the parameters, also after something gave them
// new storage (a clone, a load) - then it is rebuilt on the next call.
TEST_F(NetworkTest, FlatParametersAliasTheParameters) {
  NNN model(NNNOptions(layered({1, 2, 1}, 3, true), 4, 2, 3).hidden({5}));
  // A clone computes what the original computes (it owns copies of the cells).
  auto clone = std::dynamic_pointer_cast<NNNImpl>(model->clone());
  const auto probe = torch::randn({3, 4});
  EXPECT_TRUE(torch::equal(clone->forward(probe), model->forward(probe)));
  auto flat = model->flat_parameters();
  EXPECT_EQ(flat.numel(), model->parameter_count());
  const auto x = torch::randn({2, 4});
  const auto before = model->forward(x);
  {
    torch::NoGradGuard no_grad;
    flat.mul_(2.0);
  }
  EXPECT_EQ(model->cell(0)->w1[0][0].item<float>(), flat[0].item<float>());
  EXPECT_FALSE(torch::equal(model->forward(x), before));
  // Names and shapes are unchanged; the first parameter starts the vector.
  EXPECT_EQ(model->named_parameters()["cells.1.w2"].sizes(), (std::vector<int64_t>{5, 6}));
  auto copy = std::dynamic_pointer_cast<NNNImpl>(model->clone());
  auto copy_flat = copy->flat_parameters();
  EXPECT_TRUE(torch::equal(copy_flat, flat));
  EXPECT_NE(copy_flat.data_ptr(), flat.data_ptr());
  {
    torch::NoGradGuard no_grad;
    copy->cell(3)->b2.set_data(torch::full({2 + 3 + 3}, 9.0f));  // the last parameter, new storage
  }
  const auto relinked = copy->flat_parameters();
  EXPECT_EQ(relinked[relinked.numel() - 1].item<float>(), 9.0f);
  EXPECT_EQ(copy->cell(3)->b2.data_ptr<float>(), relinked.data_ptr<float>() + relinked.numel() - 8);
}

TEST_F(NetworkTest, ForwardMatchesCpu_CUDA) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  NNN model(NNNOptions(layered({1, 3, 1}, 4, true), 6, 3, 4).hidden({8}));
  const auto x = torch::randn({3, 5, 6});
  const auto cpu = model->forward(x);
  model->to(torch::kCUDA);
  const auto gpu = model->forward(x.to(torch::kCUDA));
  EXPECT_TRUE(gpu.is_cuda());
  EXPECT_TRUE(torch::allclose(gpu.cpu(), cpu, 1e-4, 1e-5));
}

}  // namespace
}  // namespace nnn

namespace nnn {
namespace {

// d(sum of weighted predictions)/d(params) through the literal reference.
torch::Tensor reference_gradient(NNN& model, const torch::Tensor& x, int64_t steps,
                                 const torch::Tensor& weights) {
  return flat_gradient((testing::reference_forward(model, x, steps) * weights).sum(),
                       model->parameters());
}

// The fast path's gradients equal the reference's on random wirings with
// self-loops, several input cells, single inputs and frame sequences.
TEST(FastPath, GradientsMatchTheReference) {
  torch::manual_seed(77);
  Rng rng(5);
  for (int trial = 0; trial < 10; ++trial) {
    const Wiring wiring = testing::random_test_wiring(rng, 6, 100 + static_cast<uint64_t>(trial));
    const int64_t steps = wiring.distance() + 2;
    NNN model(NNNOptions(wiring, 5, 3, steps).hidden({4}).hidden_activation(Activation::kTanh));
    for (const auto& x : {torch::randn({6, 5}), torch::randn({3, 6, 5})}) {
      const auto weights = torch::randn({steps, 6, 3});
      const auto expected = reference_gradient(model, x, steps, weights);
      const auto got = flat_gradient((model->forward(x) * weights).sum(), model->parameters());
      EXPECT_TRUE(torch::allclose(got, expected, 1e-5, 1e-5))
          << "trial " << trial << " max diff " << (got - expected).abs().max().item<float>();
    }
  }
}

// Sharding a batch across threads gives the unsharded loss and gradient.
TEST(FastPath, ShardedStepEqualsOneShard) {
  torch::manual_seed(3);
  NNN model(NNNOptions(layered({1, 3, 1}, 4, true), 6, 4, 3).hidden({8}));
  const auto x = torch::randn({96, 6});
  const auto y = torch::randint(0, 4, {96}, torch::kLong);
  const auto one = forward_backward(model, x, y, {LossSteps::kAll, nullptr});
  WorkerPool pool(3);
  const auto three = forward_backward(model, x, y, {LossSteps::kAll, &pool});
  // The sharded path really ran: three shards, two of them on worker threads.
  EXPECT_EQ(one.shards, 1);
  EXPECT_EQ(three.shards, 3);
  EXPECT_EQ(pool.worker_tasks(), 2);
  EXPECT_TRUE(torch::allclose(three.loss, one.loss, 1e-6, 1e-6));
  EXPECT_TRUE(torch::allclose(three.grad, one.grad, 1e-5, 1e-6));
  // Not bit for bit: OpenBLAS may block a product of 32 rows differently
  // from one of 96 (it does on AMD EPYC), which moves the last bit.
  EXPECT_TRUE(torch::allclose(three.predictions, one.predictions, 1e-6, 1e-6));
  EXPECT_EQ(one.grad.numel(), model->parameter_count());
  c10::InferenceMode guard;
  EXPECT_TRUE(torch::allclose(forward_sharded(model, x, &pool), model->forward(x), 1e-6, 1e-6));
  EXPECT_EQ(pool.worker_tasks(), 4);
}

// model.dropout: masks depend on (batch key, sample, step, unit) only, so a
// sharded step equals one shard; evaluation never drops.
TEST(Dropout, MasksAreAFunctionOfBatchSampleStepAndUnit) {
  torch::manual_seed(4);
  NNN model(NNNOptions(layered({1, 3, 1}, 4, true), 6, 4, 3).hidden({8}).dropout(0.4));
  NNN plain(NNNOptions(layered({1, 3, 1}, 4, true), 6, 4, 3).hidden({8}));
  {
    torch::NoGradGuard no_grad;
    plain->flat_parameters().copy_(model->flat_parameters());
  }
  const auto x = torch::randn({96, 6});
  const auto y = torch::randint(0, 4, {96}, torch::kLong);
  model->train();
  torch::Tensor a, b, c;
  {
    DropoutScope scope(7, 0);
    a = model->forward(x);
    b = model->forward(x);
  }
  {
    DropoutScope scope(8, 0);
    c = model->forward(x);
  }
  EXPECT_TRUE(torch::equal(a, b));   // the same batch, the same masks
  EXPECT_FALSE(torch::equal(a, c));  // another batch, other masks
  EXPECT_FALSE(torch::allclose(a, plain->forward(x)));
  // Halves with their first sample named give the whole batch's masks.
  torch::Tensor first, second;
  {
    DropoutScope scope(7, 0);
    first = model->forward(x.narrow(0, 0, 40));
  }
  {
    DropoutScope scope(7, 40);
    second = model->forward(x.narrow(0, 40, 56));
  }
  EXPECT_TRUE(torch::allclose(torch::cat({first, second}, 1), a, 1e-6, 1e-6));
  // Sharded across threads: the same step as one shard.
  const auto one = forward_backward(model, x, y, {LossSteps::kAll, nullptr, 11});
  WorkerPool pool(3);
  const auto three = forward_backward(model, x, y, {LossSteps::kAll, &pool, 11});
  EXPECT_EQ(three.shards, 3);
  EXPECT_TRUE(torch::allclose(three.loss, one.loss, 1e-6, 1e-6));
  EXPECT_TRUE(torch::allclose(three.grad, one.grad, 1e-5, 1e-6));
  // Evaluation mode never drops.
  model->eval();
  EXPECT_TRUE(torch::allclose(model->forward(x), plain->forward(x), 1e-6, 1e-6));
  // The masks keep 1 - p of the units, scaled by 1 / (1 - p).
  DropoutScope scope(5, 0);
  const auto mask = dropout_scale(500, {0, 64}, 64, 2, 0.4, torch::kFloat32);
  EXPECT_EQ(mask.sizes(), (std::vector<int64_t>{2, 500, 64}));
  const double dropped = mask.eq(0).to(torch::kDouble).mean().item<double>();
  EXPECT_NEAR(dropped, 0.4, 0.01);
  EXPECT_NEAR(mask.max().item<float>(), 1 / 0.6, 1e-6);
  // Only the fast path drops; a probability outside [0, 1) is refused.
  expect_error(
      [] { NNN(NNNOptions(Wiring(Matrix64{{0}}), 2, 2, 1).dropout(0.2).generic_path(true)); },
      "model.dropout works on perceptron cells");
  expect_error([] { NNN(NNNOptions(Wiring(Matrix64{{0}}), 2, 2, 1).dropout(1.0)); },
               "model.dropout is 1; expected a probability in [0, 1)");
}

TEST(WorkerPoolTest, RunsEveryTaskAndPropagatesErrors) {
  WorkerPool pool(3);
  std::vector<int> hits(3, 0);
  for (int round = 0; round < 100; ++round) pool.run(3, [&](int64_t k) { ++hits[k]; });
  EXPECT_EQ(hits, (std::vector<int>{100, 100, 100}));
  EXPECT_THROW(pool.run(3,
                        [](int64_t k) {
                          if (k == 2) throw Error("boom");
                        }),
               Error);
  pool.run(2, [&](int64_t k) { ++hits[k]; });  // still usable
  EXPECT_EQ(hits[1], 101);
}

// Useful FLOPs by hand on layered [1,3,1] x16 h64 T4 (cell 0: 784 + 48 in,
// 48 out; cells 1-3: 32 in, 32 out; cell 4: 48 in, 58 out): every cell at
// every step without a loss step (inference, training that computes every
// cell), the cells of needed_cells from the loss's first step otherwise.
TEST(Bench, UsefulFlopsCountWhatTheRunComputes) {
  const Workload w{"", layered({1, 3, 1}, 16, true), 784, 10, 64, 4, 1};
  const auto cell = [](double in, double out) { return 2.0 * in * 64 + 2.0 * 64 * out; };
  const auto first_step = [](double out) { return 2.0 * 64 * out; };  // no messages at t = 1
  const double x = 2.0 * 784 * 64;
  // Every cell at every step: steps 2..4 with messages, step 1 without.
  const double every = 3 * (cell(48, 48) + 3 * cell(32, 32) + cell(48, 58)) + first_step(48) +
                       3 * first_step(32) + first_step(58);
  EXPECT_DOUBLE_EQ(useful_flops(w, /*training=*/false), x + every);
  EXPECT_DOUBLE_EQ(useful_flops(w, /*training=*/false, /*loss_from_step=*/1), x + every);
  EXPECT_DOUBLE_EQ(useful_flops(w, /*training=*/true), 2 * x + 3 * every);
  // The loss on step 4: the output at 4, the middle at 3, input and output
  // at 2, the middle at 1.
  const double needed =
      cell(48, 58) + 3 * cell(32, 32) + cell(48, 48) + cell(48, 58) + 3 * first_step(32);
  EXPECT_DOUBLE_EQ(useful_flops(w, /*training=*/false, /*loss_from_step=*/4), x + needed);
  EXPECT_DOUBLE_EQ(useful_flops(w, /*training=*/true, /*loss_from_step=*/4), 2 * x + 3 * needed);
}

// The scaling sweep of `nnn bench --sweep`: every point a valid model,
// each axis ascending by powers of two from its first value, and the
// useful FLOPs growing with the work (per sample: not with the batch).
TEST(Bench, SweepWorkloadsAreValidAndGrow) {
  std::map<std::string, std::vector<SweepPoint>> axes;
  for (const auto& p : sweep_workloads()) axes[p.axis].push_back(p);
  ASSERT_EQ(axes.size(), 4u);
  for (const auto& [axis, points] : axes) {
    ASSERT_GE(points.size(), 6u) << axis;
    for (size_t i = 0; i < points.size(); ++i) {
      const Workload& w = points[i].workload;
      EXPECT_NO_THROW(w.wiring.validate(w.input_size, w.output_size, w.steps)) << w.name;
      if (i == 0) continue;
      EXPECT_GT(points[i].value, points[i - 1].value) << axis;
      const double per_sample = useful_flops(w, true) / static_cast<double>(w.batch);
      const double before = useful_flops(points[i - 1].workload, true) /
                            static_cast<double>(points[i - 1].workload.batch);
      if (axis == "batch") {
        EXPECT_DOUBLE_EQ(per_sample, before);
      } else {
        EXPECT_GT(per_sample, before) << axis << " " << points[i].value;
      }
    }
  }
}

}  // namespace
}  // namespace nnn
