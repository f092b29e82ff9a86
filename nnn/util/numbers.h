// Numbers as text for tables and CSV files. Torch-free.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>

namespace nnn {

/// The shortest text that reads back to the same double; "" for NaN and the
/// infinities (an empty CSV field).
inline std::string shortest(double v) { return std::isfinite(v) ? fmt::format("{}", v) : ""; }

/// Whether `text` is one or more of the digits 0-9 and nothing else.
inline bool all_digits(const std::string& text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
}

}  // namespace nnn
