// libxsmm's products against LibTorch's on the shapes nnn multiplies and on
// odd ones (1 row, a prime inner size).
#include "nnn/kernels/small_gemm.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <array>
#include <vector>

namespace nnn {
namespace {

TEST(SmallGemm, EqualsTorchMm) {
  torch::manual_seed(5);
  for (const auto& [m, k, n] : std::vector<std::array<int64_t, 3>>{
           {32, 48, 64}, {128, 784, 64}, {1, 7, 3}, {5, 97, 11}, {64, 512, 58}}) {
    const auto a = torch::randn({m, k});
    const auto b = torch::randn({k, n});
    auto c = torch::full({m, n}, 123.0f);  // overwritten, not added to
    small_gemm(m, n, k, a.data_ptr<float>(), b.data_ptr<float>(), c.data_ptr<float>());
    EXPECT_TRUE(torch::allclose(c, torch::mm(a, b), 1e-4, 1e-4)) << m << "x" << k << "x" << n;
  }
}

}  // namespace
}  // namespace nnn
