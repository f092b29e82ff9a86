// One-line messages for exceptions at the boundary.
#include "nnn/core/user_message.h"

#include <c10/util/Exception.h>

#include <new>

#include "nnn/util/error.h"

namespace nnn {

namespace {
std::string first_line(const std::string& text) {
  const size_t end = text.find('\n');
  return end == std::string::npos ? text : text.substr(0, end);
}
}  // namespace

std::string user_message(const std::exception& error) {
  if (dynamic_cast<const Error*>(&error) != nullptr) return error.what();
  if (dynamic_cast<const std::bad_alloc*>(&error) != nullptr) {
    return "out of memory: an allocation failed (a size in the config or the data may be too "
           "large for this machine)";
  }
  if (const auto* torch_error = dynamic_cast<const c10::Error*>(&error)) {
    return "LibTorch: " + first_line(torch_error->what_without_backtrace());
  }
  return first_line(error.what());
}

}  // namespace nnn
