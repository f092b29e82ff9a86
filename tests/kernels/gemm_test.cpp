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

TEST(GemmBackend, NamesTheKernels) {
  const std::string name = gemm_backend();
  EXPECT_TRUE(name.rfind("libxsmm ", 0) == 0 || name == "LibTorch BLAS") << name;
#ifdef NNN_TEST_EXPECT_LIBXSMM
  EXPECT_EQ(name.rfind("libxsmm ", 0), 0u) << name;
#endif
}

}  // namespace
}  // namespace nnn
