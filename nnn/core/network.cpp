// NNN: cell construction, its plan (nnn/core/network_plan.h), and the
// choice of executor for each pass (nnn/core/network_executors.h).
#include "nnn/core/network.h"

#include <algorithm>

#include "nnn/core/network_executors.h"
#include "nnn/core/network_plan.h"
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
  std::vector<int64_t> hidden_sizes, parameters;
  for (int64_t c = 0; c < n; ++c) {
    hidden_sizes.push_back(hidden_size(c));
    int64_t count = 0;
    for (const auto& param : cell_module(c)->parameters()) count += param.numel();
    parameters.push_back(count);
  }
  plan_ = std::make_shared<const NetworkPlan>(NetworkPlan::build(
      wiring, options.input_size(), options.output_size(), hidden_sizes, parameters));
  autograd_ = std::make_shared<AutogradExecutor>(plan_);
  direct_ = std::make_shared<DirectExecutor>(plan_);
  generic_ = std::make_shared<GenericExecutor>(plan_);
}

int64_t NNNImpl::distance() const { return plan_->distance; }

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
         << ", steps=" << options.steps() << ", distance=" << distance() << ")";
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

Execution NNNImpl::execution(const ForwardOptions& run) const {
  if (run.lesion != nullptr && !run.lesion->empty()) {
    NNN_CHECK(run.execution == Execution::kAuto || run.execution == Execution::kGeneric,
              "NNN::forward: a lesion runs on the generic path (Execution::kGeneric or kAuto)");
    return Execution::kGeneric;
  }
  switch (run.execution) {
    case Execution::kAuto:
      if (!fast_) return Execution::kGeneric;
      return torch::GradMode::is_enabled() ? Execution::kAutograd : Execution::kDirect;
    case Execution::kAutograd:
    case Execution::kDirect:
      NNN_CHECK(fast_, "NNN::forward: the ",
                run.execution == Execution::kDirect ? "direct" : "autograd",
                " executor runs perceptron cells only; this model has other cell types or asks "
                "for the generic path (use Execution::kGeneric or kAuto)");
      NNN_CHECK(run.execution == Execution::kAutograd || !torch::GradMode::is_enabled(),
                "NNN::forward: the direct executor records no gradients; run it under "
                "torch::NoGradGuard, or use Execution::kAutograd");
      return run.execution;
    case Execution::kGeneric:
      return Execution::kGeneric;
  }
  return Execution::kGeneric;
}

torch::Tensor NNNImpl::forward(const torch::Tensor& x, const ForwardOptions& run) {
  return unroll(x, run, nullptr);
}

NNNTrace NNNImpl::trace(const torch::Tensor& x, const ForwardOptions& run) {
  std::vector<torch::Tensor> buffers;  // T x [B, S]
  NNNTrace result;
  result.predictions = unroll(x, run, &buffers);
  const auto all = torch::stack(buffers);  // [T, B, S]
  const Wiring& wiring = options.wiring();
  for (int64_t c = 0; c < wiring.size(); ++c) {
    result.messages.push_back(
        all.narrow(2, plan_->message_offset[c], wiring.out_dim(c, options.output_size())));
  }
  return result;
}

torch::Tensor NNNImpl::unroll(const torch::Tensor& x, const ForwardOptions& run,
                              std::vector<torch::Tensor>* messages) {
  const int64_t steps = run.steps < 0 ? options.steps() : run.steps;
  const auto frames = checked_frames(x, steps);  // [F, B, D_in]
  std::vector<torch::Tensor> buffers;            // m(t) for t = 1..T: [B, S] each
  buffers.reserve(static_cast<size_t>(steps));
  switch (execution(run)) {
    case Execution::kAutograd:
      autograd_->run(*this, frames, steps, buffers);
      break;
    case Execution::kDirect:
      direct_->run(*this, frames, steps, buffers);
      break;
    default:
      generic_->run(*this, frames, steps, buffers, run.lesion);
      break;
  }
  // One slice of the stacked buffers rather than one per step.
  const auto all = torch::stack(buffers);  // [T, B, S]
  if (messages) *messages = std::move(buffers);
  return all.narrow(2, plan_->message_offset[plan_->output], options.output_size());
}

torch::Tensor NNNImpl::forward_backward(const torch::Tensor& x,
                                        const PredictionGradient& d_predictions,
                                        torch::Tensor* grad, const BackwardOptions& run) {
  NNN_CHECK(fast_,
            "the hand-written backward needs perceptron cells (the fast path); "
            "this model has other cell types or asks for the generic path");
  NNN_CHECK(grad != nullptr, "NNN::forward_backward: no gradient to write into");
  NNN_CHECK(run.recompute_every >= 0, "NNN::forward_backward: recompute_every is ",
            run.recompute_every, "; expected 0 (keep every step) or a segment length >= 1");
  const int64_t steps = run.steps < 0 ? options.steps() : run.steps;
  torch::NoGradGuard no_grad;
  const auto frames = checked_frames(x, steps).contiguous();  // [F, B, D_in]
  NNN_CHECK(run.loss_from_step <= steps, "NNN::forward_backward: loss_from_step is ",
            run.loss_from_step, " but the network runs ", steps, " steps");
  return direct_->forward_backward(*this, frames, d_predictions, grad, steps, run.recompute_every,
                                   run.loss_from_step);
}

