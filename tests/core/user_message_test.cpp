// What a user sees when an exception reaches a program's boundary: one line,
// never a raw allocator failure or a LibTorch backtrace.
#include "nnn/core/user_message.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <new>

#include "nnn/util/error.h"

namespace nnn {
namespace {

TEST(UserMessage, TranslatesEveryKindOfException) {
  EXPECT_EQ(user_message(Error("model.steps: must be >= 1")), "model.steps: must be >= 1");
  const std::string oom = user_message(std::bad_alloc());
  EXPECT_EQ(oom.rfind("out of memory", 0), 0u) << oom;
  EXPECT_EQ(oom.find("bad_alloc"), std::string::npos) << oom;
  try {
    (void)torch::zeros({2, 3}).matmul(torch::zeros({4, 5}));
    FAIL() << "expected a shape error";
  } catch (const c10::Error& e) {
    const std::string message = user_message(e);
    EXPECT_EQ(message.rfind("LibTorch: ", 0), 0u) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    EXPECT_EQ(message.find("Exception raised from"), std::string::npos) << message;
  }
  EXPECT_EQ(user_message(std::runtime_error("first\nsecond")), "first");
}

}  // namespace
}  // namespace nnn
