// repeat_rows, gather_columns and copy_of: loops on CPU floats, LibTorch
// otherwise.
#include "nnn/kernels/rows.h"

#include <torch/torch.h>

#include <cmath>
#include <cstring>

#include "nnn/kernels/plain_floats.h"
#include "nnn/util/error.h"

namespace nnn {

torch::Tensor repeat_rows(const torch::Tensor& rows, int64_t times) {
  NNN_CHECK((rows.dim() == 2 || (rows.dim() == 3 && rows.size(1) == 1)) && times >= 0,
            "internal: repeat_rows of ", rows.sizes(), " x ", times);
  const int64_t n = rows.size(0), c = rows.size(-1);
  if (!plain_cpu_floats({rows})) {
    return rows.reshape({n, 1, c}).expand({n, times, c}).contiguous();
  }
  auto out = torch::empty({n, times, c}, rows.options());
  const float* from = rows.data_ptr<float>();
  float* to = out.data_ptr<float>();
  const auto bytes = static_cast<size_t>(c) * sizeof(float);
  for (int64_t k = 0; k < n; ++k) {
    for (int64_t b = 0; b < times; ++b) std::memcpy(to + (k * times + b) * c, from + k * c, bytes);
  }
  return out;
}

ColumnRuns column_runs(const std::vector<int64_t>& index, int64_t source_width) {
  ColumnRuns runs;
  runs.width = static_cast<int64_t>(index.size());
  runs.source_width = source_width;
  for (int64_t j = 0; j < runs.width; ++j) {
    const int64_t i = index[static_cast<size_t>(j)];
    NNN_CHECK(i >= 0 && i < source_width, "internal: column index ", i, " outside [0, ",
              source_width, ")");
    if (!runs.from.empty() && runs.from.back() + runs.length.back() == i) {
      ++runs.length.back();
    } else {
      runs.from.push_back(i);
      runs.to.push_back(j);
      runs.length.push_back(1);
    }
  }
  return runs;
}

torch::Tensor gather_columns(const torch::Tensor& source, const ColumnRuns& runs,
                             const torch::Tensor& device_index) {
  NNN_CHECK(source.dim() == 2, "internal: gather_columns of ", source.sizes());
  if (!plain_cpu_floats({source})) return source.index_select(1, device_index);
  auto out = torch::empty({source.size(0), runs.width}, source.options());
  gather_columns_into(out, source, runs, device_index);
  return out;
}

void gather_columns_into(const torch::Tensor& out, const torch::Tensor& source,
                         const ColumnRuns& runs, const torch::Tensor& device_index) {
  NNN_CHECK(source.dim() == 2 && source.size(1) == runs.source_width && out.dim() == 2 &&
                out.size(0) == source.size(0) && out.size(1) == runs.width && out.is_contiguous(),
            "internal: gather_columns of ", source.sizes(), " into ", out.sizes(),
            " with runs over ", runs.source_width, " columns");
  if (!plain_cpu_floats({source, out})) {
    out.copy_(source.index_select(1, device_index));
    return;
  }
  const int64_t rows = source.size(0), width = source.size(1), g = runs.width;
  const float* from = source.data_ptr<float>();
  float* to = out.data_ptr<float>();
  const size_t count = runs.from.size();
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = from + r * width;
    float* dst = to + r * g;
    for (size_t k = 0; k < count; ++k) {
      const float* a = row + runs.from[k];
      float* b = dst + runs.to[k];
      const int64_t n = runs.length[k];
      if (n >= 8) {
        std::memcpy(b, a, static_cast<size_t>(n) * sizeof(float));
      } else {
        for (int64_t e = 0; e < n; ++e) b[e] = a[e];
      }
    }
  }
}

torch::Tensor stack_columns(const std::vector<torch::Tensor>& sources, int64_t column,
                            int64_t count, int64_t from) {
  const auto n = static_cast<int64_t>(sources.size());
  NNN_CHECK(from >= 0 && from < n && column >= 0 && count >= 0, "internal: stack_columns ", column,
            "+", count, " from ", from, " of ", n);
  const torch::Tensor& first = sources[static_cast<size_t>(from)];  // the first one read
  NNN_CHECK(first.dim() == 2 && column + count <= first.size(1), "internal: stack_columns ", column,
            "+", count, " of ", first.sizes());
  const int64_t rows = first.size(0), width = first.size(1);
  auto out = torch::empty({n, rows, count}, first.options());
  if (from > 0) out.narrow(0, 0, from).fill_(NAN);
  for (int64_t k = from; k < n; ++k) {
    const torch::Tensor& source = sources[static_cast<size_t>(k)];
    NNN_CHECK(source.sizes() == first.sizes(), "internal: stack_columns of ", source.sizes(),
              " and ", first.sizes());
    if (!plain_cpu_floats({source})) {
      out.select(0, k).copy_(source.narrow(1, column, count));
      continue;
    }
    const float* from_row = source.data_ptr<float>() + column;
    float* to = out.data_ptr<float>() + k * rows * count;
    for (int64_t r = 0; r < rows; ++r) {
      std::memcpy(to + r * count, from_row + r * width, static_cast<size_t>(count) * sizeof(float));
    }
  }
  return out;
}

torch::Tensor copy_of(const torch::Tensor& source) {
  if (!plain_cpu_floats({source})) return source.clone(at::MemoryFormat::Contiguous);
  auto out = torch::empty(source.sizes(), source.options());
  std::memcpy(out.data_ptr<float>(), source.data_ptr<float>(),
              static_cast<size_t>(source.numel()) * sizeof(float));
  return out;
}

}  // namespace nnn
