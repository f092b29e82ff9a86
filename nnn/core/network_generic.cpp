// GenericExecutor: NNN-SPEC step by step, cell by cell through
// CellContract::forward (any cell type): every cell reads x (input cells)
// and its channels from the previous step's buffer, and writes its
// message; zero messages at step 1. The buffer has the plan's layout, so
// traces look the same as the other executors'.
#include "nnn/core/network_executors.h"
#include "nnn/util/error.h"

namespace nnn {

GenericExecutor::GenericExecutor(std::shared_ptr<const NetworkPlan> plan) : plan_(std::move(plan)) {
  for (const auto& positions : plan_->cell_gather)
    cell_gather_.emplace_back(positions, plan_->width);
}

void GenericExecutor::run(const NNNImpl& network, const torch::Tensor& frames, int64_t steps,
                          std::vector<torch::Tensor>& buffers) {
  const Wiring& wiring = network.options.wiring();
  const int64_t n = wiring.size();
  const int64_t f = frames.size(0);
  const int64_t batch = frames.size(1);
  const int64_t d_out = plan_->output_size;
  std::vector<torch::Tensor> gathers;  // each cell's, on the frames' device (kept between passes)
  for (auto& index : cell_gather_) gathers.push_back(index.on(frames.device()));
  torch::Tensor buffer = torch::zeros({batch, plan_->width}, frames.options());  // m(0) = 0
  std::vector<torch::Tensor> outputs(static_cast<size_t>(n));
  for (int64_t t = 1; t <= steps; ++t) {
    const auto x = frames[std::min(t, f) - 1];  // [B, D_in]
    for (int64_t j = 0; j < n; ++j) {
      std::vector<torch::Tensor> parts;
      if (wiring.is_input(j)) parts.push_back(x);
      if (gathers[j].numel() > 0) parts.push_back(buffer.index_select(1, gathers[j]));
      const auto u = parts.size() == 1 ? parts[0] : torch::cat(parts, 1);  // [B, in_dim(j)]
      outputs[j] = as_cell(*network.cell_module(j)).forward(u);
      NNN_CHECK(outputs[j].dim() == 2 && outputs[j].size(0) == batch &&
                    outputs[j].size(1) == wiring.out_dim(j, d_out),
                "cell ", j, " ('", network.cell_type(j), "') returned ", outputs[j].sizes(),
                "; expected [", batch, ", ", wiring.out_dim(j, d_out), "]");
    }
    std::vector<torch::Tensor> ordered;
    for (int64_t c : plan_->buffer_order) ordered.push_back(outputs[c]);
    buffer = torch::cat(ordered, 1);
    buffers.push_back(buffer);
  }
}

}  // namespace nnn
