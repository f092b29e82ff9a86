// The matrix products of nnn's hand-written paths (the no-grad forward and
// the hand-written backward): small row-major float products on strided
// views, written into views of larger buffers (a cell's columns of the
// message buffer, its rows of the flat gradient). On the CPU they go to
// libxsmm's JIT kernels where nnn was built with libxsmm (Debian's
// libxsmm-dev, against Debian's LibTorch) and to LibTorch's own BLAS call
// otherwise; elsewhere (CUDA) to LibTorch's mm. No autograd: callers hold
// NoGradGuard.
#pragma once

#include <torch/types.h>

#include <string>

namespace nnn {

/// A matrix inside a contiguous float tensor, described without asking
/// LibTorch for a view (each view is a microsecond of its bookkeeping, and a
/// training step takes hundreds): `rows` x `cols` elements, row-major with
/// leading dimension `ld`, from element `offset` of `base`; or, when
/// `transposed`, the transpose of that (cols x rows).
struct Block {
  torch::Tensor base;
  int64_t offset = 0, rows = 0, cols = 0, ld = 0;
  bool transposed = false;
  /// The same elements, transposed.
  Block t() const;
  /// As a LibTorch view of `base`.
  torch::Tensor view() const;
};
/// The whole of a contiguous 2-D tensor.
Block block(const torch::Tensor& matrix);
/// Rows first .. first + count of a contiguous 2-D tensor.
Block row_block(const torch::Tensor& matrix, int64_t first, int64_t count);
/// Columns first .. first + count of a contiguous 2-D tensor.
Block column_block(const torch::Tensor& matrix, int64_t first, int64_t count);
/// Matrix k of a contiguous stack [n, R, C] (or [R, C] for k = 0).
Block stacked_block(const torch::Tensor& stack, int64_t k);
/// `count` elements of a contiguous tensor from `offset`, as a rows x cols matrix.
Block flat_block(const torch::Tensor& flat, int64_t offset, int64_t rows, int64_t cols);

/// Writes the transpose of `source` into `target` (contiguous, source.cols x
/// source.rows): a loop on CPU floats, LibTorch's copy elsewhere (its
/// strided copy of a transposed view costs microseconds per small matrix).
void transpose_into(const Block& target, const Block& source);

/// Zeroes the block's elements (a loop on CPU floats).
void zero_block(const Block& b);

/// target += source, element-wise, blocks of one shape, not transposed.
void add_block(const Block& target, const Block& source);

/// c = a @ b + beta * c on blocks: as gemm_into on tensors below, without
/// making views on the CPU.
void gemm_into(const Block& c, const Block& a, const Block& b, float beta);

/// c = a @ b + beta * c, for 2-D views: c with unit column stride (a slice
/// of columns of a wider matrix is fine), a and b with a unit stride in
/// either dimension (`x.t()` of a row-major matrix is read in place).
/// beta is 0 (c overwritten) or 1 (added to). All three on one device,
/// float32 on the CPU; other dtypes and devices go through LibTorch.
void gemm_into(const torch::Tensor& c, const torch::Tensor& a, const torch::Tensor& b, float beta);

/// Which kernels gemm_into runs on the CPU: "libxsmm 1.17.0" or "LibTorch BLAS".
std::string gemm_backend();

/// Turns libxsmm off (false) or back on (true, the default) for the whole
/// process, for measuring it side by side (`nnn bench --gemm both`) and for
/// testing both ways; returns the previous setting. Without libxsmm it
/// changes nothing.
bool use_small_gemm_kernels(bool on);

}  // namespace nnn
