// Row copies of the direct paths, as plain loops on the CPU (float32,
// contiguous) and LibTorch operations elsewhere: at batch 32 a LibTorch
// operation's bookkeeping costs more than the copy it makes.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace nnn {

/// [n, times, C] from rows [n, C] (or [n, 1, C]): row k repeated `times`
/// times, contiguous.
torch::Tensor repeat_rows(const torch::Tensor& rows, int64_t times);

/// The source columns an index picks, as runs of consecutive columns.
struct ColumnRuns {
  std::vector<int64_t> from, to, length;  // per run: source start, destination start, count
  int64_t width = 0;                      // destination columns (the index's length)
  int64_t source_width = 0;               // source columns
};
/// `index` (every entry in [0, source_width), else nnn::Error) as runs.
ColumnRuns column_runs(const std::vector<int64_t>& index, int64_t source_width);

/// [R, G] from source [R, S]: out[:, j] = source[:, index[j]], copied run by
/// run; on other devices and dtypes source.index_select(1, device_index).
torch::Tensor gather_columns(const torch::Tensor& source, const ColumnRuns& runs,
                             const torch::Tensor& device_index);
/// The same into `out` ([R, G], contiguous, not overlapping source).
void gather_columns_into(const torch::Tensor& out, const torch::Tensor& source,
                         const ColumnRuns& runs, const torch::Tensor& device_index);

/// [n, R, count] from n sources [R, S]: columns column .. column + count of
/// each, contiguous; the first `from` matrices are NaN instead (their
/// sources are not read and may be undefined: steps that were not computed).
torch::Tensor stack_columns(const std::vector<torch::Tensor>& sources, int64_t column,
                            int64_t count, int64_t from = 0);

/// A contiguous copy of `source`.
torch::Tensor copy_of(const torch::Tensor& source);

}  // namespace nnn
