// nnn::Error and NNN_CHECK: the one exception type for mistakes a user can
// fix (bad config, matrix, data, arguments). Internal invariants use assert.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace nnn {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

/// Text from input as an error message shows it: in single quotes, control
/// characters escaped (`\n`, `\t`, `\xNN`), cut to `max` characters with "...",
/// so that a hostile key or value keeps the message on one short line.
inline std::string quoted(const std::string& text, size_t max = 60) {
  static const char* hex = "0123456789abcdef";
  std::string out = "'";
  for (size_t i = 0; i < text.size(); ++i) {
    if (i == max) {
      out += "...";
      break;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      out += std::string("\\x") + hex[c >> 4] + hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "'";
}

namespace detail {
template <typename... Parts>
std::string concat(Parts&&... parts) {
  std::ostringstream out;
  (out << ... << std::forward<Parts>(parts));
  return out.str();
}
}  // namespace detail

}  // namespace nnn

// Throws nnn::Error with the streamed parts when `cond` is false; the parts
// are only formatted on failure.
#define NNN_CHECK(cond, ...)                                  \
  do {                                                        \
    if (!(cond)) {                                            \
      throw ::nnn::Error(::nnn::detail::concat(__VA_ARGS__)); \
    }                                                         \
  } while (false)
