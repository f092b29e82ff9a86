// Every size limit nnn applies to input, in one place, and the machine's
// memory that estimates are checked against. Input (YAML, data files,
// command lines, requests) is hostile until checked: a size that would drive
// an allocation, a thread count or a loop is bounded here. Torch-free.
#pragma once

#include <cstdint>

namespace nnn::limits {

/// Cells a wiring generator may create (its matrix is N x N).
inline constexpr int64_t kMaxCells = 4096;
/// Channels of one edge, hidden units of one cell, input or output width.
inline constexpr int64_t kMaxWidth = int64_t{1} << 24;
/// Thinking steps of a model, frames of a sample.
inline constexpr int64_t kMaxSteps = 100000;
/// Threads a config may ask for (more than any machine nnn runs on).
inline constexpr int64_t kMaxThreads = 1024;
/// Length of a run name (it becomes a folder name).
inline constexpr int64_t kMaxNameLength = 128;
/// Dimensions of an IDX file.
inline constexpr int64_t kMaxIdxDimensions = 16;
/// Width or height of an image file (PGM, PNG, JPEG, BMP).
inline constexpr int64_t kMaxImageSide = 16384;
/// Pixels of a compressed image (PNG, JPEG): checked from its header before
/// it is decoded, since a small file can claim a huge image.
inline constexpr int64_t kMaxImagePixels = int64_t{1} << 26;
/// Share of the machine's memory one run may plan to use.
inline constexpr double kMemoryShare = 0.8;

/// The memory this process may use, in bytes: the machine's physical memory
/// or the cgroup's limit, whichever is smaller.
uint64_t available_memory_bytes();

}  // namespace nnn::limits