int64_t NNNImpl::saved_width() const { return direct_->saved_width(); }

void NNNImpl::check_parameters(const std::vector<torch::Tensor>& parameters, const torch::Tensor& x,
                               int64_t steps, int64_t from_step, const char* caller) const {
  NNN_CHECK(fast_, caller,
            ": the hand-written path needs perceptron cells (the fast path); this model has "
            "other cell types or asks for the generic path");
  NNN_CHECK(options.dropout() == 0 || !is_training(), caller,
            ": dropout is not supported here; set dropout 0 or evaluate (eval())");
  const int64_t n = options.wiring().size();
  NNN_CHECK(static_cast<int64_t>(parameters.size()) == 4 * n, caller, ": got ", parameters.size(),
            " parameter tensors; this network of ", n, " cells has ", 4 * n,
            " (w1, b1, w2, b2 per cell)");
  static const char* const names[] = {"w1", "b1", "w2", "b2"};
  for (int64_t c = 0; c < n; ++c) {
    const Cell own = cell(c);
    const torch::Tensor expected[] = {own->w1, own->b1, own->w2, own->b2};
    for (int64_t k = 0; k < 4; ++k) {
      const torch::Tensor& p = parameters[static_cast<size_t>(4 * c + k)];
      NNN_CHECK(p.defined(), caller, ": cells.", c, ".", names[k], " is undefined");
      NNN_CHECK(p.sizes() == expected[k].sizes(), caller, ": cells.", c, ".", names[k],
                " has shape ", p.sizes(), "; expected ", expected[k].sizes());
      NNN_CHECK(p.scalar_type() == x.scalar_type() && p.device() == x.device(), caller, ": cells.",
                c, ".", names[k], " is ", p.scalar_type(), " on ", p.device(), " but x is ",
                x.scalar_type(), " on ", x.device());
    }
  }
  NNN_CHECK(x.is_floating_point(), caller, ": x must hold floating-point numbers; got ",
            x.scalar_type());
  NNN_CHECK(from_step >= 1 && from_step <= steps, caller, ": from_step is ", from_step,
            "; expected 1..", steps, " (the steps)");
}

torch::Tensor NNNImpl::forward_saving(const std::vector<torch::Tensor>& parameters,
                                      const torch::Tensor& x, int64_t steps, torch::Tensor* saved,
                                      int64_t from_step) {
  check_parameters(parameters, x, steps, from_step, "NNN::forward_saving");
  torch::NoGradGuard no_grad;
  const auto frames = checked_frames(x, steps).contiguous();
  return direct_->forward_saving(*this, parameters, frames, steps, saved, from_step);
}

torch::Tensor NNNImpl::backward_saved(const std::vector<torch::Tensor>& parameters,
                                      const torch::Tensor& x, const torch::Tensor& saved,
                                      const torch::Tensor& d_predictions, int64_t steps,
                                      torch::Tensor* d_x, int64_t from_step) {
  check_parameters(parameters, x, steps, from_step, "NNN::backward_saved");
  torch::NoGradGuard no_grad;
  const auto frames = checked_frames(x, steps).contiguous();
  const int64_t batch = frames.size(1);
  NNN_CHECK(saved.dim() == 2 && saved.size(0) == steps && saved.size(1) == batch * saved_width() &&
                saved.is_contiguous() && saved.scalar_type() == x.scalar_type(),
            "NNN::backward_saved: saved has shape ", saved.sizes(), "; forward_saving of ", steps,
            " steps and ", batch, " samples keeps [", steps, ", ", batch * saved_width(), "]");
  const int64_t kept = steps - from_step + 1;
  NNN_CHECK(d_predictions.sizes() == torch::IntArrayRef({kept, batch, options.output_size()}),
            "NNN::backward_saved: the loss gradient has shape ", d_predictions.sizes(),
            " but the predictions have [", kept, ", ", batch, ", ", options.output_size(), "]");
  torch::Tensor d_frames;
  const torch::Tensor grad =
      direct_->backward_saved(*this, parameters, frames, saved, d_predictions.to(x.scalar_type()),
                              steps, d_x != nullptr ? &d_frames : nullptr, from_step);
  if (d_x != nullptr) *d_x = x.dim() == 2 ? d_frames.squeeze(0) : d_frames;
  return grad;
}

torch::Tensor NNNImpl::checked_frames(const torch::Tensor& x, int64_t steps) const {
  const int64_t d_in = options.input_size();
  NNN_CHECK(steps >= distance() + 1, "NNN::forward: steps is ", steps, " but the output cell is ",
            distance(), " edges from the input; need at least ", distance() + 1);
  NNN_CHECK(x.dim() == 2 || x.dim() == 3, "NNN::forward: x must be [B, D_in] or [F, B, D_in]; got ",
            x.sizes());
  NNN_CHECK(x.size(-1) == d_in, "NNN::forward: x has ", x.size(-1),
            " features in its last dimension but model.input_size is ", d_in);
  const auto frames = x.dim() == 3 ? x : x.unsqueeze(0);  // [F, B, D_in]
  NNN_CHECK(frames.size(0) >= 1, "NNN::forward: x holds no frames");
  return frames;
}

}  // namespace nnn
