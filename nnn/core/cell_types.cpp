// The built-in cell types' names and parameter counts, torch-free (the
// config layer counts parameters with them; tests check them against the
// modules themselves).
#include "nnn/core/cell_types.h"

namespace nnn {

const std::vector<std::string>& builtin_cell_type_names() {
  static const std::vector<std::string> names = {"layer_norm", kPerceptronCell};
  return names;
}

int64_t builtin_cell_parameter_count(const std::string& name, const CellSpec& spec) {
  const int64_t perceptron =  // W1, b1, W2, b2
      spec.in_dim * spec.hidden + spec.hidden + spec.hidden * spec.out_dim + spec.out_dim;
  if (name == kPerceptronCell) return perceptron;
  if (name == "layer_norm") return perceptron + 2 * spec.hidden;  // and gain, bias
  return -1;
}

}  // namespace nnn
