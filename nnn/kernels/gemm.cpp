// gemm_into: libxsmm's JIT kernels on the CPU where nnn was built with
// libxsmm, LibTorch's mm otherwise.
#include "nnn/kernels/gemm.h"

#include <torch/torch.h>

#include <atomic>

#include "nnn/util/error.h"

#ifdef NNN_HAVE_LIBXSMM
#include <libxsmm.h>
#endif

namespace nnn {

namespace {

std::atomic<bool> small_kernels_on{true};

#ifdef NNN_HAVE_LIBXSMM
// A row-major operand in memory: its first element, leading dimension, and
// whether the view is the transpose of that row-major matrix.
struct Operand {
  const float* data = nullptr;
  int64_t ld = 0;
  bool transposed = false;
};

// `t` ([r, s]) read in place, or false when neither stride is 1.
bool operand(const torch::Tensor& t, Operand* out) {
  const int64_t r = t.size(0), s = t.size(1);
  out->data = t.data_ptr<float>();
  if (t.stride(1) == 1 || s == 1) {
    out->ld = r == 1 ? s : t.stride(0);
    out->transposed = false;
    return out->ld >= s;
  }
  if (t.stride(0) == 1 || r == 1) {
    out->ld = s == 1 ? r : t.stride(1);
    out->transposed = true;
    return out->ld >= r;
  }
  return false;
}

// libxsmm's kernel for c = a b + beta c, or false when it has none (a
// transposed b, shapes it declines).
bool small_gemm(const torch::Tensor& c, const torch::Tensor& a, const torch::Tensor& b,
                float beta) {
  static const bool initialised = [] {
    libxsmm_init();
    return true;
  }();
  (void)initialised;
  Operand pa, pb;
  const int64_t m = c.size(0), n = c.size(1), k = a.size(1);
  const int64_t ldc = m == 1 ? n : c.stride(0);
  if (!operand(a, &pa) || !operand(b, &pb) || pb.transposed || (c.stride(1) != 1 && n > 1) ||
      ldc < n) {
    return false;
  }
  // Row-major C = A B is column-major C^T = B^T A^T: b's memory is B^T as
  // it stands, a's is A^T, or A itself when a is a transposed view (then
  // libxsmm transposes its second operand).
  const auto big = [](int64_t v) { return v > static_cast<int64_t>(1) << 30; };
  if (big(m) || big(n) || big(k) || big(pa.ld) || big(pb.ld) || big(ldc)) return false;
  const auto mi = static_cast<libxsmm_blasint>(n), ni = static_cast<libxsmm_blasint>(m),
             ki = static_cast<libxsmm_blasint>(k), lda = static_cast<libxsmm_blasint>(pb.ld),
             ldb = static_cast<libxsmm_blasint>(pa.ld), ldci = static_cast<libxsmm_blasint>(ldc);
  const float alpha = 1.0f;
  const int flags = pa.transposed ? LIBXSMM_GEMM_FLAG_TRANS_B : LIBXSMM_GEMM_FLAG_NONE;
  // libxsmm caches the kernels it generates: a dispatch is a lookup.
  const libxsmm_smmfunction kernel =
      libxsmm_smmdispatch(mi, ni, ki, &lda, &ldb, &ldci, &alpha, &beta, &flags, nullptr);
  if (kernel == nullptr) return false;
  kernel(pb.data, pa.data, c.data_ptr<float>());
  return true;
}
#endif

}  // namespace

void gemm_into(const torch::Tensor& c, const torch::Tensor& a, const torch::Tensor& b, float beta) {
  NNN_CHECK(c.dim() == 2 && a.dim() == 2 && b.dim() == 2 && a.size(1) == b.size(0) &&
                c.size(0) == a.size(0) && c.size(1) == b.size(1),
            "internal: gemm_into of ", a.sizes(), " by ", b.sizes(), " into ", c.sizes());
  NNN_CHECK(beta == 0 || beta == 1, "internal: gemm_into takes beta 0 or 1, not ", beta);
  if (c.numel() == 0) return;
#ifdef NNN_HAVE_LIBXSMM
  if (small_kernels_on.load(std::memory_order_relaxed) && a.size(1) > 0 && c.is_cpu() &&
      a.is_cpu() && b.is_cpu() && c.scalar_type() == torch::kFloat &&
      a.scalar_type() == torch::kFloat && b.scalar_type() == torch::kFloat &&
      small_gemm(c, a, b, beta)) {
    return;
  }
#endif
  torch::Tensor out = c;
  if (beta == 0) {
    torch::mm_out(out, a, b);
  } else {
    out.addmm_(a, b);
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
