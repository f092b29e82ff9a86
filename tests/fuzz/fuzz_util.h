// What the harnesses share: a scratch file for readers that take a path,
// and a hard stop for a broken promise (libFuzzer records the input).
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

namespace nnn_fuzz {

/// A per-process scratch path in /dev/shm (memory) when it exists, else /tmp.
inline std::string scratch_path(const std::string& suffix) {
  static const std::string dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  return dir + "/nnn-fuzz-" + std::to_string(getpid()) + suffix;
}

inline void write_bytes(const std::string& path, const uint8_t* data, size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
}

/// A promise of the reader was broken: print it and abort, so that libFuzzer
/// saves the input as a crash.
#define NNN_FUZZ_REQUIRE(cond, what)                                            \
  do {                                                                          \
    if (!(cond)) {                                                              \
      std::fprintf(stderr, "nnn fuzz: broken promise: %s (%s)\n", what, #cond); \
      std::abort();                                                             \
    }                                                                           \
  } while (false)

/// A user-facing error must be one non-empty line.
inline void require_one_line(const std::string& message) {
  if (message.empty() || message.find('\n') != std::string::npos) {
    std::fprintf(stderr, "nnn fuzz: the message was:\n%s\n", message.c_str());
  }
  NNN_FUZZ_REQUIRE(!message.empty(), "an empty error message");
  NNN_FUZZ_REQUIRE(message.find('\n') == std::string::npos, "an error message of several lines");
}

}  // namespace nnn_fuzz
