// NNN: cell construction, routing tables and the unrolled forward pass.
//
// Two fast paths, which tests hold equal to a literal implementation of the
// spec. Both keep the messages of a step in one buffer, hand every cell its
// inputs with one gather per step, run the output activation once over the
// whole buffer, compute the x part of each input cell's first layer
// (x @ W1[:D_in] + b1) once per frame, and skip the zero messages of step 1.
// - run_steps (under autograd): cells of equal shape as one group through
//   batched products (baddbmm).
// - run_steps_direct (no gradients: inference, and the hand-written
//   backward's forward): each cell's products through gemm_into (libxsmm)
//   straight into its columns of the next buffer; row copies and
//   vectorised loops instead of LibTorch operations where those cost more
//   than the work (nnn/kernels).
#include "nnn/core/network.h"

#include "nnn/core/dropout.h"
#include "nnn/kernels/gemm.h"
#include "nnn/kernels/rows.h"

#include <algorithm>

#include "nnn/util/error.h"

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

  const auto& types = options.cell_types();
  NNN_CHECK(types.size() == 1 || static_cast<int64_t>(types.size()) == n, "model.cell has ",
            types.size(), " values but the wiring has ", n, " cells; give one type or ", n);
  fast_ = !options.generic_path();
  cell_list_ = register_module("cells", torch::nn::ModuleList());
  for (int64_t c = 0; c < n; ++c) {
    const CellSpec spec =
        cell_spec(wiring, c, options.input_size(), options.output_size(), hidden_size(c),
                  options.hidden_activation(), options.output_activation());
    fast_ = fast_ && cell_type(c) == kPerceptronCell;
    cell_list_->push_back(make_cell(cell_type(c), spec));  // named "cells.<c>"
  }

  const double p = options.dropout();
  NNN_CHECK(p >= 0 && p < 1, "model.dropout is ", p, "; expected a probability in [0, 1)");
  NNN_CHECK(p == 0 || fast_,
            "model.dropout works on perceptron cells (the fast path); this "
            "model has other cell types or asks for the generic path");
  hidden_base_.assign(n, 0);
  for (int64_t c = 1; c < n; ++c) hidden_base_[c] = hidden_base_[c - 1] + hidden_size(c - 1);
  parameter_base_.assign(n, 0);
  for (int64_t c = 1; c < n; ++c) {
    int64_t count = 0;
    for (const auto& param : cell_module(c - 1)->parameters()) count += param.numel();
    parameter_base_[c] = parameter_base_[c - 1] + count;
  }

  // Group cells of equal shape, in order of first appearance.
  groups_.clear();
  for (int64_t c = 0; c < n; ++c) {
    Group key;
    key.input = wiring.is_input(c);
    key.message_in =
        wiring.in_dim(c, options.input_size()) - (key.input ? options.input_size() : 0);
    key.hidden = hidden_size(c);
    key.out = wiring.out_dim(c, options.output_size());
    auto same = [&](const Group& g) {
      return g.input == key.input && g.message_in == key.message_in && g.hidden == key.hidden &&
             g.out == key.out;
    };
    auto found = std::find_if(groups_.begin(), groups_.end(), same);
    if (found == groups_.end()) {
      groups_.push_back(key);
      found = groups_.end() - 1;
    }
    found->cells.push_back(c);
  }
  // The message buffer's layout, then every cell's gather positions.
  message_offset_.assign(n, 0);
  int64_t offset = 0;
  for (const Group& g : groups_) {
    for (int64_t c : g.cells) {
      message_offset_[c] = offset;
      offset += g.out;
    }
  }
  std::vector<int64_t> positions;
  for (Group& g : groups_) {
    for (int64_t j : g.cells) {
      for (int64_t i = 0; i < n; ++i) {
        const int64_t start = message_offset_[i] + wiring.send_offset(i, j, options.output_size());
        for (int64_t k = 0; k < wiring.channels(i, j); ++k) positions.push_back(start + k);
      }
    }
  }
  gather_cpu_ = torch::tensor(positions, torch::kLong);
  std::vector<int64_t> inverse(static_cast<size_t>(offset), static_cast<int64_t>(positions.size()));
  for (size_t k = 0; k < positions.size(); ++k) {
    auto& slot = inverse[static_cast<size_t>(positions[k])];
    NNN_CHECK(slot == static_cast<int64_t>(positions.size()), "internal: buffer position ",
              positions[k], " is read by two channels");
    slot = static_cast<int64_t>(k);
  }
  scatter_cpu_ = torch::tensor(inverse, torch::kLong);
  gather_runs_ = column_runs(positions, offset);
  scatter_runs_ = column_runs(inverse, static_cast<int64_t>(positions.size()) + 1);
  scatter_device_ = torch::Tensor();
  split_sizes_.clear();
  gathered_at_.clear();
  int64_t gathered_offset = 0;
  for (const Group& g : groups_) {
    split_sizes_.push_back(static_cast<int64_t>(g.cells.size()) * g.message_in);
    gathered_at_.push_back(gathered_offset);
    gathered_offset += split_sizes_.back();
  }
  gather_device_ = torch::Tensor();
  // The generic path's tables: per cell, its channels' buffer positions.
  cell_gather_.clear();
  for (int64_t j = 0; j < n; ++j) {
    std::vector<int64_t> cell_positions;
    for (int64_t i = 0; i < n; ++i) {
      const int64_t start = message_offset_[i] + wiring.send_offset(i, j, options.output_size());
      for (int64_t k = 0; k < wiring.channels(i, j); ++k) cell_positions.push_back(start + k);
    }
    cell_gather_.push_back(torch::tensor(cell_positions, torch::kLong));
  }
  buffer_order_.clear();
  for (const Group& g : groups_) {
    for (int64_t c : g.cells) buffer_order_.push_back(c);
  }
}

