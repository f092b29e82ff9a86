// The built-in cell types' names and parameter counts, torch-free (the
// config layer counts parameters with them; tests check them against the
// modules themselves).
#include "nnn/core/cell_types.h"

namespace nnn {

const std::vector<std::string>& builtin_cell_type_names() {
  static const std::vector<std::string> names = {"gru", "layer_norm", "lstm", kPerceptronCell};
  return names;
}

int64_t recurrent_state_width(const std::string& name, int64_t hidden) {
  return name == "gru" ? hidden : name == "lstm" ? 2 * hidden : 0;
}

int64_t builtin_cell_parameter_count(const std::string& name, const CellSpec& spec) {
  const int64_t perceptron =  // W1, b1, W2, b2
      spec.in_dim * spec.hidden + spec.hidden + spec.hidden * spec.out_dim + spec.out_dim;
  if (name == kPerceptronCell) return perceptron;
  if (name == "layer_norm") return perceptron + 2 * spec.hidden;  // and gain, bias
  if (name == "gru" || name == "lstm") {
    // w_ih, w_hh, b_ih, b_hh for 3 or 4 gates, then the read-out of h.
    const int64_t gates = (name == "gru" ? 3 : 4) * spec.hidden;
    const int64_t state = recurrent_state_width(name, spec.hidden);
    return (spec.in_dim - state + spec.hidden + 2) * gates +
           (spec.hidden + 1) * (spec.out_dim - state);
  }
  return -1;
}

}  // namespace nnn
