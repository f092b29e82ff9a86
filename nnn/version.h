// nnn's version, written into run summaries.
#pragma once

namespace nnn {
inline constexpr const char* kVersion = "0.1.0";
}  // namespace nnn
