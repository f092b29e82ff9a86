// Matrix storage and the blocked product. The kernel packs nothing: C is
// computed in tiles of 4 rows x W columns held in local accumulators across
// a block of the shared dimension (the compiler keeps them in vector
// registers and vectorises the W-wide loop), so each element of B loaded
// serves four rows and C is read and written once per block. Blocks of K
// keep the touched rows of B in cache. Transposed operands are copied once
// into row-major order first (cheap next to the product).
#include "nnn/baseline/matrix.h"

#include <algorithm>
#include <cstring>

#include "nnn/util/error.h"

namespace nnn::baseline {

namespace {
constexpr int64_t kBlockK = 256;  // shared dimension per block: kBlockK rows of B stay in cache

// 16 floats as one value: GCC and Clang map it onto whatever vector
// registers the target has (one AVX-512 register, two AVX ones, ...).
typedef float Vec16 __attribute__((vector_size(64)));

inline Vec16 load16(const float* p) {
  Vec16 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void add_store16(float* p, Vec16 v) {
  Vec16 old;
  std::memcpy(&old, p, sizeof old);
  old += v;
  std::memcpy(p, &old, sizeof old);
}

// C[i:i+R, j:j+16V] += A[i:i+R, p0:p1] B[p0:p1, j:j+16V], the R x V
// accumulators living in registers for the whole block of the shared dimension.
template <int R, int V>
inline void tile(const float* a, const float* b, float* c, int64_t i, int64_t j, int64_t p0,
                 int64_t p1, int64_t k, int64_t n) {
  Vec16 acc[R][V] = {};
  for (int64_t p = p0; p < p1; ++p) {
    Vec16 bv[V];
    for (int v = 0; v < V; ++v) bv[v] = load16(b + p * n + j + 16 * v);
    for (int r = 0; r < R; ++r) {
      const float av = a[(i + r) * k + p];
      for (int v = 0; v < V; ++v) acc[r][v] += av * bv[v];
    }
  }
  for (int r = 0; r < R; ++r) {
    for (int v = 0; v < V; ++v) add_store16(c + (i + r) * n + j + 16 * v, acc[r][v]);
  }
}

// All 16-wide column tiles of C += A B (B and C with row stride n).
inline void tiles(const float* a, const float* b, float* c, int64_t m, int64_t k, int64_t n,
                  int64_t columns) {
  for (int64_t p0 = 0; p0 < k; p0 += kBlockK) {
    const int64_t p1 = std::min(k, p0 + kBlockK);
    int64_t i = 0;
    for (; i + 4 <= m; i += 4) {
      int64_t j = 0;
      for (; j + 32 <= columns; j += 32) tile<4, 2>(a, b, c, i, j, p0, p1, k, n);
      for (; j + 16 <= columns; j += 16) tile<4, 1>(a, b, c, i, j, p0, p1, k, n);
    }
    for (; i < m; ++i) {
      for (int64_t j = 0; j + 16 <= columns; j += 16) tile<1, 1>(a, b, c, i, j, p0, p1, k, n);
    }
  }
}

void check(bool ok, const std::string& message) {
  if (!ok) throw Error("baseline: " + message);
}
}  // namespace

Matrix::Matrix(int64_t rows, int64_t cols, float fill)
    : rows_(rows), cols_(cols), data_(static_cast<size_t>(rows * cols), fill) {
  check(rows >= 0 && cols >= 0, "matrix dims must be >= 0");
}

Matrix::Matrix(int64_t rows, int64_t cols, std::vector<float> values)
    : rows_(rows), cols_(cols), data_(std::move(values)) {
  check(static_cast<int64_t>(data_.size()) == rows * cols,
        "matrix of " + std::to_string(rows) + "x" + std::to_string(cols) + " given " +
            std::to_string(data_.size()) + " values");
}

Matrix Matrix::rows_slice(int64_t first, int64_t count) const {
  check(first >= 0 && count >= 0 && first + count <= rows_, "row slice out of range");
  return Matrix(
      count, cols_,
      std::vector<float>(data_.begin() + first * cols_, data_.begin() + (first + count) * cols_));
}

Matrix Matrix::transposed() const {
  Matrix t(cols_, rows_);
  for (int64_t r = 0; r < rows_; ++r) {
    for (int64_t c = 0; c < cols_; ++c) t(c, r) = (*this)(r, c);
  }
  return t;
}

void Matrix::fill(float value) { std::fill(data_.begin(), data_.end(), value); }

void gemm(const Matrix& a_in, bool transpose_a, const Matrix& b_in, bool transpose_b, Matrix& c,
          bool accumulate) {
  const Matrix a_t = transpose_a ? a_in.transposed() : Matrix();
  const Matrix b_t = transpose_b ? b_in.transposed() : Matrix();
  const Matrix& a = transpose_a ? a_t : a_in;
  const Matrix& b = transpose_b ? b_t : b_in;
  const int64_t m = a.rows(), k = a.cols(), n = b.cols();
  check(b.rows() == k, "matmul of [" + std::to_string(m) + ", " + std::to_string(k) + "] and [" +
                           std::to_string(b.rows()) + ", " + std::to_string(n) + "]");
  if (c.rows() != m || c.cols() != n) {
    check(!accumulate, "accumulating into a result of the wrong shape");
    c = Matrix(m, n);
  } else if (!accumulate) {
    c.fill(0.0f);
  }
  const int64_t full = n - n % 16;
  tiles(a.data(), b.data(), c.data(), m, k, n, full);
  if (full < n) {
    // The last n % 16 columns: zero-padded to one 16-wide tile.
    const int64_t rest = n - full;
    std::vector<float> b_pad(static_cast<size_t>(k * 16), 0.0f),
        c_pad(static_cast<size_t>(m * 16), 0.0f);
    for (int64_t p = 0; p < k; ++p) {
      std::memcpy(&b_pad[static_cast<size_t>(p * 16)], b.data() + p * n + full,
                  sizeof(float) * rest);
    }
    tiles(a.data(), b_pad.data(), c_pad.data(), m, k, 16, 16);
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < rest; ++j) c(i, full + j) += c_pad[static_cast<size_t>(i * 16 + j)];
    }
  }
}

Matrix naive_matmul(const Matrix& a, bool transpose_a, const Matrix& b, bool transpose_b) {
  const int64_t m = transpose_a ? a.cols() : a.rows();
  const int64_t k = transpose_a ? a.rows() : a.cols();
  const int64_t n = transpose_b ? b.rows() : b.cols();
  Matrix c(m, n);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double sum = 0.0;
      for (int64_t p = 0; p < k; ++p) {
        sum += static_cast<double>(transpose_a ? a(p, i) : a(i, p)) *
               static_cast<double>(transpose_b ? b(j, p) : b(p, j));
      }
      c(i, j) = static_cast<float>(sum);
    }
  }
  return c;
}

Matrix matmul(const Matrix& a, const Matrix& b) {
  Matrix c;
  gemm(a, false, b, false, c);
  return c;
}

}  // namespace nnn::baseline
