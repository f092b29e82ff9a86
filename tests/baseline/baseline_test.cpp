// The from-scratch baseline against LibTorch autograd on the same inputs and
// weights: the matmul kernel, every hand-written backward, the optimisers,
// batch vs per-sample steps, and the scalar Value engine.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "nnn/baseline/layers.h"
#include "nnn/baseline/matrix.h"
#include "nnn/baseline/value.h"
#include "nnn/data/synthetic.h"
#include "nnn/util/error.h"

namespace nnn::baseline {
namespace {

Matrix random_matrix(int64_t rows, int64_t cols, uint64_t seed) {
  torch::manual_seed(seed);
  const auto t = torch::randn({rows, cols}).contiguous();
  return Matrix(rows, cols,
                std::vector<float>(t.data_ptr<float>(), t.data_ptr<float>() + t.numel()));
}

torch::Tensor to_torch(const Matrix& m) {
  return torch::from_blob(const_cast<float*>(m.data()), {m.rows(), m.cols()}).clone();
}

void expect_close(const Matrix& got, const torch::Tensor& want, double tolerance,
                  const char* what) {
  ASSERT_EQ(got.rows(), want.size(0)) << what;
  ASSERT_EQ(got.cols(), want.size(1)) << what;
  const auto diff = (to_torch(got) - want.to(torch::kFloat)).abs().max().item<double>();
  EXPECT_LE(diff, tolerance) << what;
}

TEST(BaselineMatrix, KernelEqualsTheTripleLoopOnOddShapes) {
  const std::vector<std::array<int64_t, 3>> shapes = {{1, 1, 1},      {7, 13, 5},     {3, 1, 9},
                                                      {65, 257, 513}, {130, 300, 70}, {1, 784, 10}};
  for (const auto& [m, k, n] : shapes) {
    for (bool ta : {false, true}) {
      for (bool tb : {false, true}) {
        const Matrix a = ta ? random_matrix(k, m, 1) : random_matrix(m, k, 1);
        const Matrix b = tb ? random_matrix(n, k, 2) : random_matrix(k, n, 2);
        Matrix c;
        gemm(a, ta, b, tb, c);
        const Matrix expected = naive_matmul(a, ta, b, tb);
        double worst = 0;
        for (int64_t i = 0; i < c.size(); ++i) {
          worst = std::max(worst, static_cast<double>(std::abs(c.data()[i] - expected.data()[i])));
        }
        EXPECT_LE(worst, 1e-4 * std::sqrt(static_cast<double>(k)))
            << m << "x" << k << "x" << n << " ta " << ta << " tb " << tb;
      }
    }
  }
  Matrix c;
  EXPECT_THROW(gemm(Matrix(2, 3), false, Matrix(4, 2), false, c), nnn::Error);
}

// One forward/backward of an MLP with every activation, against torch.
TEST(BaselineLayers, BackwardMatchesAutograd) {
  for (Act act : {Act::kReLU, Act::kSigmoid, Act::kTanh}) {
    Mlp mlp({6, 5, 4}, {act, Act::kIdentity}, 3);
    const Matrix x = random_matrix(8, 6, 4);
    const std::vector<int64_t> labels = {0, 3, 1, 2, 2, 0, 1, 3};
    SoftmaxCrossEntropy loss;
    const double value = loss.forward(mlp.forward(x), labels);
    mlp.backward(loss.backward());

    auto w1 = to_torch(mlp.layers()[0].w).requires_grad_(true);
    auto b1 = to_torch(mlp.layers()[0].b).requires_grad_(true);
    auto w2 = to_torch(mlp.layers()[1].w).requires_grad_(true);
    auto b2 = to_torch(mlp.layers()[1].b).requires_grad_(true);
    auto xt = to_torch(x).requires_grad_(true);
    auto h = xt.matmul(w1) + b1;
    h = act == Act::kReLU      ? torch::relu(h)
        : act == Act::kSigmoid ? torch::sigmoid(h)
                               : torch::tanh(h);
    const auto logits = h.matmul(w2) + b2;
    const auto want = torch::nn::functional::cross_entropy(logits, torch::tensor(labels));
    want.backward();
    EXPECT_NEAR(value, want.item<double>(), 1e-5);
    expect_close(mlp.layers()[0].dw, w1.grad(), 1e-5, "dw1");
    expect_close(mlp.layers()[0].db, b1.grad(), 1e-5, "db1");
    expect_close(mlp.layers()[1].dw, w2.grad(), 1e-5, "dw2");
    expect_close(mlp.layers()[1].db, b2.grad(), 1e-5, "db2");
  }
}

TEST(BaselineLayers, MseAndInputGradient) {
  Dense dense(3, 2, 9);
  const Matrix x = random_matrix(4, 3, 5);
  const Matrix target = random_matrix(4, 2, 6);
  MeanSquaredError mse;
  const double value = mse.forward(dense.forward(x), target);
  const Matrix dx = dense.backward(mse.backward());
  auto xt = to_torch(x).requires_grad_(true);
  auto w = to_torch(dense.w).requires_grad_(true);
  const auto want = torch::mse_loss(xt.matmul(w) + to_torch(dense.b), to_torch(target));
  want.backward();
  EXPECT_NEAR(value, want.item<double>(), 1e-6);
  expect_close(dx, xt.grad(), 1e-6, "dx");
  expect_close(dense.dw, w.grad(), 1e-6, "dw");
}

// Optimiser updates equal torch.optim's on the same gradients.
TEST(BaselineOptim, SgdMomentumAndAdamMatchTorch) {
  for (const char* kind : {"sgd", "adam"}) {
    std::vector<Dense> layers = {Dense(3, 2, 1)};
    auto w = to_torch(layers[0].w).requires_grad_(true);
    auto b = to_torch(layers[0].b).requires_grad_(true);
    std::unique_ptr<torch::optim::Optimizer> reference;
    Sgd sgd(0.1, 0.0, 0.9);
    Adam adam(0.01);
    if (std::string(kind) == "sgd") {
      reference = std::make_unique<torch::optim::SGD>(std::vector<torch::Tensor>{w, b},
                                                      torch::optim::SGDOptions(0.1).momentum(0.9));
    } else {
      reference = std::make_unique<torch::optim::Adam>(std::vector<torch::Tensor>{w, b},
                                                       torch::optim::AdamOptions(0.01));
    }
    for (int step = 0; step < 4; ++step) {
      layers[0].dw = random_matrix(3, 2, 20 + step);
      layers[0].db = random_matrix(1, 2, 40 + step);
      w.mutable_grad() = to_torch(layers[0].dw);
      b.mutable_grad() = to_torch(layers[0].db);
      reference->step();
      if (std::string(kind) == "sgd")
        sgd.step(layers);
      else
        adam.step(layers);
    }
    expect_close(layers[0].w, w.detach(), 1e-5, kind);
    expect_close(layers[0].b, b.detach(), 1e-5, kind);
  }
  Sgd decayed(1.0, 0.5);
  std::vector<Dense> layers = {Dense(1, 1, 1)};
  decayed.step(layers);
  decayed.step(layers);
  EXPECT_DOUBLE_EQ(decayed.current_lr(), 1.0 / (1.0 + 0.5 * 2));
}

// A batch step equals the mean of the per-sample gradients.
TEST(BaselineLayers, BatchGradientIsTheMeanOfPerSampleGradients) {
  Mlp mlp({4, 6, 3}, {Act::kTanh, Act::kIdentity}, 8);
  const Matrix x = random_matrix(5, 4, 9);
  const std::vector<int64_t> labels = {2, 0, 1, 1, 2};
  SoftmaxCrossEntropy loss;
  loss.forward(mlp.forward(x), labels);
  mlp.backward(loss.backward());
  const Matrix batch_dw = mlp.layers()[0].dw;
  Matrix mean_dw(4, 6);
  for (int64_t s = 0; s < 5; ++s) {
    loss.forward(mlp.forward(x.rows_slice(s, 1)), {labels[static_cast<size_t>(s)]});
    mlp.backward(loss.backward());
    for (int64_t i = 0; i < mean_dw.size(); ++i)
      mean_dw.data()[i] += mlp.layers()[0].dw.data()[i] / 5;
  }
  for (int64_t i = 0; i < mean_dw.size(); ++i)
    EXPECT_NEAR(batch_dw.data()[i], mean_dw.data()[i], 1e-6);
}

// The per-sample sigmoid/MSE network learns a small table (XOR-like).
TEST(BaselineClassic, TrainAndQueryOneSampleAtATime) {
  ClassicNetwork net(2, 8, 2, /*lr=*/2.0, /*seed=*/4);
  const std::vector<std::vector<float>> xs = {
      {0.01f, 0.01f}, {0.01f, 0.99f}, {0.99f, 0.01f}, {0.99f, 0.99f}};
  const std::vector<int> ys = {0, 1, 1, 0};
  auto error = [&] {
    double sum = 0;
    for (size_t i = 0; i < xs.size(); ++i) {
      const auto out = net.query(xs[i]);
      EXPECT_EQ(out.size(), 2u);
      const float want[2] = {ys[i] == 0 ? 0.99f : 0.01f, ys[i] == 1 ? 0.99f : 0.01f};
      for (int k = 0; k < 2; ++k) sum += (out[k] - want[k]) * (out[k] - want[k]);
    }
    return sum;
  };
  const double before = error();
  for (int epoch = 0; epoch < 3000; ++epoch) {
    for (size_t i = 0; i < xs.size(); ++i) {
      net.train(xs[i], {ys[i] == 0 ? 0.99f : 0.01f, ys[i] == 1 ? 0.99f : 0.01f});
    }
  }
  EXPECT_LT(error(), 0.1 * before);
}

// The micrograd lecture's neuron: o = tanh(x1 w1 + x2 w2 + b).
TEST(BaselineValue, TanhNeuronFromTheLecture) {
  Value x1(2.0, "x1"), x2(0.0, "x2"), w1(-3.0, "w1"), w2(1.0, "w2"), b(6.8813735870195432, "b");
  Value n = x1 * w1 + x2 * w2 + b;
  Value o = n.tanh();
  o.backward();
  EXPECT_NEAR(o.data(), 0.7071, 1e-4);
  EXPECT_NEAR(x1.grad(), -1.5, 1e-4);
  EXPECT_NEAR(w1.grad(), 1.0, 1e-4);
  EXPECT_NEAR(x2.grad(), 0.5, 1e-4);
  EXPECT_NEAR(w2.grad(), 0.0, 1e-4);
  // tanh written out as (e^{2n} - 1) / (e^{2n} + 1) gives the same gradients.
  for (Value* v : {&x1, &x2, &w1, &w2, &b}) v->zero_grad();
  Value e = (Value(2.0) * (x1 * w1 + x2 * w2 + b)).exp();
  Value o2 = (e - Value(1.0)) / (e + Value(1.0));
  o2.backward();
  EXPECT_NEAR(o2.data(), o.data(), 1e-12);
  EXPECT_NEAR(x1.grad(), -1.5, 1e-4);
  EXPECT_NEAR(w1.grad(), 1.0, 1e-4);
  const std::string dot = o.to_dot();
  EXPECT_NE(dot.find("x1 | data 2.0000 | grad -1.5000"), std::string::npos) << dot;
  EXPECT_NE(dot.find("[label=\"tanh\"]"), std::string::npos);
}

// Every operation's gradient against torch on one expression; a value used
// twice accumulates both contributions.
TEST(BaselineValue, GradientsMatchTorch) {
  Value a(-4.0, "a"), b(2.0, "b");
  Value c = a + b;
  Value d = a * b + b.pow(3);
  c = c + c + Value(1.0);
  c = c + Value(1.0) + c + (-a);
  d = d + d * Value(2.0) + (b + a).relu();
  d = d + Value(3.0) * d + (b - a).relu();
  Value e = c - d;
  Value f = e.pow(2);
  Value g = f / Value(2.0);
  g = g + Value(10.0) / f;
  Value h = g + (b * Value(0.3)).sigmoid() + (b.exp() + Value(1.0)).log() + (a * Value(0.1)).tanh();
  h.backward();

  auto at = torch::tensor({-4.0}, torch::kDouble).requires_grad_(true);
  auto bt = torch::tensor({2.0}, torch::kDouble).requires_grad_(true);
  auto ct = at + bt;
  auto dt = at * bt + bt.pow(3);
  ct = ct + ct + 1;
  ct = ct + 1 + ct + (-at);
  dt = dt + dt * 2 + torch::relu(bt + at);
  dt = dt + 3 * dt + torch::relu(bt - at);
  auto et = ct - dt;
  auto ft = et.pow(2);
  auto gt = ft / 2.0;
  gt = gt + 10.0 / ft;
  auto ht = gt + torch::sigmoid(bt * 0.3) + torch::log(torch::exp(bt) + 1) + torch::tanh(at * 0.1);
  ht.backward();
  EXPECT_NEAR(h.data(), ht.item<double>(), 1e-9);
  EXPECT_NEAR(a.grad(), at.grad().item<double>(), 1e-9);
  EXPECT_NEAR(b.grad(), bt.grad().item<double>(), 1e-9);
}

TEST(BaselineValue, MlpLearnsATinyTable) {
  ValueMlp mlp(3, {4, 4, 1}, 1);
  const std::vector<std::vector<double>> xs = {{2, 3, -1}, {3, -1, 0.5}, {0.5, 1, 1}, {1, 1, -1}};
  const std::vector<double> ys = {1, -1, -1, 1};
  double first = 0, last = 0;
  for (int step = 0; step < 60; ++step) {
    Value loss(0.0);
    for (size_t i = 0; i < xs.size(); ++i) {
      std::vector<Value> x(xs[i].begin(), xs[i].end());
      loss = loss + (mlp(x)[0] - Value(ys[i])).pow(2);
    }
    for (auto& p : mlp.parameters()) p.zero_grad();
    loss.backward();
    for (auto& p : mlp.parameters()) p.set_data(p.data() - 0.05 * p.grad());
    if (step == 0) first = loss.data();
    last = loss.data();
  }
  EXPECT_LT(last, 0.1 * first);
}

// Softmax cross-entropy written with Values: -log(e^{z_y} / sum e^{z_c}).
Value cross_entropy(const std::vector<Value>& logits, int64_t label) {
  Value sum(0.0);
  for (const auto& z : logits) sum = sum + z.exp();
  return sum.log() - logits[static_cast<size_t>(label)];
}

// The scalar MLP learns the spiral (3 arms) and the toy table, trained with
// plain gradient descent on Values; the data comes from nnn's generators.
TEST(BaselineValue, MlpLearnsSpiralAndToy) {
  struct Case {
    const char* name;
    Dataset data;
    std::vector<int> sizes;
    int steps;
    double lr;
    double target;
  };
  Dataset toy = make_toy(20, 3);
  // Standardise the toy features, as its config does.
  toy.inputs = (toy.inputs - toy.inputs.mean(0)) / toy.inputs.std(0);
  std::vector<Case> cases = {{"spiral", make_spiral(3, 20, 0.1, 2), {16, 16, 3}, 150, 0.5, 0.85},
                             {"toy", toy, {8, 2}, 60, 0.5, 0.8}};
  for (auto& k : cases) {
    ValueMlp mlp(static_cast<int>(k.data.features()), k.sizes, 7);
    const auto x = k.data.inputs.accessor<float, 2>();
    const auto y = k.data.labels.accessor<int64_t, 1>();
    const int64_t n = k.data.size();
    double accuracy = 0.0;
    for (int step = 0; step < k.steps; ++step) {
      Value loss(0.0);
      int64_t correct = 0;
      for (int64_t i = 0; i < n; ++i) {
        std::vector<Value> in;
        for (int64_t f = 0; f < k.data.features(); ++f) in.emplace_back(x[i][f]);
        const auto logits = mlp(in);
        loss = loss + cross_entropy(logits, y[i]);
        int64_t best = 0;
        for (size_t c = 1; c < logits.size(); ++c)
          best = logits[c].data() > logits[best].data() ? static_cast<int64_t>(c) : best;
        correct += best == y[i];
      }
      loss = loss / Value(static_cast<double>(n));
      for (auto& p : mlp.parameters()) p.zero_grad();
      loss.backward();
      for (auto& p : mlp.parameters()) p.set_data(p.data() - k.lr * p.grad());
      accuracy = static_cast<double>(correct) / static_cast<double>(n);
    }
    EXPECT_GE(accuracy, k.target) << k.name;
  }
}

}  // namespace
}  // namespace nnn::baseline
