// RecurrentCell: GRU and LSTM cells (`model.cell: gru | lstm`), the recurrent
// frame readers the NNN is compared with (`nnn frames`). A recurrent cell
// keeps its state on its self-loop: the last S columns of u are the previous
// state, the last S outputs the new one, and the outputs before them are a
// linear read-out of h (the prediction, for the output cell). S = H for a
// GRU (h), 2H for an LSTM (h, then c). The gates follow PyTorch's GRUCell and
// LSTMCell (two biases each, gate order r z n / i f g o). Meant for the
// one-cell wiring [[S]] (x, then the state, in u); in a larger wiring the
// last S columns are taken as the state wherever they come from.
//
// Dimension key: B batch, I in_dim, X = I - S (x and other channels), H
// hidden, S state, G gates x H, R = O - S read-out width.
#pragma once

#include <torch/nn/cloneable.h>

#include "nnn/core/cell_contract.h"

namespace nnn {

enum class RecurrentKind { kGru, kLstm };

class RecurrentCellImpl : public torch::nn::Cloneable<RecurrentCellImpl>, public CellContract {
 public:
  RecurrentCellImpl(RecurrentKind kind, const CellSpec& spec);

  /// Checks the widths and registers w_ih, w_hh, b_ih, b_hh, w_out, b_out.
  void reset() override;
  /// Uniform in [-1/sqrt(H), 1/sqrt(H)], as PyTorch's recurrent cells.
  void reset_parameters() override;
  void pretty_print(std::ostream& stream) const override;
  // u: [B, I] -> [B, O]
  torch::Tensor forward(const torch::Tensor& u) override;

  /// S: the state's width (H or 2H).
  int64_t state_width() const;

  RecurrentKind kind;
  CellSpec spec;
  torch::Tensor w_ih;   // [X, G]
  torch::Tensor w_hh;   // [H, G]
  torch::Tensor b_ih;   // [G]
  torch::Tensor b_hh;   // [G]
  torch::Tensor w_out;  // [H, R]
  torch::Tensor b_out;  // [R]
};

TORCH_MODULE(RecurrentCell);

}  // namespace nnn
