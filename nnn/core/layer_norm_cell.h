// LayerNormCell: the spec's two-layer perceptron with layer normalisation of
// the hidden pre-activation (gain and bias per hidden unit):
//     h = act_hidden(LayerNorm(u @ W1 + b1) * gain + bias)
//     y = act_output(h @ W2 + b2)
// It keeps each cell's hidden layer at a fixed scale whatever its fan-in, so
// long unrolls and wide fan-ins train with one learning rate. Registered as
// the cell type `layer_norm`.
//
// Dimension key: B batch, I in_dim, H hidden, O out_dim.
#pragma once

#include <torch/nn/cloneable.h>

#include "nnn/core/cell_contract.h"

namespace nnn {

class LayerNormCellImpl : public torch::nn::Cloneable<LayerNormCellImpl>, public CellContract {
 public:
  explicit LayerNormCellImpl(const CellSpec& spec);

  /// Registers w1, b1, gain, bias, w2, b2 and initialises them.
  void reset() override;
  /// W ~ N(0, 1) / sqrt(fan_in), biases zero, gain one.
  void reset_parameters() override;
  void pretty_print(std::ostream& stream) const override;
  // u: [B, I] -> [B, O]
  torch::Tensor forward(const torch::Tensor& u) override;

  CellSpec spec;
  torch::Tensor w1;    // [I, H]
  torch::Tensor b1;    // [H]
  torch::Tensor gain;  // [H]
  torch::Tensor bias;  // [H]
  torch::Tensor w2;    // [H, O]
  torch::Tensor b2;    // [O]
};

TORCH_MODULE(LayerNormCell);

}  // namespace nnn
