// Turns a user's device setting (nnn/runtime/device_setting.h) into a
// torch::Device, in one place, so that auto, cpu, cuda and cuda:N mean the
// same in every app.
#pragma once

#include <torch/types.h>

#include <string>

#include "nnn/runtime/device_setting.h"

namespace nnn {

/// auto: the first GPU when CUDA is available, else the CPU. cpu. cuda /
/// cuda:N: GPU 0 / N, or nnn::Error when it does not exist.
torch::Device resolve_device(const DeviceSetting& setting);
/// Human-readable name: "cpu" or "cuda:0".
std::string describe_device(const torch::Device& device);

}  // namespace nnn
