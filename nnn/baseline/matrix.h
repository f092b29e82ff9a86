// The from-scratch baseline's matrix: a row-major float array and a
// matrix-product kernel written here (cache-blocked, written so the compiler
// vectorises the inner loop; no BLAS). No LibTorch anywhere in nnn/baseline.
//
// Dimension key: M rows of the result, N its columns, K the shared dimension.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nnn::baseline {

class Matrix {
 public:
  Matrix() = default;
  Matrix(int64_t rows, int64_t cols, float fill = 0.0f);
  Matrix(int64_t rows, int64_t cols, std::vector<float> values);

  int64_t rows() const { return rows_; }
  int64_t cols() const { return cols_; }
  int64_t size() const { return rows_ * cols_; }
  float& operator()(int64_t r, int64_t c) { return data_[static_cast<size_t>(r * cols_ + c)]; }
  float operator()(int64_t r, int64_t c) const { return data_[static_cast<size_t>(r * cols_ + c)]; }
  float* data() { return data_.data(); }
  const float* data() const { return data_.data(); }
  const std::vector<float>& values() const { return data_; }

  /// Rows [first, first + count) as a new matrix.
  Matrix rows_slice(int64_t first, int64_t count) const;
  Matrix transposed() const;
  void fill(float value);

 private:
  int64_t rows_ = 0;
  int64_t cols_ = 0;
  std::vector<float> data_;
};

/// C = op(A) op(B) (+ C when accumulate), op = transpose when the flag is set.
/// A is [M, K] (or [K, M] transposed), B is [K, N] (or [N, K]).
void gemm(const Matrix& a, bool transpose_a, const Matrix& b, bool transpose_b, Matrix& c,
          bool accumulate = false);
/// The same product by the textbook triple loop, for tests.
Matrix naive_matmul(const Matrix& a, bool transpose_a, const Matrix& b, bool transpose_b);
/// A @ B.
Matrix matmul(const Matrix& a, const Matrix& b);

}  // namespace nnn::baseline
