// DirectExecutor's forward: no graph; each cell's products through
// gemm_into (libxsmm) straight into its columns of the step's buffer; row
// copies and vectorised loops instead of LibTorch operations where those
// cost more than the work (nnn/kernels).
#include <algorithm>

#include "nnn/core/network_executors.h"
#include "nnn/util/error.h"

namespace nnn {

DirectExecutor::DirectExecutor(std::shared_ptr<const NetworkPlan> plan)
    : plan_(std::move(plan)),
      gather_(plan_->gather, plan_->width),
      scatter_(plan_->scatter, static_cast<int64_t>(plan_->gather.size()) + 1) {
  for (const NetworkPlan::Group& group : plan_->groups) {
    hidden_at_.push_back(hidden_total_);
    hidden_total_ += static_cast<int64_t>(group.cells.size()) * group.hidden;
  }
}

std::vector<torch::Tensor> DirectExecutor::parameters_of(const NNNImpl& network) {
  std::vector<torch::Tensor> parameters;
  for (int64_t c = 0; c < network.options.wiring().size(); ++c) {
    const Cell cell = network.cell(c);
    parameters.insert(parameters.end(), {cell->w1, cell->b1, cell->w2, cell->b2});
  }
  return parameters;
}

torch::Tensor DirectExecutor::saved_buffer(const torch::Tensor& saved, int64_t t,
                                           int64_t batch) const {
  return saved.select(0, t - 1).narrow(0, 0, batch * plan_->width).view({batch, plan_->width});
}

torch::Tensor DirectExecutor::saved_hidden(const torch::Tensor& saved, int64_t t, size_t g,
                                           int64_t batch) const {
  const NetworkPlan::Group& group = plan_->groups[g];
  const auto n = static_cast<int64_t>(group.cells.size());
  return saved.select(0, t - 1)
      .narrow(0, batch * (plan_->width + hidden_at_[g]), n * batch * group.hidden)
      .view({n, batch, group.hidden});
}

DirectExecutor::Weights DirectExecutor::weights(const std::vector<torch::Tensor>& parameters,
                                                const torch::Tensor& frames, bool project) const {
  const int64_t d_in = plan_->input_size;
  const int64_t f = frames.size(0);
  const int64_t batch = frames.size(1);
  Weights weights;
  std::vector<torch::Tensor> b2;
  for (const NetworkPlan::Group& group : plan_->groups) {
    Group w;
    const int64_t x_part = group.input ? d_in : 0;
    std::vector<torch::Tensor> b1;
    for (int64_t c : group.cells) {
      const auto at = static_cast<size_t>(4 * c);
      // Blocks read contiguous storage: the parameters' own (a copy only if
      // something made a parameter a strided view).
      const torch::Tensor w1 = parameters[at].contiguous();
      if (group.input) w.w1x.push_back(row_block(w1, 0, x_part));
      w.w1m.push_back(group.message_in > 0 ? row_block(w1, x_part, group.message_in) : Block());
      w.w2.push_back(block(parameters[at + 2].contiguous()));
      b1.push_back(parameters[at + 1]);
      b2.push_back(parameters[at + 3]);
    }
    w.b1 = torch::stack(b1).unsqueeze(1);  // [n, 1, H]
    if (group.input && project) {
      const auto n = static_cast<int64_t>(group.cells.size());
      w.input = w.b1.expand({f, n, batch, group.hidden}).contiguous();
      const auto projections = w.input.view({f * n, batch, group.hidden});
      const auto inputs = frames.contiguous();
      for (int64_t frame = 0; frame < f; ++frame) {
        for (int64_t k = 0; k < n; ++k) {
          gemm_into(stacked_block(projections, frame * n + k), stacked_block(inputs, frame),
                    w.w1x[static_cast<size_t>(k)], 1);
        }
      }
    }
    weights.groups.push_back(std::move(w));
  }
  weights.b2 = torch::cat(b2).unsqueeze(0);  // cells in buffer order: groups, then cells
  return weights;
}

void DirectExecutor::run(const NNNImpl& network, const torch::Tensor& frames, int64_t steps,
                         std::vector<torch::Tensor>& buffers) {
  run_steps(network, weights(parameters_of(network), frames), frames.size(0), frames.size(1), 1,
            steps, torch::Tensor(), buffers, nullptr);
}

void DirectExecutor::run_steps(const NNNImpl& network, const Weights& weights, int64_t frame_count,
                               int64_t batch, int64_t first, int64_t last, torch::Tensor buffer,
                               std::vector<torch::Tensor>& buffers, Tape* tape,
                               const std::vector<std::vector<uint8_t>>* needed) {
  const NetworkPlan& plan = *plan_;
  const torch::Tensor& gather = gather_.on(weights.b2.device());
  const Activation hidden_act = network.options.hidden_activation();
  const double dropout = network.is_training() ? network.options.dropout() : 0.0;
  const auto span = static_cast<size_t>(last - first + 1);
  if (tape != nullptr) {
    tape->gathered.assign(span, torch::Tensor());
    tape->hidden.assign(span, std::vector<torch::Tensor>(plan.groups.size()));
    tape->mask.assign(span, std::vector<torch::Tensor>(plan.groups.size()));
    tape->dropped.assign(span, std::vector<torch::Tensor>(plan.groups.size()));
  }
  const int64_t width = weights.b2.size(1);
  const bool saving = tape != nullptr && tape->saved.defined();
  NNN_CHECK(!saving || first == 1, "DirectExecutor: a saved forward runs steps 1..T");
  for (int64_t t = first; t <= last; ++t) {
    const auto i = static_cast<size_t>(t - first);
    const int64_t frame = std::min(t, frame_count) - 1;
    // m(t-1) is undefined only at t = 1 (zero messages).
    const bool has_messages = t > 1 && gather.numel() > 0;
    torch::Tensor gathered;  // [B, G]
    if (has_messages) {
      gathered = gather_columns(buffer, gather_.runs(), gather);
      if (tape != nullptr) tape->gathered[i] = gathered;
    }
    // Output pre-activations: b2, then each cell's h @ W2 into its columns.
    torch::Tensor next;
    if (saving) {
      next = saved_buffer(tape->saved, t, batch);
      next.copy_(weights.b2.expand_as(next));
    } else {
      next = repeat_rows(weights.b2, batch).view({batch, width});
    }
    const std::vector<uint8_t>* runs = needed ? &(*needed)[static_cast<size_t>(t - 1)] : nullptr;
    const auto skipped = [&](int64_t c) { return runs != nullptr && !(*runs)[c]; };
    for (size_t g = 0; g < plan.groups.size(); ++g) {
      const NetworkPlan::Group& group = plan.groups[g];
      const Group& w = weights.groups[g];
      const auto n = static_cast<int64_t>(group.cells.size());
      if (std::all_of(group.cells.begin(), group.cells.end(), skipped)) continue;
      const bool partial = std::any_of(group.cells.begin(), group.cells.end(), skipped);
      const bool reads = has_messages && group.message_in > 0;
      torch::Tensor h;  // [n, B, H]
      if (saving) {
        h = saved_hidden(tape->saved, t, g, batch);
        h.copy_(group.input ? w.input.select(0, frame) : w.b1.expand_as(h));
      } else {
        h = group.input ? copy_of(w.input.select(0, frame)) : repeat_rows(w.b1, batch);
      }
      if (reads) {
        for (int64_t k = 0; k < n; ++k) {
          if (skipped(group.cells[k])) continue;
          gemm_into(
              stacked_block(h, k),
              column_block(gathered, plan.gathered_at[g] + k * group.message_in, group.message_in),
              w.w1m[static_cast<size_t>(k)], 1);
        }
      }
      if (partial) {  // only the cells that run: each one's [B, H] block of the flat view
        const int64_t block = batch * group.hidden;
        for (int64_t k = 0; k < n; ++k) {
          if (!skipped(group.cells[k]))
            activate_columns_(hidden_act, h.view({1, -1}), k * block, block);
        }
      } else {
        h = activate_(hidden_act, h);  // [n, B, H]
      }
      torch::Tensor product_in = h;
      if (dropout > 0) {
        const torch::Tensor scale = group_dropout(plan, group, dropout, batch, t, h.options());
        product_in = h * scale;
        if (tape != nullptr) {
          tape->mask[i][g] = scale;
          tape->dropped[i][g] = product_in;
        }
      }
      if (tape != nullptr) tape->hidden[i][g] = h;
      const int64_t at = plan.message_offset[group.cells.front()];
      for (int64_t k = 0; k < n; ++k) {
        if (skipped(group.cells[k])) continue;
        gemm_into(column_block(next, at + k * group.out, group.out), stacked_block(product_in, k),
                  w.w2[static_cast<size_t>(k)], 1);
      }
    }
    if (runs == nullptr) {
      buffer = activate_(network.options.output_activation(), next);
    } else {  // the columns of the cells that ran
      for (const auto& [column, count] : plan.cell_columns(*runs)) {
        activate_columns_(network.options.output_activation(), next, column, count);
      }
      buffer = next;
    }
    buffers.push_back(buffer);
  }
}

}  // namespace nnn
