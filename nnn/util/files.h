// Whole-file reads and atomic writes (temporary file, flush, fsync, rename),
// so that a crash never leaves a torn file behind. Torch-free.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace nnn {

/// Writes `bytes` to `path` atomically; nnn::Error naming the file on failure.
void write_file_atomically(const std::string& path, const std::string& bytes);
/// Removes the temporary files (`NAME.tmp.PID`) that writers killed
/// mid-write left in `dir`, those whose process is gone; returns how many.
/// Files of a live process (a write in progress) stay.
int remove_stale_temporaries(const std::string& dir);
/// Largest file nnn reads whole or streams as data (weights, IDX, CSV).
inline constexpr uint64_t kMaxFileBytes = uint64_t{8} << 30;
/// Largest text file it reads as a config (YAML).
inline constexpr uint64_t kMaxTextFileBytes = uint64_t{64} << 20;

/// Checks, before anything is opened, that `path` names a regular file
/// (after following links) of at most `max_bytes`: a FIFO, a device, a
/// socket or a directory named by the user would block or never end.
/// nnn::Error naming the file and what it is otherwise.
/// `what` names the kind of file in the messages ("config": "cannot read
/// config PATH: ...").
void check_regular_file(const std::string& path, uint64_t max_bytes = kMaxFileBytes,
                        const std::string& what = "");
/// Reads a whole regular file (check_regular_file first); nnn::Error naming
/// it when it cannot be read.
std::string read_file(const std::string& path, uint64_t max_bytes = kMaxFileBytes);

/// The extension of `path`'s file name, lower-case (".PNG" -> ".png"; ""
/// without one).
std::string lowercase_extension(const std::string& path);

/// Calls `visit` for the entries under `root` down to `max_depth` (0: its
/// own entries only), directory links not followed, unreadable folders
/// skipped, at most `max_entries` entries looked at: a bounded walk of a
/// folder a user named (videos to label, runs to follow).
void walk_folder(const std::string& root, int max_depth, int64_t max_entries,
                 const std::function<void(const std::filesystem::directory_entry&)>& visit);

}  // namespace nnn
