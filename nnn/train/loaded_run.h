// A finished (or checkpointed) run directory loaded for use: its resolved
// config and its model on the config's device.
#pragma once

#include <torch/types.h>

#include <optional>
#include <string>

#include "nnn/config/experiment_config.h"
#include "nnn/core/network.h"

namespace nnn {

/// A run directory's resolved config and model (weights.pt, or the model in
/// checkpoint.pt when no epoch has finished), on `device` (auto, cpu, cuda,
/// cuda:N) or, when empty, the config's device; tensors are read onto the
/// CPU first, whatever device wrote them.
struct LoadedRun {
  ExperimentConfig config;
  NNN model;
  torch::Device device;
};
LoadedRun load_run(const std::string& dir, const std::optional<DeviceSetting>& device = {});

}  // namespace nnn
