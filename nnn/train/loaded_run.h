// A finished (or checkpointed) run directory loaded for use: its resolved
// config and its model on the config's device.
#pragma once

#include <torch/types.h>

#include <string>

#include "nnn/config/experiment_config.h"
#include "nnn/core/network.h"

namespace nnn {

/// A run directory's resolved config and model (weights.pt, or the model in
/// checkpoint.pt when no epoch has finished), on the config's device.
struct LoadedRun {
  ExperimentConfig config;
  NNN model;
  torch::Device device;
};
LoadedRun load_run(const std::string& dir);

}  // namespace nnn
