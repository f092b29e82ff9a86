// Small float matrix products through libxsmm's JIT kernels, for the shapes
// nnn's cells multiply (tens of rows and columns), and their measurement
// against LibTorch's BLAS (`nnn bench --small-gemm`). A library of its own,
// built when set-up installed libxsmm-dev and linked by the command-line
// tool only: the network does not call it yet (see experiments/README.md).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace nnn {

/// Row-major C[m, n] = A[m, k] B[k, n] (C overwritten), all contiguous;
/// nnn::Error when libxsmm declines the shape.
void small_gemm(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c);

struct SmallGemmResult {
  std::string shape;  // what the product is in a workload
  int64_t m = 0, k = 0, n = 0;
  double torch_us = 0, small_us = 0;          // per product, one thread
  double torch_gflops = 0, small_gflops = 0;  // 2mnk / time
};

/// Times torch::mm_out (LibTorch's BLAS, one thread) and small_gemm on the
/// products of the standard workloads' cells, each for at least
/// `min_seconds`, after checking that the two agree.
std::vector<SmallGemmResult> compare_small_gemm(double min_seconds);

/// The table of compare_small_gemm.
void print_small_gemm(const std::vector<SmallGemmResult>& results, std::ostream& out);

}  // namespace nnn
