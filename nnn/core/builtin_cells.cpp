// nnn's own cell types as the registry's first factories: the spec's
// perceptron, the layer-normalised cell, and the GRU and LSTM cells.
#include "nnn/core/cell.h"
#include "nnn/core/cell_contract.h"
#include "nnn/core/layer_norm_cell.h"
#include "nnn/core/recurrent_cell.h"

namespace nnn {

std::map<std::string, CellFactory> builtin_cell_factories() {
  std::map<std::string, CellFactory> factories;
  factories[kPerceptronCell] = [](const CellSpec& s) {
    return Cell(CellOptions(s.in_dim, s.hidden, s.out_dim)
                    .hidden_activation(s.hidden_activation)
                    .output_activation(s.output_activation))
        .ptr();
  };
  factories["layer_norm"] = [](const CellSpec& s) { return LayerNormCell(s).ptr(); };
  factories["gru"] = [](const CellSpec& s) { return RecurrentCell(RecurrentKind::kGru, s).ptr(); };
  factories["lstm"] = [](const CellSpec& s) {
    return RecurrentCell(RecurrentKind::kLstm, s).ptr();
  };
  return factories;
}

}  // namespace nnn
