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
