// Whole-file reads and atomic writes (temporary file, flush, fsync, rename),
// so that a crash never leaves a torn file behind. Torch-free.
#pragma once

#include <string>

namespace nnn {

/// Writes `bytes` to `path` atomically; nnn::Error naming the file on failure.
void write_file_atomically(const std::string& path, const std::string& bytes);
/// Reads a whole file; nnn::Error naming it when it cannot be read.
std::string read_file(const std::string& path);

}  // namespace nnn
