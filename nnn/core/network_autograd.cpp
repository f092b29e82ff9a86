// AutogradExecutor: the steps through operations autograd records, cells
// of equal shape as one group (batched products).
#include <algorithm>

#include "nnn/core/network_executors.h"
#include "nnn/util/error.h"

namespace nnn {

AutogradExecutor::AutogradExecutor(std::shared_ptr<const NetworkPlan> plan)
    : plan_(std::move(plan)), gather_(plan_->gather, plan_->width) {}

std::vector<AutogradExecutor::GroupWeights> AutogradExecutor::weights(
    const NNNImpl& network, const torch::Tensor& frames) const {
  const int64_t d_in = plan_->input_size;
  const int64_t f = frames.size(0);
  const int64_t batch = frames.size(1);
  const auto flat_frames = frames.reshape({f * batch, d_in});
  std::vector<GroupWeights> weights(plan_->groups.size());
  for (size_t g = 0; g < plan_->groups.size(); ++g) {
    const NetworkPlan::Group& group = plan_->groups[g];
    const int64_t x_part = group.input ? d_in : 0;
    std::vector<torch::Tensor> w1m, b1, w2, b2, input;
    for (int64_t c : group.cells) {
      const Cell cell = network.cell(c);
      // W1 = [x rows; message rows]: one split (its backward is one cat), or
      // W1 itself when the cell reads no x.
      torch::Tensor w1x;
      if (group.input && group.message_in > 0) {
        const auto parts = cell->w1.split_with_sizes({x_part, group.message_in});
        w1x = parts[0];
        w1m.push_back(parts[1]);
      } else if (group.input) {
        w1x = cell->w1;
      } else {
        w1m.push_back(cell->w1);
      }
      b1.push_back(cell->b1);
      w2.push_back(cell->w2);
      b2.push_back(cell->b2);
      if (group.input) {
        input.push_back(torch::addmm(cell->b1, flat_frames, w1x).view({f, batch, group.hidden}));
      }
    }
    GroupWeights& w = weights[g];
    if (group.cells.size() == 1) {
      w.w1m = group.message_in > 0 ? w1m[0] : torch::Tensor();
      w.b1 = b1[0];
      w.w2 = w2[0];
      w.b2 = b2[0];
      if (group.input) w.input = input[0];
    } else {
      w.w1m = group.message_in > 0 ? torch::stack(w1m) : torch::Tensor();
      w.b1 = torch::stack(b1).unsqueeze(1);
      w.w2 = torch::stack(w2);
      w.b2 = torch::stack(b2).unsqueeze(1);
      if (group.input) w.input = torch::stack(input, 1);
    }
  }
  return weights;
}

void AutogradExecutor::run(const NNNImpl& network, const torch::Tensor& frames, int64_t steps,
                           std::vector<torch::Tensor>& buffers) {
  const std::vector<GroupWeights> weights = this->weights(network, frames);
  const int64_t frame_count = frames.size(0);
  const int64_t batch = frames.size(1);
  const NetworkPlan& plan = *plan_;
  const torch::Tensor& gather = gather_.on(weights.front().w2.device());
  const Activation hidden_act = network.options.hidden_activation();
  const double dropout = network.is_training() ? network.options.dropout() : 0.0;
  const auto hidden_of = [&](size_t g, const torch::Tensor& pre, int64_t t) {
    const torch::Tensor h = activate(hidden_act, pre);
    return dropout > 0 ? h * group_dropout(plan, plan.groups[g], dropout, batch, t, h.options())
                       : h;
  };
  std::vector<torch::Tensor> outputs(plan.groups.size());
  torch::Tensor buffer;
  for (int64_t t = 1; t <= steps; ++t) {
    const int64_t frame = std::min(t, frame_count) - 1;
    // m(t-1) is undefined only at t = 1 (zero messages).
    const bool has_messages = t > 1 && gather.numel() > 0;
    // Each group's inputs as one split (not a slice per group, whose backward
    // would allocate the whole gathered width each).
    std::vector<torch::Tensor> inputs;
    if (has_messages) inputs = buffer.index_select(1, gather).split_with_sizes(plan.split_sizes, 1);
    for (size_t g = 0; g < plan.groups.size(); ++g) {
      const NetworkPlan::Group& group = plan.groups[g];
      const GroupWeights& w = weights[g];
      const auto n = static_cast<int64_t>(group.cells.size());
      const bool reads = has_messages && group.message_in > 0;
      torch::Tensor pre;  // one cell: [B, H]; n cells: [n, B, H]
      const torch::Tensor base = group.input ? w.input[frame] : w.b1;
      if (n == 1) {
        if (reads) {
          pre = torch::addmm(base, inputs[g], w.w1m);
        } else {
          pre = group.input ? base : base.expand({batch, group.hidden});
        }
        outputs[g] = torch::addmm(w.b2, hidden_of(g, pre, t), w.w2);  // [B, O]
      } else {
        if (reads) {
          const auto in =
              inputs[g].view({batch, n, group.message_in}).transpose(0, 1);  // [n, B, M]
          pre = torch::baddbmm(base, in, w.w1m);
        } else {
          pre = base.expand({n, batch, group.hidden});
        }
        outputs[g] = torch::baddbmm(w.b2, hidden_of(g, pre, t), w.w2)  // [n, B, O]
                         .transpose(0, 1)
                         .reshape({batch, n * group.out});
      }
    }
    buffer = activate(network.options.output_activation(),
                      outputs.size() == 1 ? outputs[0] : torch::cat(outputs, 1));
    buffers.push_back(buffer);
  }
}

}  // namespace nnn
