// A literal, slow implementation of NNN-SPEC for the tests: per edge, the
// channels are sliced out of the sender's message and concatenated in the
// spec's order. It computes offsets itself (not through Wiring's helpers) so
// that a mistake there cannot hide. The fast NNN must agree with it.
#pragma once

#include <torch/torch.h>

#include <vector>

#include "nnn/core/network.h"
#include "nnn/util/random.h"

namespace nnn::testing {

// A random wiring of 2 to 1 + `sizes` cells (drawn from `rng`) with a
// self-loop on cell 1 and, for more than 3 cells, two input cells (0, 3);
// the output is the last cell.
inline Wiring random_test_wiring(Rng& rng, uint64_t sizes, uint64_t seed) {
  const int64_t n = 2 + static_cast<int64_t>(rng.below(sizes));
  Matrix64 a = random_wiring(n, 0.4, 1 + static_cast<int64_t>(rng.below(3)), seed).adjacency();
  a[1][1] = 2;
  std::vector<int64_t> inputs = {0};
  if (n > 3) inputs.push_back(3);
  return Wiring(a, inputs, n - 1);
}

// x: [B, D_in] or [F, B, D_in] -> [T, B, D_out]
inline torch::Tensor reference_forward(NNN& model, const torch::Tensor& x, int64_t steps) {
  const Wiring& w = model->options.wiring();
  const int64_t n = w.size();
  const int64_t d_out = model->options.output_size();
  const auto frames = x.dim() == 3 ? x : x.unsqueeze(0);
  const int64_t batch = frames.size(1);
  std::vector<torch::Tensor> m(n);
  for (int64_t i = 0; i < n; ++i) {
    int64_t width = i == w.output() ? d_out : 0;
    for (int64_t j = 0; j < n; ++j) width += w.adjacency()[i][j];
    m[i] = torch::zeros({batch, width}, x.options());
  }
  std::vector<torch::Tensor> predictions;
  for (int64_t t = 1; t <= steps; ++t) {
    const auto x_t = frames[std::min(t, frames.size(0)) - 1];
    std::vector<torch::Tensor> next(n);
    for (int64_t j = 0; j < n; ++j) {
      std::vector<torch::Tensor> parts;
      if (w.is_input(j)) parts.push_back(x_t);
      for (int64_t i = 0; i < n; ++i) {
        const int64_t a = w.adjacency()[i][j];
        if (a == 0) continue;
        int64_t offset = i == w.output() ? d_out : 0;
        for (int64_t k = 0; k < j; ++k) offset += w.adjacency()[i][k];
        parts.push_back(m[i].slice(1, offset, offset + a));
      }
      next[j] = model->cell(j)->forward(torch::cat(parts, 1));
    }
    m = next;
    predictions.push_back(m[w.output()].slice(1, 0, d_out));
  }
  return torch::stack(predictions);
}

}  // namespace nnn::testing
