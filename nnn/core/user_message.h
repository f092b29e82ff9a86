// Turns any exception that reaches a program's boundary into one line a user
// can act on: nnn::Error as it is, LibTorch's errors without their C++
// backtrace, allocation failures as "out of memory". Apps print this, never
// what() of an arbitrary exception.
#pragma once

#include <exception>
#include <string>

namespace nnn {

std::string user_message(const std::exception& error);

}  // namespace nnn
