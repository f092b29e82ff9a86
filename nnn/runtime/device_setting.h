// A device as a user writes it (auto, cpu, cuda, cuda:N), parsed once where
// it is read (the config's `device`, --device) like the enums, and resolved
// to a torch::Device only where a run starts (nnn/runtime/device.h).
// Torch-free.
#pragma once

#include <cstdint>
#include <string>

namespace nnn {

struct DeviceSetting {
  enum class Kind { kAuto, kCpu, kCuda };
  Kind kind = Kind::kAuto;
  /// cuda:N; -1 for plain `cuda` (GPU 0, or each rank's own GPU in a
  /// data-parallel job).
  int64_t index = -1;

  static DeviceSetting cpu() { return {Kind::kCpu, -1}; }
  /// "auto", "cpu", "cuda" or "cuda:N" (N below 10000); nnn::Error saying
  /// what was expected and found otherwise (callers add the key or option).
  static DeviceSetting parse(const std::string& text);
  /// The text parse() reads.
  std::string str() const;
  bool operator==(const DeviceSetting& other) const {
    return kind == other.kind && index == other.index;
  }
  bool operator!=(const DeviceSetting& other) const { return !(*this == other); }
};

}  // namespace nnn
