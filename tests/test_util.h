// Helpers shared by the test files.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "nnn/core/error.h"

namespace nnn::testing {

// Expects `fn` to throw nnn::Error whose message contains `fragment`.
template <typename Fn>
void expect_error(Fn fn, const std::string& fragment) {
  try {
    fn();
    ADD_FAILURE() << "expected an error containing: " << fragment;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos)
        << "message: " << e.what() << "\nexpected to contain: " << fragment;
  }
}

}  // namespace nnn::testing