torch::Tensor NNNImpl::hidden_dropout(const Group& group, int64_t batch, int64_t step,
                                      const torch::TensorOptions& tensor_options) const {
  std::vector<int64_t> bases;
  for (int64_t c : group.cells) bases.push_back(hidden_base_[c]);
  return dropout_scale(batch, bases, group.hidden, step, options.dropout(), tensor_options);
}

const std::string& NNNImpl::cell_type(int64_t cell) const {
  const auto& types = options.cell_types();
  return types.size() == 1 ? types[0] : types[static_cast<size_t>(cell)];
}

std::shared_ptr<torch::nn::Module> NNNImpl::cell_module(int64_t i) const {
  return cell_list_->ptr(static_cast<size_t>(i));
}

void NNNImpl::reset_parameters() {
  for (int64_t c = 0; c < options.wiring().size(); ++c) as_cell(*cell_module(c)).reset_parameters();
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

Cell NNNImpl::cell(int64_t i) const {
  auto cell = std::dynamic_pointer_cast<CellImpl>(cell_module(i));
  NNN_CHECK(cell != nullptr, "cell ", i, " is a '", cell_type(i), "' cell, not a perceptron");
  return Cell(cell);
}

torch::Tensor NNNImpl::flat_parameters() {
  auto params = parameters();
  int64_t total = 0;
  for (const auto& p : params) total += p.numel();
  bool linked = flat_.defined() && flat_.numel() == total;
  int64_t offset = 0;
  for (const auto& p : params) {
    if (!linked) break;
    const auto* expected =
        static_cast<const char*>(flat_.data_ptr()) + offset * flat_.element_size();
    linked = p.device() == flat_.device() && p.scalar_type() == flat_.scalar_type() &&
             p.is_contiguous() && p.data_ptr() == expected;
    offset += p.numel();
  }
  if (!linked) {
    torch::NoGradGuard no_grad;
    flat_ = torch::empty({total}, params.front().options().requires_grad(false));
    offset = 0;
    for (auto& p : params) {
      auto slice = flat_.narrow(0, offset, p.numel());
      slice.copy_(p.reshape({-1}));
      p.set_data(slice.view(p.sizes()));
      offset += p.numel();
    }
  }
  return flat_;
}

const torch::Tensor& NNNImpl::gather_index(const torch::Device& device) {
  if (device.is_cpu()) return gather_cpu_;
  if (!gather_device_.defined() || gather_device_.device() != device) {
    gather_device_ = gather_cpu_.to(device);
  }
  return gather_device_;
}

const torch::Tensor& NNNImpl::scatter_index(const torch::Device& device) {
  if (device.is_cpu()) return scatter_cpu_;
  if (!scatter_device_.defined() || scatter_device_.device() != device) {
    scatter_device_ = scatter_cpu_.to(device);
  }
  return scatter_device_;
}

torch::Tensor NNNImpl::forward(const torch::Tensor& x, int64_t steps) {
  return unroll(x, steps, nullptr);
}

NNNTrace NNNImpl::trace(const torch::Tensor& x, int64_t steps) {
  std::vector<torch::Tensor> buffers;  // T x [B, S]
  NNNTrace result;
  result.predictions = unroll(x, steps, &buffers);
  const auto all = torch::stack(buffers);  // [T, B, S]
  const Wiring& wiring = options.wiring();
  for (int64_t c = 0; c < wiring.size(); ++c) {
    result.messages.push_back(
        all.narrow(2, message_offset_[c], wiring.out_dim(c, options.output_size())));
  }
  return result;
}

torch::Tensor NNNImpl::unroll(const torch::Tensor& x, int64_t steps,
                              std::vector<torch::Tensor>* messages) {
  if (steps < 0) steps = options.steps();
  const auto frames = checked_frames(x, steps);  // [F, B, D_in]
  if (!fast_) return unroll_generic(frames, steps, messages);
  std::vector<torch::Tensor> buffers;  // m(t) for t = 1..T: [B, S] each
  buffers.reserve(static_cast<size_t>(steps));
  if (torch::GradMode::is_enabled()) {
    run_steps(group_weights(frames), frames.size(0), frames.size(1), steps, buffers);
  } else {
    run_steps_direct(direct_weights(frames), frames.size(0), frames.size(1), 1, steps,
                     torch::Tensor(), buffers, nullptr);
  }
  // One slice of the stacked buffers rather than one per step.
  const auto all = torch::stack(buffers);  // [T, B, S]
  if (messages) *messages = std::move(buffers);
  return all.narrow(2, message_offset_[options.wiring().output()], options.output_size());
}

torch::Tensor NNNImpl::checked_frames(const torch::Tensor& x, int64_t steps) const {
  const int64_t d_in = options.input_size();
  NNN_CHECK(steps >= distance_ + 1, "NNN::forward: steps is ", steps, " but the output cell is ",
            distance_, " edges from the input; need at least ", distance_ + 1);
  NNN_CHECK(x.dim() == 2 || x.dim() == 3, "NNN::forward: x must be [B, D_in] or [F, B, D_in]; got ",
            x.sizes());
  NNN_CHECK(x.size(-1) == d_in, "NNN::forward: x has ", x.size(-1),
            " features in its last dimension but model.input_size is ", d_in);
  const auto frames = x.dim() == 3 ? x : x.unsqueeze(0);  // [F, B, D_in]
  NNN_CHECK(frames.size(0) >= 1, "NNN::forward: x holds no frames");
  return frames;
}

std::vector<NNNImpl::GroupWeights> NNNImpl::group_weights(const torch::Tensor& frames) const {
  const int64_t d_in = options.input_size();
  const int64_t f = frames.size(0);
  const int64_t batch = frames.size(1);
  const auto flat_frames = frames.reshape({f * batch, d_in});
  std::vector<GroupWeights> weights(groups_.size());
  for (size_t g = 0; g < groups_.size(); ++g) {
    const Group& group = groups_[g];
    const int64_t x_part = group.input ? d_in : 0;
    std::vector<torch::Tensor> w1m, b1, w2, b2, input;
    for (int64_t c : group.cells) {
      const Cell cell = this->cell(c);
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

void NNNImpl::run_steps(const std::vector<GroupWeights>& weights, int64_t frame_count,
                        int64_t batch, int64_t steps, std::vector<torch::Tensor>& buffers) {
  const torch::Tensor& gather = gather_index(weights.front().w2.device());
  const Activation hidden_act = options.hidden_activation();
  const bool dropout = is_training() && options.dropout() > 0;
  const auto hidden_of = [&](size_t g, const torch::Tensor& pre, int64_t t) {
    const torch::Tensor h = activate(hidden_act, pre);
    return dropout ? h * hidden_dropout(groups_[g], batch, t, h.options()) : h;
  };
  std::vector<torch::Tensor> outputs(groups_.size());
  torch::Tensor buffer;
  for (int64_t t = 1; t <= steps; ++t) {
    const int64_t frame = std::min(t, frame_count) - 1;
    // m(t-1) is undefined only at t = 1 (zero messages).
    const bool has_messages = t > 1 && gather.numel() > 0;
    // Each group's inputs as one split (not a slice per group, whose backward
    // would allocate the whole gathered width each).
    std::vector<torch::Tensor> inputs;
    if (has_messages) inputs = buffer.index_select(1, gather).split_with_sizes(split_sizes_, 1);
    for (size_t g = 0; g < groups_.size(); ++g) {
      const Group& group = groups_[g];
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
    buffer = activate(options.output_activation(),
                      outputs.size() == 1 ? outputs[0] : torch::cat(outputs, 1));
    buffers.push_back(buffer);
  }
}

NNNImpl::DirectWeights NNNImpl::direct_weights(const torch::Tensor& frames) const {
  const int64_t d_in = options.input_size();
  const int64_t f = frames.size(0);
  const int64_t batch = frames.size(1);
  DirectWeights weights;
  std::vector<torch::Tensor> b2;
  for (const Group& group : groups_) {
    DirectGroup w;
    const int64_t x_part = group.input ? d_in : 0;
    std::vector<torch::Tensor> b1;
    std::vector<Block> w1x;
    for (int64_t c : group.cells) {
      const Cell cell = this->cell(c);
      // Blocks read contiguous storage: the parameters' own (a copy only if
      // something made a parameter a strided view).
      const torch::Tensor w1 = cell->w1.contiguous();
      if (group.input) w1x.push_back(row_block(w1, 0, x_part));
      w.w1m.push_back(group.message_in > 0 ? row_block(w1, x_part, group.message_in) : Block());
      w.w2.push_back(block(cell->w2.contiguous()));
      b1.push_back(cell->b1);
      b2.push_back(cell->b2);
    }
    w.b1 = torch::stack(b1).unsqueeze(1);  // [n, 1, H]
    if (group.input) {
      const auto n = static_cast<int64_t>(group.cells.size());
      w.input = w.b1.expand({f, n, batch, group.hidden}).contiguous();
      const auto projections = w.input.view({f * n, batch, group.hidden});
      const auto inputs = frames.contiguous();
      for (int64_t frame = 0; frame < f; ++frame) {
        for (int64_t k = 0; k < n; ++k) {
          gemm_into(stacked_block(projections, frame * n + k), stacked_block(inputs, frame),
                    w1x[static_cast<size_t>(k)], 1);
        }
      }
    }
    weights.groups.push_back(std::move(w));
  }
  weights.b2 = torch::cat(b2).unsqueeze(0);  // cells in buffer order: groups, then cells
  return weights;
}

void NNNImpl::run_steps_direct(const DirectWeights& weights, int64_t frame_count, int64_t batch,
                               int64_t first, int64_t last, torch::Tensor buffer,
                               std::vector<torch::Tensor>& buffers, Tape* tape) {
  const torch::Tensor& gather = gather_index(weights.b2.device());
  const Activation hidden_act = options.hidden_activation();
  const bool dropout = is_training() && options.dropout() > 0;
  const auto span = static_cast<size_t>(last - first + 1);
  if (tape != nullptr) {
    tape->gathered.assign(span, torch::Tensor());
    tape->hidden.assign(span, std::vector<torch::Tensor>(groups_.size()));
    tape->mask.assign(span, std::vector<torch::Tensor>(groups_.size()));
    tape->dropped.assign(span, std::vector<torch::Tensor>(groups_.size()));
  }
  const int64_t width = weights.b2.size(1);
  for (int64_t t = first; t <= last; ++t) {
    const auto i = static_cast<size_t>(t - first);
    const int64_t frame = std::min(t, frame_count) - 1;
    // m(t-1) is undefined only at t = 1 (zero messages).
    const bool has_messages = t > 1 && gather.numel() > 0;
    torch::Tensor gathered;  // [B, G]
    if (has_messages) {
      gathered = gather_columns(buffer, gather_runs_, gather);
      if (tape != nullptr) tape->gathered[i] = gathered;
    }
    // Output pre-activations: b2, then each cell's h @ W2 into its columns.
    torch::Tensor next = repeat_rows(weights.b2, batch).view({batch, width});
    for (size_t g = 0; g < groups_.size(); ++g) {
      const Group& group = groups_[g];
      const DirectGroup& w = weights.groups[g];
      const auto n = static_cast<int64_t>(group.cells.size());
      const bool reads = has_messages && group.message_in > 0;
      torch::Tensor h =
          group.input ? copy_of(w.input.select(0, frame)) : repeat_rows(w.b1, batch);  // [n, B, H]
      if (reads) {
        for (int64_t k = 0; k < n; ++k) {
          gemm_into(
              stacked_block(h, k),
              column_block(gathered, gathered_at_[g] + k * group.message_in, group.message_in),
              w.w1m[static_cast<size_t>(k)], 1);
        }
      }
      h = activate_(hidden_act, h);  // [n, B, H]
      torch::Tensor product_in = h;
      if (dropout) {
        const torch::Tensor scale = hidden_dropout(group, batch, t, h.options());
        product_in = h * scale;
        if (tape != nullptr) {
          tape->mask[i][g] = scale;
          tape->dropped[i][g] = product_in;
        }
      }
      if (tape != nullptr) tape->hidden[i][g] = h;
      const int64_t at = message_offset_[group.cells.front()];
      for (int64_t k = 0; k < n; ++k) {
        gemm_into(column_block(next, at + k * group.out, group.out), stacked_block(product_in, k),
                  w.w2[static_cast<size_t>(k)], 1);
      }
    }
    buffer = activate_(options.output_activation(), next);
    buffers.push_back(buffer);
  }
}

// NNN-SPEC step by step: every cell reads x (input cells) and its channels
// from the previous step's buffer, and writes its message; zero messages at
// step 1. The buffer has the fast path's layout, so traces look the same.
torch::Tensor NNNImpl::unroll_generic(const torch::Tensor& frames, int64_t steps,
                                      std::vector<torch::Tensor>* messages) {
  const Wiring& wiring = options.wiring();
  const int64_t n = wiring.size();
  const int64_t f = frames.size(0);
  const int64_t batch = frames.size(1);
  int64_t width = 0;
  for (int64_t c = 0; c < n; ++c) width += wiring.out_dim(c, options.output_size());
  std::vector<torch::Tensor> gathers;
  for (const auto& index : cell_gather_) gathers.push_back(index.to(frames.device()));
  torch::Tensor buffer = torch::zeros({batch, width}, frames.options());  // m(0) = 0
  std::vector<torch::Tensor> buffers;
  buffers.reserve(static_cast<size_t>(steps));
  std::vector<torch::Tensor> outputs(static_cast<size_t>(n));
  for (int64_t t = 1; t <= steps; ++t) {
    const auto x = frames[std::min(t, f) - 1];  // [B, D_in]
    for (int64_t j = 0; j < n; ++j) {
      std::vector<torch::Tensor> parts;
      if (wiring.is_input(j)) parts.push_back(x);
      if (gathers[j].numel() > 0) parts.push_back(buffer.index_select(1, gathers[j]));
      const auto u = parts.size() == 1 ? parts[0] : torch::cat(parts, 1);  // [B, in_dim(j)]
      outputs[j] = as_cell(*cell_module(j)).forward(u);
      NNN_CHECK(outputs[j].dim() == 2 && outputs[j].size(0) == batch &&
                    outputs[j].size(1) == wiring.out_dim(j, options.output_size()),
                "cell ", j, " ('", cell_type(j), "') returned ", outputs[j].sizes(), "; expected [",
                batch, ", ", wiring.out_dim(j, options.output_size()), "]");
    }
    std::vector<torch::Tensor> ordered;
    for (int64_t c : buffer_order_) ordered.push_back(outputs[c]);
    buffer = torch::cat(ordered, 1);
    buffers.push_back(buffer);
  }
  const auto all = torch::stack(buffers);  // [T, B, S]
  if (messages) *messages = std::move(buffers);
  return all.narrow(2, message_offset_[wiring.output()], options.output_size());
}

}  // namespace nnn
