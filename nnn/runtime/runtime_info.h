// What this build runs on, for `nnn info`, without LibTorch's headers.
#pragma once

#include <string>

namespace nnn {

/// LibTorch's version, the cores, the CUDA devices and what device "auto"
/// picks, a line each.
std::string runtime_info();

}  // namespace nnn
