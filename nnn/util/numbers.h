// Numbers as text for tables and CSV files. Torch-free.
#pragma once

#include <fmt/format.h>

#include <cmath>
#include <string>

namespace nnn {

/// The shortest text that reads back to the same double; "" for NaN and the
/// infinities (an empty CSV field).
inline std::string shortest(double v) { return std::isfinite(v) ? fmt::format("{}", v) : ""; }

}  // namespace nnn
