// The hand-written backward through the unrolled steps (NNN::forward_backward):
// no autograd graph, a handful of operations per group and step, and the
// weight gradients as one product per weight over all steps. Autograd through
// NNN::forward stays the reference (tests hold the two equal) and the path
// for other cell types.
//
// Dimension key: T steps, F frames, B batch, S message buffer width, G
// gathered width (every channel every cell reads), per group n cells, M
// message inputs, H hidden, O out_dim; D_in input width.
#include "nnn/core/network.h"

#include <algorithm>

#include "nnn/util/error.h"

namespace nnn {

namespace {

// Rows of the step-major stacks [T * B, ...] (one cell) or [n, T * B, ...]
// (n cells): the concatenation of per-step tensors along the batch.
torch::Tensor over_steps(const std::vector<torch::Tensor>& per_step, bool grouped) {
  return torch::cat(per_step, grouped ? 1 : 0);
}

// a^T b over the batch rows: [R, K] x [R, L] -> [K, L], or batched.
torch::Tensor rows_product(const torch::Tensor& a, const torch::Tensor& b) {
  return a.dim() == 2 ? a.t().mm(b) : torch::bmm(a.transpose(1, 2), b);
}

}  // namespace

torch::Tensor NNNImpl::forward_backward(const torch::Tensor& x,
                                        const PredictionGradient& d_predictions,
                                        torch::Tensor* grad, int64_t steps,
                                        int64_t recompute_every) {
  NNN_CHECK(fast_,
            "the hand-written backward needs perceptron cells (the fast path); "
            "this model has other cell types or asks for the generic path");
  NNN_CHECK(grad != nullptr, "NNN::forward_backward: no gradient to write into");
  NNN_CHECK(recompute_every >= 0, "NNN::forward_backward: recompute_every is ", recompute_every,
            "; expected 0 (keep every step) or a segment length >= 1");
  if (steps < 0) steps = options.steps();
  torch::NoGradGuard no_grad;
  const auto frames = checked_frames(x, steps);  // [F, B, D_in]
  const int64_t f = frames.size(0);
  const int64_t batch = frames.size(1);
  const std::vector<GroupWeights> weights = group_weights(frames);
  // Keep every step's tape, or only the buffers m(t) and recompute each
  // segment of `recompute_every` steps from the buffer before it.
  const bool keep = recompute_every == 0 || recompute_every >= steps;
  Tape tape;
  std::vector<torch::Tensor> buffers;  // m(t): T x [B, S]
  buffers.reserve(static_cast<size_t>(steps));
  run_steps(weights, f, batch, 1, steps, torch::Tensor(), buffers, keep ? &tape : nullptr);

  const Wiring& wiring = options.wiring();
  const int64_t d_in = options.input_size();
  const int64_t d_out = options.output_size();
  const int64_t output_offset = message_offset_[wiring.output()];
  const torch::Tensor predictions =
      torch::stack(buffers).narrow(2, output_offset, d_out);  // [T, B, D_out]
  const torch::Tensor d_pred = d_predictions(predictions);
  NNN_CHECK(d_pred.sizes() == predictions.sizes(),
            "NNN::forward_backward: the loss gradient has shape ", d_pred.sizes(),
            " but the predictions have ", predictions.sizes());

  const int64_t width = buffers.front().size(1);
  const torch::Tensor& gather = gather_index(x.device());
  const torch::Tensor& scatter = scatter_index(x.device());
  const int64_t gathered_width = gather.numel();
  const size_t group_count = groups_.size();

  // Per group: where it starts in the buffer and in the gathered columns,
  // and its transposed weights, stacked when it has several cells.
  std::vector<int64_t> buffer_at(group_count), gathered_at(group_count);
  std::vector<torch::Tensor> w2t(group_count), w1mt(group_count);  // [O, H] / [H, M], or [n, ...]
  int64_t gathered_offset = 0;
  for (size_t g = 0; g < group_count; ++g) {
    const Group& group = groups_[g];
    buffer_at[g] = message_offset_[group.cells.front()];
    gathered_at[g] = gathered_offset;
    gathered_offset += split_sizes_[g];
    const bool one = group.cells.size() == 1;
    w2t[g] = one ? weights[g].w2.t() : weights[g].w2.transpose(1, 2);
    if (group.message_in > 0) w1mt[g] = one ? weights[g].w1m.t() : weights[g].w1m.transpose(1, 2);
  }

  // Gradient sums per group over the segments: [K, L] one cell, [n, K, L]
  // n cells; by_frame: dL/d(hidden pre-activation) summed per frame read,
  // [F, B, H] or [n, F, B, H] (input groups).
  struct Sums {
    torch::Tensor w1m, b1, w2, b2, by_frame;
  };
  std::vector<Sums> sums(group_count);
  const auto add = [](torch::Tensor& sum, const torch::Tensor& value) {
    sum = sum.defined() ? sum.add_(value) : value;
  };
  for (size_t g = 0; g < group_count; ++g) {
    const Group& group = groups_[g];
    const auto n = static_cast<int64_t>(group.cells.size());
    if (group.input) {
      sums[g].by_frame = n == 1 ? torch::zeros({f, batch, group.hidden}, predictions.options())
                                : torch::zeros({n, f, batch, group.hidden}, predictions.options());
    }
  }

  const Activation hidden_act = options.hidden_activation();
  const Activation output_act = options.output_activation();
  torch::Tensor d_buffer;  // dL/dm(t): [B, S]
  for (int64_t last = steps, first = 0; last >= 1; last = first - 1) {
    first = keep ? 1 : std::max<int64_t>(1, last - recompute_every + 1);
    if (!keep) {
      std::vector<torch::Tensor> again;  // the same m(t) as `buffers` holds
      run_steps(weights, f, batch, first, last, first > 1 ? buffers[first - 2] : torch::Tensor(),
                again, &tape);
    }
    // Backward through the segment in reverse step order. d_z[g][i]:
    // dL/d(output pre-activation) of step first + i ([B, O] or [n, B, O]);
    // d_pre[g][i]: dL/d(hidden pre-activation) ([B, H] or [n, B, H]).
    const auto span = static_cast<size_t>(last - first + 1);
    std::vector<std::vector<torch::Tensor>> d_z(group_count, std::vector<torch::Tensor>(span));
    std::vector<std::vector<torch::Tensor>> d_pre(group_count, std::vector<torch::Tensor>(span));
    for (int64_t t = last; t >= first; --t) {
      const auto i = static_cast<size_t>(t - first);
      const torch::Tensor& m = buffers[static_cast<size_t>(t - 1)];
      if (!d_buffer.defined()) d_buffer = torch::zeros({batch, width}, m.options());
      d_buffer.narrow(1, output_offset, d_out).add_(d_pred[t - 1]);
      const torch::Tensor d_out_pre = activation_backward(output_act, d_buffer, m);
      const bool reads = t > 1 && gathered_width > 0;
      // dL/d(gathered messages of step t): [B, G], and a zero column G for
      // the buffer positions no cell reads.
      torch::Tensor d_gathered;
      if (reads) {
        d_gathered = torch::empty({batch, gathered_width + 1}, d_out_pre.options());
        d_gathered.narrow(1, gathered_width, 1).zero_();
      }
      for (size_t g = 0; g < group_count; ++g) {
        const Group& group = groups_[g];
        const auto n = static_cast<int64_t>(group.cells.size());
        const torch::Tensor columns = d_out_pre.narrow(1, buffer_at[g], n * group.out);
        torch::Tensor d_hidden;
        if (n == 1) {
          d_z[g][i] = columns;  // [B, O]
          d_hidden = columns.mm(w2t[g]);
        } else {
          d_z[g][i] = columns.view({batch, n, group.out}).transpose(0, 1);  // [n, B, O]
          d_hidden = torch::bmm(d_z[g][i], w2t[g]);
        }
        const torch::Tensor& mask = tape.mask[i][g];
        if (mask.defined()) d_hidden.mul_(mask);
        d_pre[g][i] = activation_backward(hidden_act, d_hidden, tape.hidden[i][g]);
        if (group.input) {
          const int64_t frame = std::min(t, f) - 1;
          (n == 1 ? sums[g].by_frame[frame] : sums[g].by_frame.select(1, frame)).add_(d_pre[g][i]);
        }
        if (reads && group.message_in > 0) {
          torch::Tensor slot = d_gathered.narrow(1, gathered_at[g], n * group.message_in);
          if (n == 1) {
            torch::mm_out(slot, d_pre[g][i], w1mt[g]);
          } else {
            slot.view({batch, n, group.message_in})
                .copy_(torch::bmm(d_pre[g][i], w1mt[g]).transpose(0, 1));
          }
        }
      }
      // The gather's inverse: one index_select (an index_add_ over columns
      // would be one operation per channel).
      d_buffer = reads ? d_gathered.index_select(1, scatter) : torch::Tensor();
    }

    // The segment's weight gradients: one product per weight over its steps.
    const size_t reading = first > 1 ? 0 : 1;  // the first entry that read messages
    torch::Tensor gathered;                    // [(steps read) * B, G]
    if (span > reading && gathered_width > 0) {
      gathered = torch::cat(std::vector<torch::Tensor>(
          tape.gathered.begin() + static_cast<int64_t>(reading), tape.gathered.end()));
    }
    for (size_t g = 0; g < group_count; ++g) {
      const Group& group = groups_[g];
      const auto n = static_cast<int64_t>(group.cells.size());
      const bool grouped = n > 1;
      const int64_t row_dim = grouped ? 1 : 0;
      std::vector<torch::Tensor> hidden_in(span);  // what W2 multiplied
      for (size_t i = 0; i < span; ++i) {
        const torch::Tensor& mask = tape.mask[i][g];
        hidden_in[i] = mask.defined() ? tape.hidden[i][g] * mask : tape.hidden[i][g];
      }
      const torch::Tensor z = over_steps(d_z[g], grouped);      // [L B, O] / [n, L B, O]
      const torch::Tensor pre = over_steps(d_pre[g], grouped);  // [L B, H] / [n, L B, H]
      add(sums[g].w2, rows_product(over_steps(hidden_in, grouped), z));
      add(sums[g].b2, z.sum(row_dim));
      add(sums[g].b1, pre.sum(row_dim));
      if (gathered.defined() && group.message_in > 0) {
        torch::Tensor in = gathered.narrow(1, gathered_at[g], n * group.message_in);
        if (grouped) in = in.view({-1, n, group.message_in}).transpose(0, 1);
        const auto rows = static_cast<int64_t>(span - reading) * batch;
        add(sums[g].w1m,
            rows_product(in, pre.narrow(row_dim, static_cast<int64_t>(reading) * batch, rows)));
      }
    }
  }

  // Into the flat gradient: cell c's w1, b1, w2, b2 from parameter_base_[c].
  *grad = torch::zeros({parameter_count()}, predictions.options());
  const int64_t used_frames = std::min(f, steps);  // frame of step t: min(t, F)
  for (size_t g = 0; g < group_count; ++g) {
    const Group& group = groups_[g];
    const auto n = static_cast<int64_t>(group.cells.size());
    const bool grouped = n > 1;
    torch::Tensor d_w1x;  // input groups: [D_in, H] / [n, D_in, H]
    if (group.input) {
      const auto rows =
          grouped ? sums[g].by_frame.narrow(1, 0, used_frames).reshape({n, -1, group.hidden})
                  : sums[g].by_frame.narrow(0, 0, used_frames).reshape({-1, group.hidden});
      const auto inputs = frames.narrow(0, 0, used_frames).reshape({used_frames * batch, d_in});
      d_w1x = torch::matmul(inputs.t(), rows);
    }
    const int64_t x_part = group.input ? d_in : 0;
    const int64_t in_dim = x_part + group.message_in;
    for (int64_t k = 0; k < n; ++k) {
      const auto pick = [&](const torch::Tensor& t) { return grouped ? t[k] : t; };
      int64_t at = parameter_base_[group.cells[static_cast<size_t>(k)]];
      const torch::Tensor w1 =
          grad->narrow(0, at, in_dim * group.hidden).view({in_dim, group.hidden});
      if (group.input) w1.narrow(0, 0, x_part).copy_(pick(d_w1x));
      if (sums[g].w1m.defined()) w1.narrow(0, x_part, group.message_in).copy_(pick(sums[g].w1m));
      at += in_dim * group.hidden;
      grad->narrow(0, at, group.hidden).copy_(pick(sums[g].b1));
      at += group.hidden;
      grad->narrow(0, at, group.hidden * group.out)
          .view({group.hidden, group.out})
          .copy_(pick(sums[g].w2));
      at += group.hidden * group.out;
      grad->narrow(0, at, group.out).copy_(pick(sums[g].b2));
    }
  }
  return predictions;
}

}  // namespace nnn
