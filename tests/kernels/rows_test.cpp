// The row copies and ReLU loops of the direct paths against LibTorch's
// operations, on floats (the loops) and doubles (LibTorch's path).
#include "nnn/kernels/rows.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <limits>

#include "nnn/core/cell.h"
#include "nnn/kernels/activations.h"

namespace nnn {
namespace {

TEST(Rows, RepeatRowsEqualsExpand) {
  for (const auto dtype : {torch::kFloat, torch::kDouble}) {
    const auto rows = torch::randn({3, 5}, dtype);
    const auto got = repeat_rows(rows, 4);
    ASSERT_EQ(got.sizes(), (std::vector<int64_t>{3, 4, 5}));
    EXPECT_TRUE(got.is_contiguous());
    EXPECT_TRUE(torch::equal(got, rows.unsqueeze(1).expand({3, 4, 5})));
    EXPECT_TRUE(
        torch::equal(repeat_rows(rows.unsqueeze(1), 2), rows.unsqueeze(1).expand({3, 2, 5})));
    EXPECT_EQ(repeat_rows(rows, 0).numel(), 0);
  }
  EXPECT_THROW(repeat_rows(torch::zeros({2, 3, 4}), 2), std::exception);
}

TEST(Rows, GatherColumnsEqualsIndexSelect) {
  const std::vector<int64_t> picks = {4, 5, 6, 0, 0, 2, 3, 1, 1, 1, 6};
  const auto runs = column_runs(picks, 7);
  EXPECT_EQ(runs.width, 11);
  EXPECT_EQ(runs.to, (std::vector<int64_t>{0, 3, 4, 5, 7, 8, 9, 10}));
  EXPECT_EQ(runs.from, (std::vector<int64_t>{4, 0, 0, 2, 1, 1, 1, 6}));
  EXPECT_EQ(runs.length, (std::vector<int64_t>{3, 1, 1, 2, 1, 1, 1, 1}));
  const auto index = torch::tensor(picks, torch::kLong);
  for (const auto dtype : {torch::kFloat, torch::kDouble}) {
    const auto source = torch::randn({3, 7}, dtype);
    EXPECT_TRUE(torch::equal(gather_columns(source, runs, index), source.index_select(1, index)));
    const auto into = torch::full({3, 11}, 9.0, dtype);
    gather_columns_into(into, source, runs, index);
    EXPECT_TRUE(torch::equal(into, source.index_select(1, index)));
  }
  EXPECT_THROW(gather_columns_into(torch::zeros({3, 10}), torch::zeros({3, 7}), runs, index),
               std::exception);
  // Long runs (copied whole) beside short ones.
  std::vector<int64_t> long_picks;
  for (int64_t i = 0; i < 40; ++i) long_picks.push_back(i);
  for (int64_t i = 50; i < 53; ++i) long_picks.push_back(i);
  for (int64_t i = 10; i < 30; ++i) long_picks.push_back(i);
  const auto source = torch::randn({5, 60});
  EXPECT_TRUE(torch::equal(gather_columns(source, column_runs(long_picks, 60), torch::Tensor()),
                           source.index_select(1, torch::tensor(long_picks, torch::kLong))));
  EXPECT_THROW(column_runs({7}, 7), std::exception);
  EXPECT_THROW(column_runs({-1}, 7), std::exception);
  EXPECT_THROW(gather_columns(torch::randn({3, 8}), runs, index), std::exception);
}

TEST(Rows, StackColumnsEqualsStackAndNarrow) {
  for (const auto dtype : {torch::kFloat, torch::kDouble}) {
    std::vector<torch::Tensor> sources;
    for (int k = 0; k < 4; ++k) sources.push_back(torch::randn({3, 9}, dtype));
    const auto got = stack_columns(sources, 2, 5);
    EXPECT_TRUE(got.is_contiguous());
    EXPECT_TRUE(torch::equal(got, torch::stack(sources).narrow(2, 2, 5)));
    // The first two not read: NaN.
    sources[0] = torch::Tensor();
    sources[1] = torch::Tensor();
    const auto later = stack_columns(sources, 4, 5, 2);
    EXPECT_TRUE(later.narrow(0, 0, 2).isnan().all().item<bool>());
    EXPECT_TRUE(torch::equal(later.narrow(0, 2, 2),
                             torch::stack({sources[2], sources[3]}).narrow(2, 4, 5)));
  }
  EXPECT_THROW(stack_columns({torch::zeros({2, 3})}, 1, 3), std::exception);
}

TEST(Rows, CopyOfIsADeepCopy) {
  const auto source = torch::randn({2, 3});
  const auto copy = copy_of(source);
  EXPECT_TRUE(torch::equal(copy, source));
  EXPECT_NE(copy.data_ptr(), source.data_ptr());
  const auto strided = torch::randn({3, 2}).t();
  EXPECT_TRUE(copy_of(strided).is_contiguous());
  EXPECT_TRUE(torch::equal(copy_of(strided), strided));
}

TEST(ReluKernel, EqualsLibTorchNanIncluded) {
  torch::NoGradGuard no_grad;
  for (int64_t n : {1, 9, 16, 33, 1001}) {
    auto x = torch::randn({n});
    x[0] = std::numeric_limits<float>::quiet_NaN();
    const auto expected = torch::relu(x);
    const auto got = activate_(Activation::kReLU, x.clone());
    EXPECT_TRUE(torch::allclose(got, expected, 0, 0, /*equal_nan=*/true)) << n;
    const auto grad = torch::randn({n});
    EXPECT_TRUE(torch::equal(activation_backward(Activation::kReLU, grad, expected),
                             torch::threshold_backward(grad, expected, 0)))
        << n;
  }
}

}  // namespace
}  // namespace nnn
