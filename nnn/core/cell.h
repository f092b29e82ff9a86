// Cell: the two-layer perceptron of NNN-SPEC with manual parameters
// w1, b1, w2, b2. Knows nothing about wiring; NNN gives it its dims.
//
// Dimension key: B batch, I in_dim, H hidden, O out_dim.
#pragma once

#include <torch/nn/cloneable.h>
#include <torch/types.h>

#include "nnn/core/activation.h"
#include "nnn/core/cell_contract.h"

namespace nnn {

/// Applies `activation` element-wise.
torch::Tensor activate(Activation activation, const torch::Tensor& x);
/// Like activate, overwriting x (a copy back where LibTorch has no in-place
/// operation: log-sigmoid off the CPU's float32); returns x. For tensors
/// outside autograd.
torch::Tensor activate_(Activation activation, const torch::Tensor& x);
/// The gradient with respect to the activation's input, from the gradient
/// with respect to its output and that output y = activate(x) alone (every
/// activation's derivative is a function of y: relu y > 0, sigmoid y(1 - y),
/// tanh 1 - y^2, log_sigmoid 1 - exp(y)).
torch::Tensor activation_backward(Activation activation, const torch::Tensor& grad,
                                  const torch::Tensor& y);
/// out = activation_backward(activation, grad, y), written into `out` (of
/// grad's shape; a loop on contiguous CPU floats, a copy of LibTorch's
/// result otherwise): the direct backward's temporaries are reused by every
/// step.
void activation_backward_into(Activation activation, const torch::Tensor& grad,
                              const torch::Tensor& y, const torch::Tensor& out);
/// activate_ on columns [first, first + count) of every row of a 2-d tensor,
/// in place (the direct path's output activation over the cells a step
/// computes).
void activate_columns_(Activation activation, const torch::Tensor& x, int64_t first, int64_t count);
/// out[:, first:first + count] = activation_backward of the same columns of
/// `grad` and `y` (2-d, one shape); out's other columns are not touched.
void activation_backward_columns(Activation activation, const torch::Tensor& grad,
                                 const torch::Tensor& y, const torch::Tensor& out, int64_t first,
                                 int64_t count);

struct CellOptions {
  CellOptions(int64_t in_dim, int64_t hidden, int64_t out_dim)
      : in_dim_(in_dim), hidden_(hidden), out_dim_(out_dim) {}
  /// Width of the cell's input vector u.
  TORCH_ARG(int64_t, in_dim);
  /// Width of the hidden layer.
  TORCH_ARG(int64_t, hidden);
  /// Width of the cell's output vector (prediction and outgoing channels).
  TORCH_ARG(int64_t, out_dim);
  /// Activation of the hidden layer.
  TORCH_ARG(Activation, hidden_activation) = Activation::kReLU;
  /// Activation of the output layer (log_sigmoid: outputs are logits <= 0).
  TORCH_ARG(Activation, output_activation) = Activation::kLogSigmoid;
};

/// The spec's cell, the default type (`perceptron`); the NNN's fast path
/// runs groups of these without calling forward.
class CellImpl : public torch::nn::Cloneable<CellImpl>, public CellContract {
 public:
  explicit CellImpl(const CellOptions& options);

  /// Registers w1, b1, w2, b2 and initialises them.
  void reset() override;
  /// W ~ N(0, 1) / sqrt(fan_in), biases zero.
  void reset_parameters() override;
  void pretty_print(std::ostream& stream) const override;

  // u: [B, I] -> [B, O]
  torch::Tensor forward(const torch::Tensor& u) override;
  /// Output layer alone, from the hidden pre-activation.
  // pre: [B, H] -> [B, O]
  torch::Tensor finish(const torch::Tensor& hidden_pre);

  CellOptions options;
  torch::Tensor w1;  // [I, H]
  torch::Tensor b1;  // [H]
  torch::Tensor w2;  // [H, O]
  torch::Tensor b2;  // [O]
};

TORCH_MODULE(Cell);

}  // namespace nnn
