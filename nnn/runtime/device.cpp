// Device resolution.
#include "nnn/runtime/device.h"
#include "nnn/runtime/runtime_info.h"

#include <torch/cuda.h>
#include <torch/version.h>

#include <algorithm>
#include <thread>

#include "nnn/util/error.h"

namespace nnn {

torch::Device resolve_device(const DeviceSetting& setting) {
  switch (setting.kind) {
    case DeviceSetting::Kind::kAuto:
      return torch::cuda::is_available() ? torch::Device(torch::kCUDA, 0)
                                         : torch::Device(torch::kCPU);
    case DeviceSetting::Kind::kCpu:
      return torch::Device(torch::kCPU);
    case DeviceSetting::Kind::kCuda:
      break;
  }
  const std::string text = setting.str();
  NNN_CHECK(torch::cuda::is_available(), "device '", text,
            "' was asked for but CUDA is not available (this LibTorch has no CUDA support or "
            "no GPU is visible); use device: auto or cpu");
  const auto count = static_cast<int64_t>(torch::cuda::device_count());
  const int64_t index = std::max<int64_t>(0, setting.index);
  NNN_CHECK(index < count, "device '", text, "' does not exist: ", count, " GPU(s) visible");
  return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
}

std::string runtime_info() {
  std::string out =
      std::string("LibTorch ") + TORCH_VERSION +
      "\ncores: " + std::to_string(std::thread::hardware_concurrency()) +
      " (nnn runs single-threaded kernels, one batch shard per core)\nCUDA available: ";
  const bool cuda = torch::cuda::is_available();
  out += cuda ? "yes, " + std::to_string(torch::cuda::device_count()) + " device(s)" : "no";
  return out + "\ndevice auto -> " + describe_device(resolve_device(DeviceSetting{})) + "\n";
}

std::string describe_device(const torch::Device& device) { return device.str(); }

}  // namespace nnn
