// Device resolution.
#include "nnn/core/device.h"
#include "nnn/core/runtime_info.h"

#include <torch/cuda.h>
#include <torch/version.h>

#include <thread>

#include "nnn/util/error.h"

namespace nnn {

torch::Device resolve_device(const std::string& spec) {
  if (spec == "auto") {
    return torch::cuda::is_available() ? torch::Device(torch::kCUDA, 0)
                                       : torch::Device(torch::kCPU);
  }
  if (spec == "cpu") return torch::Device(torch::kCPU);
  if (spec == "cuda" || spec.rfind("cuda:", 0) == 0) {
    int64_t index = 0;
    if (spec.size() > 5) {
      const std::string digits = spec.substr(5);
      NNN_CHECK(!digits.empty() && digits.size() <= 4 &&
                    digits.find_first_not_of("0123456789") == std::string::npos,
                "device '", spec, "': expected cuda:N with N a GPU index");
      index = std::stoll(digits);
    }
    NNN_CHECK(torch::cuda::is_available(), "device '", spec,
              "' was asked for but CUDA is not available (this LibTorch has no CUDA support or "
              "no GPU is visible); use device: auto or cpu");
    const auto count = static_cast<int64_t>(torch::cuda::device_count());
    NNN_CHECK(index < count, "device '", spec, "' does not exist: ", count, " GPU(s) visible");
    return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
  }
  throw Error("device '" + spec + "' is not understood; expected auto, cpu, cuda or cuda:N");
}

std::string runtime_info() {
  std::string out =
      std::string("LibTorch ") + TORCH_VERSION +
      "\ncores: " + std::to_string(std::thread::hardware_concurrency()) +
      " (nnn runs single-threaded kernels, one batch shard per core)\nCUDA available: ";
  const bool cuda = torch::cuda::is_available();
  out += cuda ? "yes, " + std::to_string(torch::cuda::device_count()) + " device(s)" : "no";
  return out + "\ndevice auto -> " + describe_device(resolve_device("auto")) + "\n";
}

std::string describe_device(const torch::Device& device) { return device.str(); }

}  // namespace nnn
