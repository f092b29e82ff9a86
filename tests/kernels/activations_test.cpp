// The vectorised log-sigmoid loops against LibTorch's log_sigmoid and its
// autograd derivative, over the whole float range that matters (large
// negative and positive inputs, zero, tiny values), at lengths that leave
// vector remainders, in place and not; and activate_ / activation_backward
// taking them on contiguous CPU floats only.
#include "nnn/kernels/activations.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <limits>

#include "nnn/core/cell.h"

namespace nnn {
namespace {

torch::Tensor inputs(int64_t n) {
  auto x = torch::randn({n}) * 8;
  const float special[] = {0.0f,  -0.0f,  1e-30f, -1e-30f, 1e-7f, 20.0f, -20.0f,
                           88.0f, -88.0f, 100.0f, -100.0f, 1e6f,  -1e6f};
  for (int64_t i = 0; i < std::min<int64_t>(n, 13); ++i) x[i] = special[i];
  return x;
}

TEST(LogSigmoidKernel, EqualsLibTorch) {
  torch::manual_seed(3);
  for (int64_t n : {1, 7, 8, 15, 16, 17, 33, 1000, 4099}) {
    const auto x = inputs(n);
    const auto expected = torch::log_sigmoid(x);
    auto y = torch::empty_like(x);
    log_sigmoid_forward(x.data_ptr<float>(), y.data_ptr<float>(), n);
    EXPECT_TRUE(torch::allclose(y, expected, 1e-5, 1e-6))
        << n << ": max diff " << (y - expected).abs().max().item<float>();
    auto in_place = x.clone();
    log_sigmoid_forward(in_place.data_ptr<float>(), in_place.data_ptr<float>(), n);
    EXPECT_TRUE(torch::equal(in_place, y)) << n;

    const auto xg = x.clone().requires_grad_(true);
    const auto grad = torch::randn({n});
    torch::log_sigmoid(xg).backward(grad);
    auto got = torch::empty_like(x);
    log_sigmoid_backward(grad.data_ptr<float>(), y.data_ptr<float>(), got.data_ptr<float>(), n);
    EXPECT_TRUE(torch::allclose(got, xg.grad(), 1e-5, 1e-6))
        << n << ": max diff " << (got - xg.grad()).abs().max().item<float>();
  }
}

TEST(LogSigmoidKernel, NanStaysNan) {
  auto x = torch::tensor({1.0f, std::numeric_limits<float>::quiet_NaN(), -2.0f});
  log_sigmoid_forward(x.data_ptr<float>(), x.data_ptr<float>(), 3);
  EXPECT_TRUE(std::isnan(x[1].item<float>()));
  EXPECT_FALSE(std::isnan(x[0].item<float>()));
}

TEST(LogSigmoidKernel, ActivateInPlaceAndBackwardOnEveryLayout) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(4);
  const auto x = torch::randn({6, 10}) * 5;
  const auto expected = torch::log_sigmoid(x);
  const auto contiguous = x.clone();
  EXPECT_TRUE(
      torch::allclose(activate_(Activation::kLogSigmoid, contiguous), expected, 1e-5, 1e-6));
  const auto strided = x.t();  // not contiguous: LibTorch's path
  EXPECT_TRUE(
      torch::allclose(activate_(Activation::kLogSigmoid, strided), expected.t(), 1e-6, 1e-7));
  const auto grad = torch::randn({6, 10});
  const auto reference = grad - grad * expected.exp();
  EXPECT_TRUE(torch::allclose(activation_backward(Activation::kLogSigmoid, grad, expected),
                              reference, 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(activation_backward(Activation::kLogSigmoid, grad.t(), expected.t()),
                              reference.t(), 1e-5, 1e-6));
}

// activation_backward_into writes what activation_backward returns, for
// every activation, on the loops' layout (contiguous floats) and on
// LibTorch's (doubles).
TEST(ActivationBackward, IntoEqualsTheReturnedGradient) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(6);
  for (const auto dtype : {torch::kFloat, torch::kDouble}) {
    for (const Activation a : {Activation::kReLU, Activation::kSigmoid, Activation::kTanh,
                               Activation::kLogSigmoid, Activation::kIdentity}) {
      const auto y = activate(a, torch::randn({3, 4, 5}, dtype));
      const auto grad = torch::randn({3, 4, 5}, dtype);
      const auto out = torch::full({3, 4, 5}, 7.0, dtype);
      activation_backward_into(a, grad, y, out);
      EXPECT_TRUE(torch::equal(out, activation_backward(a, grad, y))) << to_string(a);
    }
  }
  EXPECT_THROW(activation_backward_into(Activation::kReLU, torch::zeros({2, 3}),
                                        torch::zeros({2, 3}), torch::zeros({3, 2})),
               std::exception);
}

}  // namespace
}  // namespace nnn
