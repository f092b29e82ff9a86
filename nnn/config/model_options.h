// ModelConfig (torch-free, from YAML) -> NNNOptions (the module's options).
#pragma once

#include "nnn/config/experiment_config.h"
#include "nnn/core/network.h"

namespace nnn {

inline NNNOptions to_options(const ModelConfig& model) {
  return NNNOptions(model.wiring, model.input_size, model.output_size, model.steps)
      .hidden(model.hidden)
      .hidden_activation(model.hidden_activation)
      .output_activation(model.output_activation)
      .cell_types(model.cell)
      .dropout(model.dropout);
}

}  // namespace nnn
