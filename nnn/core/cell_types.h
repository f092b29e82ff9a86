// Cell types by name, without LibTorch's headers: what the config layer needs
// to check `model.cell` and to count parameters. The types themselves, and
// how to register one, are in nnn/core/cell_contract.h.
//
// Dimension key: I in_dim, H hidden, O out_dim.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nnn/core/activation.h"
#include "nnn/core/wiring.h"

namespace nnn {

/// The name of the spec's two-layer perceptron, the default cell type.
inline constexpr const char* kPerceptronCell = "perceptron";

/// What the network tells a cell it builds: its place and its sizes.
struct CellSpec {
  int64_t index = 0;    // the cell's number in the wiring
  int64_t in_dim = 0;   // I: width of the input vector u
  int64_t hidden = 0;   // H: the configured hidden size
  int64_t out_dim = 0;  // O: width of the output (prediction first, then channels)
  bool input = false;   // reads x (x comes first in u)
  bool output = false;  // its first output_size outputs are the prediction
  Activation hidden_activation = Activation::kReLU;
  Activation output_activation = Activation::kLogSigmoid;
};

/// The spec of cell `cell` of `wiring` (the network builds its cells from
/// these; the config counts their parameters from them).
inline CellSpec cell_spec(const Wiring& wiring, int64_t cell, int64_t input_size,
                          int64_t output_size, int64_t hidden, Activation hidden_activation,
                          Activation output_activation) {
  CellSpec spec;
  spec.index = cell;
  spec.in_dim = wiring.in_dim(cell, input_size);
  spec.hidden = hidden;
  spec.out_dim = wiring.out_dim(cell, output_size);
  spec.input = wiring.is_input(cell);
  spec.output = cell == wiring.output();
  spec.hidden_activation = hidden_activation;
  spec.output_activation = output_activation;
  return spec;
}

/// The channels a recurrent cell type keeps its state in on its self-loop:
/// hidden for "gru" (h), 2 x hidden for "lstm" (h and c); 0 for any other type.
int64_t recurrent_state_width(const std::string& name, int64_t hidden);

/// The cell types nnn registers itself ("layer_norm", "perceptron"), sorted.
const std::vector<std::string>& builtin_cell_type_names();
/// The parameters a built-in cell type holds for `spec`, counted without
/// LibTorch; -1 for any other type.
int64_t builtin_cell_parameter_count(const std::string& name, const CellSpec& spec);

/// The registered cell types' names, sorted.
std::vector<std::string> cell_type_names();
/// Whether `name` is a registered cell type.
bool has_cell_type(const std::string& name);
/// The parameters a cell of type `name` holds for `spec` (builds one to
/// count, except for the perceptron). nnn::Error for an unknown type.
int64_t cell_parameter_count(const std::string& name, const CellSpec& spec);

}  // namespace nnn
