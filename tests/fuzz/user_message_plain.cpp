// The fuzz build has no LibTorch, so no c10::Error to translate: in the
// library, nnn/core/user_message.cpp also shortens LibTorch's messages.
#include <new>

#include "nnn/core/user_message.h"
#include "nnn/util/error.h"

namespace nnn {

std::string user_message(const std::exception& error) {
  if (dynamic_cast<const std::bad_alloc*>(&error) != nullptr) return "out of memory";
  const std::string text = error.what();
  return text.substr(0, text.find('\n'));
}

}  // namespace nnn
