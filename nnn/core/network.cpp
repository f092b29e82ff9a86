// NNN: cell construction, routing tables and the unrolled forward pass.
//
// Per step, every cell reads the previous step's messages through one
// index_select on their concatenation; the x part of each input cell's first
// layer (x @ W1[:D_in] + b1) is computed once per distinct frame.
#include "nnn/core/network.h"

#include "nnn/core/error.h"

namespace nnn {

NNNImpl::NNNImpl(const NNNOptions& options_) : options(options_) { reset(); }

int64_t NNNImpl::hidden_size(int64_t cell) const {
  const auto& hidden = options.hidden();
  return hidden.size() == 1 ? hidden[0] : hidden[static_cast<size_t>(cell)];
}

void NNNImpl::reset() {
  const Wiring& wiring = options.wiring();
  const int64_t n = wiring.size();
  wiring.validate(options.input_size(), options.output_size(), options.steps());
  distance_ = wiring.distance();
  const auto& hidden = options.hidden();
  NNN_CHECK(hidden.size() == 1 || static_cast<int64_t>(hidden.size()) == n, "model.hidden has ",
            hidden.size(), " values but the wiring has ", n, " cells; give one value or ", n);
  for (size_t c = 0; c < hidden.size(); ++c) {
    NNN_CHECK(hidden[c] > 0, "model.hidden[", c, "] is ", hidden[c], "; need at least 1");
  }

  cell_list_ = register_module("cells", torch::nn::ModuleList());
  cells_.clear();
  for (int64_t c = 0; c < n; ++c) {
    auto cell_options = CellOptions(wiring.in_dim(c, options.input_size()), hidden_size(c),
                                    wiring.out_dim(c, options.output_size()))
                            .hidden_activation(options.hidden_activation())
                            .output_activation(options.output_activation());
    cells_.emplace_back(cell_options);
    cell_list_->push_back(cells_.back());  // named "cells.<c>"
  }

  // Global offset of each cell's message inside the concatenation [B, S].
  std::vector<int64_t> base(n + 1, 0);
  for (int64_t i = 0; i < n; ++i) base[i + 1] = base[i] + wiring.out_dim(i, options.output_size());
  gather_cpu_.assign(n, torch::Tensor());
  for (int64_t j = 0; j < n; ++j) {
    std::vector<int64_t> positions;
    for (int64_t i = 0; i < n; ++i) {
      const int64_t start = base[i] + wiring.send_offset(i, j, options.output_size());
      for (int64_t c = 0; c < wiring.channels(i, j); ++c) positions.push_back(start + c);
    }
    if (!positions.empty()) gather_cpu_[j] = torch::tensor(positions, torch::kLong);
  }
  gather_device_.clear();
  gather_on_.reset();
}

void NNNImpl::reset_parameters() {
  for (auto& cell : cells_) cell->reset_parameters();
}

void NNNImpl::pretty_print(std::ostream& stream) const {
  const Wiring& wiring = options.wiring();
  stream << "nnn::NNN(cells=" << wiring.size() << ", edges=" << wiring.edge_count()
         << ", input_size=" << options.input_size() << ", output_size=" << options.output_size()
         << ", steps=" << options.steps() << ", distance=" << distance_ << ")";
}

int64_t NNNImpl::parameter_count() const {
  int64_t count = 0;
  for (const auto& p : parameters()) count += p.numel();
  return count;
}

const std::vector<torch::Tensor>& NNNImpl::gather_indices(const torch::Device& device) {
  if (device.is_cpu()) return gather_cpu_;
  if (!gather_on_ || *gather_on_ != device) {
    gather_device_.clear();
    for (const auto& index : gather_cpu_) {
      gather_device_.push_back(index.defined() ? index.to(device) : index);
    }
    gather_on_ = device;
  }
  return gather_device_;
}

torch::Tensor NNNImpl::forward(const torch::Tensor& x, int64_t steps) {
  return unroll(x, steps, nullptr);
}

NNNTrace NNNImpl::trace(const torch::Tensor& x, int64_t steps) {
  std::vector<std::vector<torch::Tensor>> messages;
  NNNTrace result;
  result.predictions = unroll(x, steps, &messages);
  for (auto& per_cell : messages) result.messages.push_back(torch::stack(per_cell));
  return result;
}

torch::Tensor NNNImpl::unroll(const torch::Tensor& x, int64_t steps,
                              std::vector<std::vector<torch::Tensor>>* messages) {
  const Wiring& wiring = options.wiring();
  const int64_t n = wiring.size();
  const int64_t d_in = options.input_size();
  const int64_t d_out = options.output_size();
  if (steps < 0) steps = options.steps();
  NNN_CHECK(steps >= distance_ + 1, "NNN::forward: steps is ", steps, " but the output cell is ",
            distance_, " edges from the input; need at least ", distance_ + 1);
  NNN_CHECK(x.dim() == 2 || x.dim() == 3, "NNN::forward: x must be [B, D_in] or [F, B, D_in]; got ",
            x.sizes());
  NNN_CHECK(x.size(-1) == d_in, "NNN::forward: x has ", x.size(-1),
            " features in its last dimension but model.input_size is ", d_in);
  const auto frames = x.dim() == 3 ? x : x.unsqueeze(0);  // [F, B, D_in]
  const int64_t f = frames.size(0);
  const int64_t batch = frames.size(1);
  NNN_CHECK(f >= 1, "NNN::forward: x holds no frames");

  // x @ W1[:D_in] + b1 for every frame of every input cell, at once.
  std::vector<torch::Tensor> input_pre(n);  // [F, B, H]
  for (int64_t j : wiring.inputs()) {
    auto& c = cells_[j];
    const auto w1x = c->w1.narrow(0, 0, d_in);
    input_pre[j] = torch::addmm(c->b1, frames.reshape({f * batch, d_in}), w1x)
                       .view({f, batch, hidden_size(j)});
  }

  const auto& gather = gather_indices(x.device());
  std::vector<torch::Tensor> current(n);  // m_i(t-1): [B, out_dim(i)]; undefined = zeros
  std::vector<torch::Tensor> predictions;
  predictions.reserve(steps);
  if (messages) messages->assign(n, {});
  for (int64_t t = 1; t <= steps; ++t) {
    const int64_t frame = std::min(t, f) - 1;
    // m(0) = 0, so at t = 1 the message term vanishes and is skipped.
    torch::Tensor all;  // [B, S]
    if (t > 1) all = torch::cat(current, 1);
    std::vector<torch::Tensor> next(n);
    for (int64_t j = 0; j < n; ++j) {
      auto& c = cells_[j];
      const int64_t x_part = wiring.is_input(j) ? d_in : 0;
      torch::Tensor pre = wiring.is_input(j) ? input_pre[j][frame] : c->b1.expand({batch, -1});
      if (t > 1 && gather[j].defined()) {
        const auto w1m = c->w1.narrow(0, x_part, c->options.in_dim() - x_part);
        pre = torch::addmm(pre, all.index_select(1, gather[j]), w1m);
      }
      next[j] = c->finish(pre);
      if (messages) (*messages)[j].push_back(next[j]);
    }
    current = std::move(next);
    predictions.push_back(current[wiring.output()].narrow(1, 0, d_out));
  }
  return torch::stack(predictions);
}

}  // namespace nnn
