// gemm_into against torch::mm: transposed views read in place, columns of
// wider matrices as outputs and inputs, beta 0 and 1, odd shapes (1 row, a
// prime inner size, an empty inner size); with the small-matrix kernels on
// and off.
#include "nnn/kernels/gemm.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <array>
#include <vector>

namespace nnn {
namespace {

// Runs every case once with libxsmm (where built with it) and once with LibTorch's mm.
class Gemm : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override { previous_ = use_small_gemm_kernels(GetParam()); }
  void TearDown() override { use_small_gemm_kernels(previous_); }
  bool previous_ = true;
};

TEST_P(Gemm, EqualsTorchMmOnViews) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(5);
  for (const auto& [m, k, n] : std::vector<std::array<int64_t, 3>>{
           {32, 48, 64}, {128, 784, 64}, {1, 7, 3}, {5, 97, 11}, {64, 512, 58}, {3, 1, 4}}) {
    for (bool a_transposed : {false, true}) {
      for (bool b_transposed : {false, true}) {
        for (float beta : {0.0f, 1.0f}) {
          // a: [m, k], possibly the transpose of a [k, m] matrix; b likewise;
          // c: columns 3 .. 3 + n of a wider matrix, whose other columns must
          // stay as they were.
          const auto a =
              a_transposed ? torch::randn({k, m}).t() : torch::randn({m, k + 2}).narrow(1, 1, k);
          const auto b = b_transposed ? torch::randn({n, k}).t() : torch::randn({k, n});
          const auto wide = torch::randn({m, n + 5});
          const auto before = wide.clone();
          const auto c = wide.narrow(1, 3, n);
          const auto expected = torch::mm(a, b) + beta * before.narrow(1, 3, n);
          gemm_into(c, a, b, beta);
          const std::string what = std::to_string(m) + "x" + std::to_string(k) + "x" +
                                   std::to_string(n) + (a_transposed ? " a^T" : "") +
                                   (b_transposed ? " b^T" : "") + " beta " + std::to_string(beta);
          EXPECT_TRUE(torch::allclose(c, expected, 1e-4, 1e-4)) << what;
          EXPECT_TRUE(torch::equal(wide.narrow(1, 0, 3), before.narrow(1, 0, 3))) << what;
          EXPECT_TRUE(torch::equal(wide.narrow(1, 3 + n, 2), before.narrow(1, 3 + n, 2))) << what;
        }
      }
    }
  }
}

// Blocks (rows, columns, matrices of a stack, flat ranges, transposes) read
// and written in place, equal to the same product on LibTorch views.
TEST_P(Gemm, BlocksEqualTorchMmOnTheSameElements) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(6);
  const auto stack = torch::randn({3, 9, 7});  // matrix 1: [9, 7]
  const auto wide = torch::randn({7, 20});     // columns 4 .. 9: [7, 6]
  const auto tall = torch::randn({30, 6});     // rows 10 .. 16: [7, 6]
  const auto flat = torch::zeros({200});       // elements 50 .. 104: [9, 6]
  const auto before = flat.clone();
  for (float beta : {0.0f, 1.0f}) {
    flat.copy_(before);
    flat.narrow(0, 50, 54).normal_();
    const auto c_before = flat.narrow(0, 50, 54).view({9, 6}).clone();
    gemm_into(flat_block(flat, 50, 9, 6), stacked_block(stack, 1), column_block(wide, 4, 6), beta);
    const auto expected = torch::mm(stack[1], wide.narrow(1, 4, 6)) + beta * c_before;
    EXPECT_TRUE(torch::allclose(flat.narrow(0, 50, 54).view({9, 6}), expected, 1e-5, 1e-5));
    EXPECT_TRUE(torch::equal(flat.narrow(0, 0, 50), before.narrow(0, 0, 50)));
    EXPECT_TRUE(torch::equal(flat.narrow(0, 104, 96), before.narrow(0, 104, 96)));
  }
  // A transposed first operand: rows 10 .. 16 of `tall` transposed ([6, 7])
  // times the first 7 rows of the stack's matrix 1.
  const auto c = torch::zeros({6, 7});
  gemm_into(block(c), row_block(tall, 10, 7).t(), row_block(stack[1].contiguous(), 0, 7), 0);
  EXPECT_TRUE(torch::allclose(c, torch::mm(tall.narrow(0, 10, 7).t(), stack[1].narrow(0, 0, 7)),
                              1e-5, 1e-5));
  // A transposed second operand (libxsmm has no kernel: LibTorch's mm).
  const auto d = torch::zeros({9, 7});
  gemm_into(block(d), stacked_block(stack, 2), column_block(wide, 0, 7).t(), 0);
  EXPECT_TRUE(torch::allclose(d, torch::mm(stack[2], wide.narrow(1, 0, 7).t()), 1e-5, 1e-5));
  // Blocks outside their tensor are refused.
  EXPECT_THROW(flat_block(flat, 190, 3, 5), std::exception);
  EXPECT_THROW(column_block(wide, 18, 3), std::exception);
  EXPECT_THROW(stacked_block(stack, 3), std::exception);
}

