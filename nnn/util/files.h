// Whole-file reads and atomic writes (temporary file, flush, fsync, rename),
// so that a crash never leaves a torn file behind. Torch-free.
#pragma once

#include <string>

namespace nnn {

/// Writes `bytes` to `path` atomically; nnn::Error naming the file on failure.
void write_file_atomically(const std::string& path, const std::string& bytes);
/// Removes the temporary files (`NAME.tmp.PID`) that writers killed
/// mid-write left in `dir`, those whose process is gone; returns how many.
/// Files of a live process (a write in progress) stay.
int remove_stale_temporaries(const std::string& dir);
/// Reads a whole file; nnn::Error naming it when it cannot be read.
std::string read_file(const std::string& path);

}  // namespace nnn
