// libxsmm behind small_gemm, and the side-by-side timing with torch::mm_out.
#include "nnn/kernels/small_gemm.h"

#include <fmt/ostream.h>
#include <libxsmm.h>
#include <torch/types.h>

#include <chrono>
#include <ostream>

#include "nnn/core/parallel.h"
#include "nnn/util/error.h"

namespace nnn {

void small_gemm(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c) {
  // Row-major C = A B is column-major C^T [n x m] = B^T [n x k] A^T [k x m].
  const auto mi = static_cast<libxsmm_blasint>(m), ni = static_cast<libxsmm_blasint>(n),
             ki = static_cast<libxsmm_blasint>(k);
  const float alpha = 1.0f, beta = 0.0f;
  const int flags = LIBXSMM_GEMM_FLAG_NONE;
  // libxsmm caches the kernels it generates: a dispatch is a lookup.
  const libxsmm_smmfunction kernel =
      libxsmm_smmdispatch(ni, mi, ki, &ni, &ki, &ni, &alpha, &beta, &flags, nullptr);
  NNN_CHECK(kernel != nullptr, "libxsmm has no kernel for a ", m, "x", k, " by ", k, "x", n,
            " product");
  kernel(b, a, c);
}

namespace {

using Clock = std::chrono::steady_clock;

// Microseconds per call of `f`, over at least `min_seconds` after a warm-up.
template <typename F>
double time_us(F&& f, double min_seconds) {
  for (int i = 0; i < 50; ++i) f();
  int64_t calls = 0;
  const auto start = Clock::now();
  double seconds = 0;
  while (seconds < min_seconds) {
    for (int i = 0; i < 100; ++i) f();
    calls += 100;
    seconds = std::chrono::duration<double>(Clock::now() - start).count();
  }
  return 1e6 * seconds / static_cast<double>(calls);
}

}  // namespace

std::vector<SmallGemmResult> compare_small_gemm(double min_seconds) {
  NNN_CHECK(min_seconds > 0, "small-gemm bench: seconds must be > 0");
  configure_threads(1);  // LibTorch's and OpenBLAS's kernels on one thread, as nnn runs them
  libxsmm_init();
  // layered [1,3,1] x16 h64 T4 (cells reading 16-48 channels, sending 16-58)
  // at batch 32 and at the 128-sample shards of batch 256 on 2 cores; and
  // the hand-written backward's weight products over T = 4 steps.
  struct Shape {
    const char* what;
    int64_t m, k, n;
  };
  const Shape shapes[] = {
      {"messages x W1m, batch 32", 32, 48, 64},     {"h x W2, batch 32", 32, 64, 58},
      {"dz x W2^T, batch 32", 32, 58, 64},          {"messages x W1m, batch 128", 128, 48, 64},
      {"h x W2, batch 128", 128, 64, 58},           {"dz x W2^T, batch 128", 128, 58, 64},
      {"H^T x dZ over 4 steps of 32", 64, 128, 58}, {"H^T x dZ over 4 steps of 128", 64, 512, 58},
      {"x x W1x, batch 128 (MNIST)", 128, 784, 64}};
  torch::manual_seed(0);
  std::vector<SmallGemmResult> results;
  for (const Shape& s : shapes) {
    const auto a = torch::randn({s.m, s.k});
    const auto b = torch::randn({s.k, s.n});
    auto c = torch::empty({s.m, s.n});
    small_gemm(s.m, s.n, s.k, a.data_ptr<float>(), b.data_ptr<float>(), c.data_ptr<float>());
    NNN_CHECK(torch::allclose(c, torch::mm(a, b), 1e-4, 1e-4),
              "small-gemm bench: libxsmm and LibTorch disagree on ", s.what);
    SmallGemmResult r;
    r.shape = s.what;
    r.m = s.m;
    r.k = s.k;
    r.n = s.n;
    r.torch_us = time_us([&] { torch::mm_out(c, a, b); }, min_seconds);
    r.small_us = time_us(
        [&] {
          small_gemm(s.m, s.n, s.k, a.data_ptr<float>(), b.data_ptr<float>(), c.data_ptr<float>());
        },
        min_seconds);
    const double flop = 2.0 * static_cast<double>(s.m * s.n * s.k);
    r.torch_gflops = flop / r.torch_us / 1e3;
    r.small_gflops = flop / r.small_us / 1e3;
    results.push_back(r);
  }
  return results;
}

void print_small_gemm(const std::vector<SmallGemmResult>& results, std::ostream& out) {
  fmt::print(out, "{:<32} {:>14} {:>16} {:>16} {:>7}\n", "product (one thread)", "m x k x n",
             "torch::mm_out", "libxsmm", "ratio");
  for (const auto& r : results) {
    fmt::print(out, "{:<32} {:>14} {:>7.2f} us {:>4.0f}GF {:>7.2f} us {:>4.0f}GF {:>6.2f}x\n",
               r.shape, fmt::format("{}x{}x{}", r.m, r.k, r.n), r.torch_us, r.torch_gflops,
               r.small_us, r.small_gflops, r.torch_us / r.small_us);
  }
}

}  // namespace nnn
