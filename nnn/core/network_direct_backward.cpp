// DirectExecutor's hand-written backward through the unrolled steps
// (NNN::forward_backward):
// no autograd graph; per group and step a handful of operations and, per
// cell, its products on libxsmm's small-matrix kernels (gemm_into), the
// weight gradients added straight into the flat gradient. Autograd through
// NNN::forward stays the reference (tests hold the two equal) and the path
// for other cell types.
//
// Dimension key: T steps, F frames, B batch, S message buffer width, G
// gathered width (every channel every cell reads), per group n cells, M
// message inputs, H hidden, O out_dim; D_in input width.
#include <algorithm>
#include <cmath>

#include "nnn/core/network_executors.h"
#include "nnn/util/error.h"

namespace nnn {

torch::Tensor DirectExecutor::forward_backward(const NNNImpl& network, const torch::Tensor& frames,
                                               const NNNImpl::PredictionGradient& d_predictions,
                                               torch::Tensor* grad, int64_t steps,
                                               int64_t recompute_every, int64_t loss_from_step) {
  const NetworkPlan& plan = *plan_;
  const int64_t f = frames.size(0);
  const int64_t batch = frames.size(1);
  const Weights weights = this->weights(parameters_of(network), frames);
  // Keep every step's tape, or only the buffers m(t) and recompute each
  // segment of `recompute_every` steps from the buffer before it.
  const bool keep = recompute_every == 0 || recompute_every >= steps;
  // Cells that cannot reach a prediction the loss reads are skipped both
  // ways: the gradient reaching them is zero.
  const bool prune = loss_from_step > 1;
  const std::vector<std::vector<uint8_t>> needed =
      prune ? plan.needed_cells(steps, loss_from_step) : std::vector<std::vector<uint8_t>>();
  const std::vector<std::vector<uint8_t>>* skip = prune ? &needed : nullptr;
  Tape tape;
  std::vector<torch::Tensor> buffers;  // m(t): T x [B, S]
  buffers.reserve(static_cast<size_t>(steps));
  run_steps(network, weights, f, batch, 1, steps, torch::Tensor(), buffers, keep ? &tape : nullptr,
            skip);

  const int64_t output_offset = plan.message_offset[plan.output];
  // [T, B, D_out]; NaN on the steps before the loss's when they were not computed.
  const torch::Tensor predictions =
      stack_columns(buffers, output_offset, plan.output_size, prune ? loss_from_step - 1 : 0);
  const torch::Tensor d_pred = d_predictions(predictions);
  NNN_CHECK(d_pred.sizes() == predictions.sizes(),
            "NNN::forward_backward: the loss gradient has shape ", d_pred.sizes(),
            " but the predictions have ", predictions.sizes());
  backward(network, weights, frames, buffers, keep ? &tape : nullptr, d_pred, steps,
           recompute_every, skip, grad, nullptr);
  return predictions;
}

torch::Tensor DirectExecutor::forward_saving(const NNNImpl& network,
                                             const std::vector<torch::Tensor>& parameters,
                                             const torch::Tensor& frames, int64_t steps,
                                             torch::Tensor* saved, int64_t from_step) {
  const NetworkPlan& plan = *plan_;
  const int64_t batch = frames.size(1);
  const Weights weights = this->weights(parameters, frames);
  const std::vector<std::vector<uint8_t>> needed =
      from_step > 1 ? plan.needed_cells(steps, from_step) : std::vector<std::vector<uint8_t>>();
  const std::vector<std::vector<uint8_t>>* skip = from_step > 1 ? &needed : nullptr;
  // With `saved`, each step's buffer m(t) is a view of its row.
  std::vector<torch::Tensor> buffers;
  buffers.reserve(static_cast<size_t>(steps));
  Tape tape;
  if (saved != nullptr) {
    // Skipped cells leave their hidden activations unwritten: zeros rather
    // than whatever the memory held (the saved tensor is an output).
    const std::vector<int64_t> shape = {steps, batch * saved_width()};
    tape.saved = from_step > 1 ? torch::zeros(shape, frames.options())
                               : torch::empty(shape, frames.options());
    *saved = tape.saved;
  }
  run_steps(network, weights, frames.size(0), batch, 1, steps, torch::Tensor(), buffers,
            saved != nullptr ? &tape : nullptr, skip);
  // Only the buffers m(from_step)..m(T) are read.
  return stack_columns(std::vector<torch::Tensor>(buffers.begin() + (from_step - 1), buffers.end()),
                       plan.message_offset[plan.output], plan.output_size);
}

torch::Tensor DirectExecutor::backward_saved(const NNNImpl& network,
                                             const std::vector<torch::Tensor>& parameters,
                                             const torch::Tensor& frames,
                                             const torch::Tensor& saved,
                                             const torch::Tensor& d_predictions, int64_t steps,
                                             torch::Tensor* d_frames, int64_t from_step) {
  const NetworkPlan& plan = *plan_;
  const int64_t batch = frames.size(1);
  const Weights weights = this->weights(parameters, frames, /*project=*/false);
  const std::vector<std::vector<uint8_t>> needed =
      from_step > 1 ? plan.needed_cells(steps, from_step) : std::vector<std::vector<uint8_t>>();
  // The tape as views of `saved`; the gathered messages again from m(t - 1).
  Tape tape;
  std::vector<torch::Tensor> buffers;
  const torch::Tensor& gather = gather_.on(frames.device());
  for (int64_t t = 1; t <= steps; ++t) {
    buffers.push_back(saved_buffer(saved, t, batch));
    tape.gathered.push_back(
        t > 1 && gather.numel() > 0
            ? gather_columns(buffers[static_cast<size_t>(t - 2)], gather_.runs(), gather)
            : torch::Tensor());
    std::vector<torch::Tensor> hidden;
    for (size_t g = 0; g < plan.groups.size(); ++g) {
      hidden.push_back(saved_hidden(saved, t, g, batch));
    }
    tape.hidden.push_back(std::move(hidden));
  }
  tape.mask.assign(static_cast<size_t>(steps), std::vector<torch::Tensor>(plan.groups.size()));
  tape.dropped = tape.mask;
  // The gradient of every step's prediction: zero before from_step.
  torch::Tensor d_pred = d_predictions;
  if (from_step > 1) {
    d_pred = torch::zeros({steps, batch, plan.output_size}, d_predictions.options());
    d_pred.narrow(0, from_step - 1, steps - from_step + 1).copy_(d_predictions);
  }
  torch::Tensor grad;
  backward(network, weights, frames, buffers, &tape, d_pred, steps, 0,
           from_step > 1 ? &needed : nullptr, &grad, d_frames);
  return grad;
}

void DirectExecutor::backward(const NNNImpl& network, const Weights& weights,
                              const torch::Tensor& frames,
                              const std::vector<torch::Tensor>& buffers, Tape* kept,
                              const torch::Tensor& d_pred, int64_t steps, int64_t recompute_every,
                              const std::vector<std::vector<uint8_t>>* skip, torch::Tensor* grad,
                              torch::Tensor* d_frames) {
  const NetworkPlan& plan = *plan_;
  const NNNOptions& options = network.options;
  const int64_t f = frames.size(0);
  const int64_t batch = frames.size(1);
  const bool keep = kept != nullptr;
  const bool prune = skip != nullptr;
  Tape recomputed;
  Tape& tape = keep ? *kept : recomputed;
  const int64_t d_in = plan.input_size;
  const int64_t d_out = plan.output_size;
  const int64_t output_offset = plan.message_offset[plan.output];
  const int64_t width = buffers.front().size(1);
  const torch::Tensor& scatter = scatter_.on(frames.device());
  const int64_t gathered_width = gather_.size();
  const size_t group_count = plan.groups.size();

  // Every product below writes or adds straight into the flat gradient:
  // cell c's w1 [x rows; message rows], b1, w2, b2 from plan.parameter_base[c],
  // as blocks per group and cell. The transposed weights of the backward's
  // products are copied once, into one tensor.
  *grad = torch::zeros({plan.parameter_count}, d_pred.options());
  const torch::Tensor d_step = d_pred.contiguous();  // [T, B, D_out], read as blocks
  int64_t transposed_size = 0;
  for (const NetworkPlan::Group& group : plan.groups) {
    transposed_size +=
        static_cast<int64_t>(group.cells.size()) * group.hidden * (group.message_in + group.out);
  }
  const torch::Tensor transposed = torch::empty({transposed_size}, d_pred.options());
  int64_t transposed_at = 0;
  const auto transposed_copy = [&](const Block& b) {
    const Block copy = flat_block(transposed, transposed_at, b.cols, b.rows);
    transposed_at += b.rows * b.cols;
    transpose_into(copy, b);
    return copy;
  };
  struct CellGrads {
    Block w1x, w1m, b1, w2, b2;  // [D_in, H], [M, H], [1, H], [H, O], [1, O]
    Block w1m_t, w2_t;           // the weights transposed: [H, M], [O, H]
  };
  std::vector<std::vector<CellGrads>> cells(group_count);
  // Input groups: dL/d(hidden pre-activation) summed per frame read
  // ([F, n, B, H]), multiplied by the frames once at the end.
  std::vector<torch::Tensor> by_frame(group_count);
  for (size_t g = 0; g < group_count; ++g) {
    const NetworkPlan::Group& group = plan.groups[g];
    const int64_t x_part = group.input ? d_in : 0;
    const int64_t in_dim = x_part + group.message_in;
    for (size_t k = 0; k < group.cells.size(); ++k) {
      CellGrads c;
      int64_t at = plan.parameter_base[group.cells[k]];
      if (group.input) c.w1x = flat_block(*grad, at, x_part, group.hidden);
      if (group.message_in > 0) {
        c.w1m = flat_block(*grad, at + x_part * group.hidden, group.message_in, group.hidden);
        const Block& w1m = weights.groups[g].w1m[k];
        c.w1m_t = transposed_copy(w1m);
      }
      at += in_dim * group.hidden;
      c.b1 = flat_block(*grad, at, 1, group.hidden);
      at += group.hidden;
      c.w2 = flat_block(*grad, at, group.hidden, group.out);
      at += group.hidden * group.out;
      c.b2 = flat_block(*grad, at, 1, group.out);
      c.w2_t = transposed_copy(weights.groups[g].w2[k]);
      cells[g].push_back(std::move(c));
    }
    if (group.input) {
      by_frame[g] = torch::zeros(
          {f * static_cast<int64_t>(group.cells.size()), batch, group.hidden}, d_pred.options());
    }
  }
  // Bias gradients as products with a row of ones: the sum over the batch.
  const Block ones = block(torch::ones({1, batch}, d_pred.options()));

  const Activation hidden_act = options.hidden_activation();
  const Activation output_act = options.output_activation();
  // One step's temporaries, reused by every step (each element is written
  // before it is read): dL/dm(t) [B, S]; dL/d(output pre-activations) [B, S];
  // dL/d(gathered messages) [B, G] and a zero column G for the buffer
  // positions no cell reads; per group dL/d(hidden) and dL/d(hidden
  // pre-activations) [n, B, H].
  const torch::TensorOptions temporary = buffers.front().options();
  const torch::Tensor d_buffer = torch::zeros({batch, width}, temporary);
  const torch::Tensor d_z = torch::empty({batch, width}, temporary);
  const torch::Tensor d_gathered = torch::empty({batch, gathered_width + 1}, temporary);
  zero_block(column_block(d_gathered, gathered_width, 1));
  std::vector<torch::Tensor> d_hidden_of(group_count), d_pre_of(group_count);
  for (size_t g = 0; g < group_count; ++g) {
    const NetworkPlan::Group& group = plan.groups[g];
    const std::vector<int64_t> shape = {static_cast<int64_t>(group.cells.size()), batch,
                                        group.hidden};
    d_hidden_of[g] = torch::empty(shape, temporary);
    d_pre_of[g] = torch::empty(shape, temporary);
  }
  for (int64_t last = steps, first = 0; last >= 1; last = first - 1) {
    first = keep ? 1 : std::max<int64_t>(1, last - recompute_every + 1);
    if (!keep) {
      std::vector<torch::Tensor> again;  // the same m(t) as `buffers` holds
      run_steps(network, weights, f, batch, first, last,
                first > 1 ? buffers[first - 2] : torch::Tensor(), again, &tape, skip);
    }
    // Backward through the segment in reverse step order.
    for (int64_t t = last; t >= first; --t) {
      const auto i = static_cast<size_t>(t - first);
      const torch::Tensor& m = buffers[static_cast<size_t>(t - 1)];
      add_block(column_block(d_buffer, output_offset, d_out), stacked_block(d_step, t - 1));
      // dL/d(output pre-activations) of step t: [B, S].
      const std::vector<uint8_t>* runs = prune ? &(*skip)[static_cast<size_t>(t - 1)] : nullptr;
      if (runs == nullptr) {
        activation_backward_into(output_act, d_buffer, m, d_z);
      } else {  // only the columns of the cells that ran: no other is read
        for (const auto& [column, count] : plan.cell_columns(*runs)) {
          activation_backward_columns(output_act, d_buffer, m, d_z, column, count);
        }
      }
      const bool reads = t > 1 && gathered_width > 0;
      const torch::Tensor& gathered = tape.gathered[i];
      const auto skipped = [&](int64_t c) { return runs != nullptr && !(*runs)[c]; };
      for (size_t g = 0; g < group_count; ++g) {
        const NetworkPlan::Group& group = plan.groups[g];
        const auto n = static_cast<int64_t>(group.cells.size());
        const int64_t at = plan.message_offset[group.cells.front()];
        // A skipped cell's message gets no gradient, so it passes none on.
        if (std::all_of(group.cells.begin(), group.cells.end(), skipped)) {
          if (reads && group.message_in > 0) {
            zero_block(column_block(d_gathered, plan.gathered_at[g], n * group.message_in));
          }
          continue;
        }
        const torch::Tensor& dropped = tape.dropped[i][g];
        const torch::Tensor& product_in = dropped.defined() ? dropped : tape.hidden[i][g];
        const torch::Tensor& d_hidden = d_hidden_of[g];
        for (int64_t k = 0; k < n; ++k) {
          if (skipped(group.cells[k])) continue;
          const CellGrads& c = cells[g][static_cast<size_t>(k)];
          const Block d_zk = column_block(d_z, at + k * group.out, group.out);  // [B, O]
          gemm_into(stacked_block(d_hidden, k), d_zk, c.w2_t, 0);
          gemm_into(c.w2, stacked_block(product_in, k).t(), d_zk, 1);
          gemm_into(c.b2, ones, d_zk, 1);
        }
        const torch::Tensor& mask = tape.mask[i][g];
        if (mask.defined()) d_hidden.mul_(mask);
        // dL/d(hidden pre-activations): [n, B, H].
        const bool partial = std::any_of(group.cells.begin(), group.cells.end(), skipped);
        const torch::Tensor& d_pre = d_pre_of[g];
        if (partial) {  // the cells that ran; the others' blocks zero (by_frame adds them)
          const int64_t block = batch * group.hidden;
          for (int64_t k = 0; k < n; ++k) {
            if (skipped(group.cells[k])) {
              zero_block(stacked_block(d_pre, k));
            } else {
              activation_backward_columns(hidden_act, d_hidden.view({1, -1}),
                                          tape.hidden[i][g].view({1, -1}), d_pre.view({1, -1}),
                                          k * block, block);
            }
          }
        } else {
          activation_backward_into(hidden_act, d_hidden, tape.hidden[i][g], d_pre);
        }
        if (group.input) {
          const int64_t rows = n * batch;
          add_block(flat_block(by_frame[g], (std::min(t, f) - 1) * rows * group.hidden, rows,
                               group.hidden),
                    flat_block(d_pre, 0, rows, group.hidden));
        }
        for (int64_t k = 0; k < n; ++k) {
          const int64_t column = plan.gathered_at[g] + k * group.message_in;
          if (skipped(group.cells[k])) {
            if (reads && group.message_in > 0) {
              zero_block(column_block(d_gathered, column, group.message_in));
            }
            continue;
          }
          const CellGrads& c = cells[g][static_cast<size_t>(k)];
          const Block d_prek = stacked_block(d_pre, k);
          gemm_into(c.b1, ones, d_prek, 1);
          if (reads && group.message_in > 0) {
            gemm_into(c.w1m, column_block(gathered, column, group.message_in).t(), d_prek, 1);
            gemm_into(column_block(d_gathered, column, group.message_in), d_prek, c.w1m_t, 0);
          }
        }
      }
      // dL/dm(t - 1): the gather's inverse, one index_select (an index_add_
      // over columns would be one operation per channel); zero when step t
      // reads no messages.
      if (reads) {
        gather_columns_into(d_buffer, d_gathered, scatter_.runs(), scatter);
      } else {
        zero_block(block(d_buffer));
      }
    }
  }

  // The x rows of input cells' W1 (and, when asked for, the frames'
  // gradient): one product per frame read (the frame of step t is
  // min(t, F)).
  const int64_t used_frames = std::min(f, steps);
  if (d_frames != nullptr) *d_frames = torch::zeros_like(frames);
  for (size_t g = 0; g < group_count; ++g) {
    if (!plan.groups[g].input) continue;
    const auto n = static_cast<int64_t>(cells[g].size());
    for (int64_t frame = 0; frame < used_frames; ++frame) {
      for (int64_t k = 0; k < n; ++k) {
        const Block d_pre = stacked_block(by_frame[g], frame * n + k);
        gemm_into(cells[g][static_cast<size_t>(k)].w1x, stacked_block(frames, frame).t(), d_pre, 1);
        if (d_frames != nullptr) {
          gemm_into(stacked_block(*d_frames, frame), d_pre,
                    weights.groups[g].w1x[static_cast<size_t>(k)].t(), 1);
        }
      }
    }
  }
}

}  // namespace nnn
