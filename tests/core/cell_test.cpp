// Cell: shapes, parameter names, initialisation, activations, forward.
#include "nnn/core/cell.h"

#include "nnn/util/error.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace nnn {
namespace {

class CellTest : public ::testing::Test {
 protected:
  void SetUp() override { torch::manual_seed(7); }
};

TEST_F(CellTest, ShapesAndNames) {
  Cell cell(CellOptions(5, 4, 3));
  EXPECT_EQ(cell->w1.sizes(), (std::vector<int64_t>{5, 4}));
  EXPECT_EQ(cell->b1.sizes(), (std::vector<int64_t>{4}));
  EXPECT_EQ(cell->w2.sizes(), (std::vector<int64_t>{4, 3}));
  EXPECT_EQ(cell->b2.sizes(), (std::vector<int64_t>{3}));
  EXPECT_EQ(cell->named_parameters().keys(), (std::vector<std::string>{"w1", "b1", "w2", "b2"}));
  EXPECT_EQ(cell->forward(torch::randn({6, 5})).sizes(), (std::vector<int64_t>{6, 3}));
}

TEST_F(CellTest, InitialisationFollowsTheSpec) {
  Cell cell(CellOptions(400, 300, 2));
  // W ~ N(0, 1) / sqrt(fan_in): std 1/20 for w1, 1/sqrt(300) for w2.
  EXPECT_NEAR(cell->w1.std().item<double>(), 1.0 / 20.0, 0.002);
  EXPECT_NEAR(cell->w1.mean().item<double>(), 0.0, 0.001);
  EXPECT_NEAR(cell->w2.std().item<double>(), 1.0 / std::sqrt(300.0), 0.006);
  EXPECT_EQ(cell->b1.abs().sum().item<double>(), 0.0);
  EXPECT_EQ(cell->b2.abs().sum().item<double>(), 0.0);
}

TEST_F(CellTest, ForwardIsTwoLayersWithTheChosenActivations) {
  for (auto hidden : {Activation::kReLU, Activation::kSigmoid, Activation::kTanh,
                      Activation::kLogSigmoid, Activation::kIdentity}) {
    for (auto output : {Activation::kLogSigmoid, Activation::kIdentity, Activation::kTanh}) {
      Cell cell(CellOptions(3, 4, 2).hidden_activation(hidden).output_activation(output));
      {
        torch::NoGradGuard no_grad;
        cell->b1.uniform_(-1, 1);
        cell->b2.uniform_(-1, 1);
      }
      const auto u = torch::randn({5, 3});
      const auto expected = activate(
          output,
          torch::matmul(activate(hidden, u.matmul(cell->w1) + cell->b1), cell->w2) + cell->b2);
      EXPECT_TRUE(torch::allclose(cell->forward(u), expected, 1e-6, 1e-6))
          << to_string(hidden) << " " << to_string(output);
    }
  }
}

TEST_F(CellTest, ActivationsByName) {
  const auto x = torch::tensor({-2.0f, 0.0f, 3.0f});
  EXPECT_TRUE(
      torch::equal(activate(parse_activation("relu"), x), torch::tensor({0.0f, 0.0f, 3.0f})));
  EXPECT_TRUE(
      torch::allclose(activate(parse_activation("log_sigmoid"), x), torch::log(torch::sigmoid(x))));
  EXPECT_TRUE(torch::equal(activate(parse_activation("identity"), x), x));
  EXPECT_THROW(parse_activation("gelu"), Error);
  for (const auto& name : activation_names()) EXPECT_EQ(to_string(parse_activation(name)), name);
}

TEST_F(CellTest, CloneIsDeep) {
  Cell cell(CellOptions(2, 3, 1));
  auto copy = std::dynamic_pointer_cast<CellImpl>(cell->clone());
  ASSERT_TRUE(copy);
  EXPECT_TRUE(torch::equal(copy->w1, cell->w1));
  {
    torch::NoGradGuard no_grad;
    copy->w1.add_(1.0);
  }
  EXPECT_FALSE(torch::equal(copy->w1, cell->w1));
}

}  // namespace
}  // namespace nnn
