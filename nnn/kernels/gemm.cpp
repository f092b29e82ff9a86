// gemm_into: libxsmm's JIT kernels on the CPU where nnn was built with
// libxsmm, LibTorch's mm otherwise.
#include "nnn/kernels/gemm.h"

#include <torch/torch.h>

#include <algorithm>
#include <atomic>

#include "nnn/kernels/plain_floats.h"
#include "nnn/util/error.h"

#ifdef NNN_HAVE_LIBXSMM
#include <libxsmm.h>
#endif

namespace nnn {

namespace {

std::atomic<bool> small_kernels_on{true};

// The block as a LibTorch view (any device).
torch::Tensor view_of(const Block& b) {
  const auto v = b.base.as_strided({b.rows, b.cols}, {b.ld, 1}, b.base.storage_offset() + b.offset);
  return b.transposed ? v.t() : v;
}

// The block's first element (float blocks on the CPU).
float* data_of(const Block& b) { return b.base.data_ptr<float>() + b.offset; }

int64_t logical_rows(const Block& b) { return b.transposed ? b.cols : b.rows; }
int64_t logical_cols(const Block& b) { return b.transposed ? b.rows : b.cols; }

// A 2-D view [r, s] as a block over itself, or false when neither stride is
// 1 (or the other stride is too small for a leading dimension).
bool block_of(const torch::Tensor& t, Block* out) {
  const int64_t r = t.size(0), s = t.size(1);
  if (t.stride(1) == 1 || s == 1) {
    *out = Block{t, 0, r, s, r == 1 ? s : t.stride(0), false};
    return out->ld >= s;
  }
  if (t.stride(0) == 1 || r == 1) {  // the transpose of a row-major [s, r]
    *out = Block{t, 0, s, r, s == 1 ? r : t.stride(1), true};
    return out->ld >= r;
  }
  return false;
}

// LibTorch's product: c = a b + beta c on views (any device and dtype).
void torch_gemm(torch::Tensor c, const torch::Tensor& a, const torch::Tensor& b, float beta) {
  if (beta == 0) {
    torch::mm_out(c, a, b);
  } else {
    c.addmm_(a, b);
  }
}

#ifdef NNN_HAVE_LIBXSMM
// libxsmm's kernel for row-major c [m, n] = op(a) [m, k] b [k, n] + beta c
// (a transposed: its memory is [k, m] with leading dimension lda), or false
// when it has none.
bool small_gemm_raw(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, bool a_transposed,
                    const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  static const bool initialised = [] {
    libxsmm_init();
    return true;
  }();
  (void)initialised;
  // Row-major C = A B is column-major C^T = B^T A^T: b's memory is B^T as
  // it stands, a's is A^T, or A itself when a is transposed (then libxsmm
  // transposes its second operand).
  const auto big = [](int64_t v) { return v > static_cast<int64_t>(1) << 30; };
  if (k <= 0 || big(m) || big(n) || big(k) || big(lda) || big(ldb) || big(ldc)) return false;
  const auto mi = static_cast<libxsmm_blasint>(n), ni = static_cast<libxsmm_blasint>(m),
             ki = static_cast<libxsmm_blasint>(k), ldai = static_cast<libxsmm_blasint>(ldb),
             ldbi = static_cast<libxsmm_blasint>(lda), ldci = static_cast<libxsmm_blasint>(ldc);
  const float alpha = 1.0f;
  const int flags = a_transposed ? LIBXSMM_GEMM_FLAG_TRANS_B : LIBXSMM_GEMM_FLAG_NONE;
  // libxsmm caches the kernels it generates: a dispatch is a lookup.
  const libxsmm_smmfunction kernel =
      libxsmm_smmdispatch(mi, ni, ki, &ldai, &ldbi, &ldci, &alpha, &beta, &flags, nullptr);
  if (kernel == nullptr) return false;
  kernel(b, a, c);
  return true;
}

// libxsmm's kernel for c = a b + beta c on CPU float blocks, or false when
// it has none (a transposed b or c, other devices or dtypes, shapes it
// declines).
bool small_gemm(const Block& c, const Block& a, const Block& b, float beta) {
  const auto cpu_float = [](const Block& x) {
    return x.base.is_cpu() && x.base.scalar_type() == torch::kFloat;
  };
  if (!small_kernels_on.load(std::memory_order_relaxed) || !cpu_float(c) || !cpu_float(a) ||
      !cpu_float(b) || c.transposed || b.transposed) {
    return false;
  }
  return small_gemm_raw(c.rows, c.cols, logical_cols(a), data_of(a), a.ld, a.transposed, data_of(b),
                        b.ld, beta, data_of(c), c.ld);
}
#endif

}  // namespace

void gemm_into(const torch::Tensor& c, const torch::Tensor& a, const torch::Tensor& b, float beta) {
  NNN_CHECK(c.dim() == 2 && a.dim() == 2 && b.dim() == 2 && a.size(1) == b.size(0) &&
                c.size(0) == a.size(0) && c.size(1) == b.size(1),
            "internal: gemm_into of ", a.sizes(), " by ", b.sizes(), " into ", c.sizes());
  Block bc, ba, bb;
  if (block_of(c, &bc) && block_of(a, &ba) && block_of(b, &bb)) {
    gemm_into(bc, ba, bb, beta);
    return;
  }
  NNN_CHECK(beta == 0 || beta == 1, "internal: gemm_into takes beta 0 or 1, not ", beta);
  if (c.numel() > 0) torch_gemm(c, a, b, beta);
}

torch::Tensor Block::view() const { return view_of(*this); }

Block Block::t() const {
  Block b = *this;
  b.transposed = !transposed;
  return b;
}

Block flat_block(const torch::Tensor& flat, int64_t offset, int64_t rows, int64_t cols) {
  NNN_CHECK(flat.is_contiguous() && offset >= 0 && rows >= 0 && cols >= 0 &&
                offset + rows * cols <= flat.numel(),
            "internal: a ", rows, "x", cols, " block from element ", offset, " of ", flat.sizes(),
            flat.is_contiguous() ? "" : " (not contiguous)");
  return Block{flat, offset, rows, cols, cols, false};
}

Block block(const torch::Tensor& matrix) {
  NNN_CHECK(matrix.dim() == 2, "internal: block of ", matrix.sizes());
  return flat_block(matrix, 0, matrix.size(0), matrix.size(1));
}

Block row_block(const torch::Tensor& matrix, int64_t first, int64_t count) {
  NNN_CHECK(matrix.dim() == 2 && first >= 0 && count >= 0 && first + count <= matrix.size(0),
            "internal: rows ", first, "+", count, " of ", matrix.sizes());
  return flat_block(matrix, first * matrix.size(1), count, matrix.size(1));
}

Block column_block(const torch::Tensor& matrix, int64_t first, int64_t count) {
  NNN_CHECK(matrix.dim() == 2 && matrix.is_contiguous() && first >= 0 && count >= 0 &&
                first + count <= matrix.size(1),
            "internal: columns ", first, "+", count, " of ", matrix.sizes());
  return Block{matrix, first, matrix.size(0), count, matrix.size(1), false};
}

Block stacked_block(const torch::Tensor& stack, int64_t k) {
  if (stack.dim() == 2 && k == 0) return block(stack);
  NNN_CHECK(stack.dim() == 3 && k >= 0 && k < stack.size(0), "internal: matrix ", k, " of ",
            stack.sizes());
  const int64_t size = stack.size(1) * stack.size(2);
  return flat_block(stack, k * size, stack.size(1), stack.size(2));
}

void gemm_into(const Block& c, const Block& a, const Block& b, float beta) {
  NNN_CHECK(logical_cols(a) == logical_rows(b) && logical_rows(c) == logical_rows(a) &&
                logical_cols(c) == logical_cols(b),
            "internal: gemm_into of blocks ", logical_rows(a), "x", logical_cols(a), " by ",
            logical_rows(b), "x", logical_cols(b), " into ", logical_rows(c), "x", logical_cols(c));
  NNN_CHECK(beta == 0 || beta == 1, "internal: gemm_into takes beta 0 or 1, not ", beta);
  if (c.rows == 0 || c.cols == 0) return;
#ifdef NNN_HAVE_LIBXSMM
  if (small_gemm(c, a, b, beta)) return;
#endif
  torch_gemm(view_of(c), view_of(a), view_of(b), beta);
}

namespace {

void check_in_place(const Block& b, const char* what) {
  NNN_CHECK(!b.transposed && b.offset >= 0 && b.cols <= b.ld &&
                (b.rows == 0 || b.offset + (b.rows - 1) * b.ld + b.cols <= b.base.numel()),
            "internal: ", what, " of a ", b.rows, "x", b.cols, " block (ld ", b.ld,
            b.transposed ? ", transposed)" : ")");
}

}  // namespace

void transpose_into(const Block& target, const Block& source) {
  check_in_place(target, "transpose_into");
  check_in_place(source, "transpose_into");
  NNN_CHECK(!source.transposed && target.rows == source.cols && target.cols == source.rows,
            "internal: transpose_into of ", source.rows, "x", source.cols, " into ", target.rows,
            "x", target.cols);
  if (!plain_cpu_floats({target.base, source.base})) {
    view_of(target).copy_(view_of(source).t());
    return;
  }
  const float* from = data_of(source);
  float* to = data_of(target);
  for (int64_t r = 0; r < source.rows; ++r) {
    for (int64_t c = 0; c < source.cols; ++c) to[c * target.ld + r] = from[r * source.ld + c];
  }
}

void zero_block(const Block& b) {
  check_in_place(b, "zero_block");
  if (!plain_cpu_floats({b.base})) {
    view_of(b).zero_();
    return;
  }
  float* to = data_of(b);
  for (int64_t r = 0; r < b.rows; ++r) std::fill(to + r * b.ld, to + r * b.ld + b.cols, 0.0f);
}

void add_block(const Block& target, const Block& source) {
  check_in_place(target, "add_block");
  check_in_place(source, "add_block");
  NNN_CHECK(!source.transposed && target.rows == source.rows && target.cols == source.cols,
            "internal: add_block of ", source.rows, "x", source.cols, " to ", target.rows, "x",
            target.cols);
  if (!plain_cpu_floats({target.base, source.base})) {
    view_of(target).add_(view_of(source));
    return;
  }
  const float* from = data_of(source);
  float* to = data_of(target);
  for (int64_t r = 0; r < target.rows; ++r) {
    for (int64_t c = 0; c < target.cols; ++c) to[r * target.ld + c] += from[r * source.ld + c];
  }
}

std::string gemm_backend() {
#ifdef NNN_HAVE_LIBXSMM
  if (small_kernels_on.load()) {
    return "libxsmm " + std::to_string(LIBXSMM_VERSION_MAJOR) + "." +
           std::to_string(LIBXSMM_VERSION_MINOR) + "." + std::to_string(LIBXSMM_VERSION_UPDATE);
  }
#endif
  return "LibTorch BLAS";
}

bool use_small_gemm_kernels(bool on) { return small_kernels_on.exchange(on); }

}  // namespace nnn