TEST_P(Gemm, EmptyInnerSizeGivesBetaTimesC) {
  torch::NoGradGuard no_grad;
  const auto c = torch::full({2, 3}, 7.0f);
  gemm_into(c, torch::empty({2, 0}), torch::empty({0, 3}), 1);
  EXPECT_TRUE(torch::equal(c, torch::full({2, 3}, 7.0f)));
  gemm_into(c, torch::empty({2, 0}), torch::empty({0, 3}), 0);
  EXPECT_TRUE(torch::equal(c, torch::zeros({2, 3})));
}

TEST_P(Gemm, RefusesMismatchedShapesAndOtherBetas) {
  torch::NoGradGuard no_grad;
  const auto c = torch::zeros({2, 3});
  EXPECT_THROW(gemm_into(c, torch::ones({2, 4}), torch::ones({5, 3}), 0), std::exception);
  EXPECT_THROW(gemm_into(c, torch::ones({2, 4}), torch::ones({4, 3}), 0.5f), std::exception);
}

INSTANTIATE_TEST_SUITE_P(SmallKernels, Gemm, ::testing::Values(true, false),
                         [](const ::testing::TestParamInfo<bool>& param) {
                           return param.param ? std::string("Small") : std::string("TorchMm");
                         });

// transpose_into, zero_block and add_block on blocks inside larger
// tensors: the loop on floats, LibTorch's operations on doubles; nothing
// outside the block changes.
TEST(BlockOps, TransposeZeroAndAddTouchOnlyTheBlock) {
  for (const auto dtype : {torch::kFloat, torch::kDouble}) {
    const auto source = torch::randn({6, 7}, dtype);
    const auto target = torch::randn({40}, dtype);
    const auto before = target.clone();
    // Rows 1..4, columns 2..6 of source, transposed into elements 3.. of target.
    transpose_into(flat_block(target, 3, 5, 4), Block{source, 1 * 7 + 2, 4, 5, 7, false});
    EXPECT_TRUE(torch::equal(target.narrow(0, 3, 20).view({5, 4}),
                             source.narrow(0, 1, 4).narrow(1, 2, 5).t()));
    EXPECT_TRUE(torch::equal(target.narrow(0, 0, 3), before.narrow(0, 0, 3)));
    EXPECT_TRUE(torch::equal(target.narrow(0, 23, 17), before.narrow(0, 23, 17)));

    const auto matrix = torch::randn({4, 6}, dtype);
    const auto kept = matrix.clone();
    zero_block(column_block(matrix, 1, 3));
    EXPECT_TRUE(torch::equal(matrix.narrow(1, 1, 3), torch::zeros({4, 3}, dtype)));
    EXPECT_TRUE(torch::equal(matrix.narrow(1, 0, 1), kept.narrow(1, 0, 1)));
    EXPECT_TRUE(torch::equal(matrix.narrow(1, 4, 2), kept.narrow(1, 4, 2)));

    const auto addend = torch::randn({4, 2}, dtype);
    const auto sum = matrix.clone();
    add_block(column_block(sum, 4, 2), block(addend));
    EXPECT_TRUE(torch::equal(sum.narrow(1, 4, 2), matrix.narrow(1, 4, 2) + addend));
    EXPECT_TRUE(torch::equal(sum.narrow(1, 0, 4), matrix.narrow(1, 0, 4)));
  }
  const auto m = torch::zeros({3, 3});
  EXPECT_THROW(transpose_into(block(m), block(torch::zeros({3, 2}))), std::exception);
  EXPECT_THROW(add_block(block(m), block(torch::zeros({3, 2}))), std::exception);
  EXPECT_THROW(zero_block(block(m).t()), std::exception);
}

TEST(GemmBackend, NamesTheKernels) {
  const std::string name = gemm_backend();
  EXPECT_TRUE(name.rfind("libxsmm ", 0) == 0 || name == "LibTorch BLAS") << name;
#ifdef NNN_TEST_EXPECT_LIBXSMM
  EXPECT_EQ(name.rfind("libxsmm ", 0), 0u) << name;
#endif
}

}  // namespace
}  // namespace nnn
