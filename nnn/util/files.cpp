// Atomic writes and whole-file reads.
#include "nnn/util/files.h"

#include <sys/stat.h>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "nnn/util/error.h"
#include "nnn/util/limits.h"

namespace nnn {

void write_file_atomically(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::FILE* file = std::fopen(tmp.c_str(), "wb");
    NNN_CHECK(file != nullptr, "cannot write ", tmp, ": ", std::strerror(errno));
    const size_t written = std::fwrite(bytes.data(), 1, bytes.size(), file);
    bool ok = written == bytes.size() && std::fflush(file) == 0 && ::fsync(fileno(file)) == 0;
    int error = errno;
    if (std::fclose(file) != 0 && ok) {
      ok = false;
      error = errno;
    }
    if (!ok) {
      std::remove(tmp.c_str());
      throw Error("cannot write " + tmp + ": " + std::strerror(error));
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    std::remove(tmp.c_str());
    throw Error("cannot rename " + tmp + " to " + path + ": " + std::strerror(error));
  }
}

int remove_stale_temporaries(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code error;
  int removed = 0;
  for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
    const std::string name = it->path().filename().string();
    const size_t mark = name.rfind(".tmp.");
    if (mark == std::string::npos || !it->is_regular_file(error)) continue;
    const std::string pid = name.substr(mark + 5);
    if (pid.empty() || pid.size() > 9 || pid.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    // kill(pid, 0) fails with ESRCH when no such process is left; a reused
    // pid leaves the file in place, which costs nothing.
    if (::kill(static_cast<pid_t>(std::stol(pid)), 0) == 0 || errno != ESRCH) continue;
    if (fs::remove(it->path(), error)) ++removed;
  }
  return removed;
}

void check_regular_file(const std::string& path, uint64_t max_bytes, const std::string& what) {
  struct stat info {};
  NNN_CHECK(::stat(path.c_str(), &info) == 0, "cannot read ", what.empty() ? "" : what + " ", path,
            ": ", std::strerror(errno));
  const char* kind = S_ISDIR(info.st_mode)    ? "a directory"
                     : S_ISFIFO(info.st_mode) ? "a FIFO (named pipe)"
                     : S_ISCHR(info.st_mode)  ? "a character device"
                     : S_ISBLK(info.st_mode)  ? "a block device"
                     : S_ISSOCK(info.st_mode) ? "a socket"
                     : S_ISREG(info.st_mode)  ? nullptr
                                              : "not a regular file";
  NNN_CHECK(kind == nullptr, path, " is ", kind, "; expected a regular file");
  NNN_CHECK(static_cast<uint64_t>(info.st_size) <= max_bytes, path, " is ",
            static_cast<uint64_t>(info.st_size), " bytes; expected at most ", max_bytes);
}

std::string read_file(const std::string& path, uint64_t max_bytes) {
  check_regular_file(path, max_bytes);
  std::ifstream in(path, std::ios::binary);
  NNN_CHECK(in.good(), "cannot read ", path, ": ", std::strerror(errno));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

std::string lowercase_extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

void walk_folder(const std::string& root, int max_depth, int64_t max_entries,
                 const std::function<void(const std::filesystem::directory_entry&)>& visit) {
  namespace fs = std::filesystem;
  std::error_code error;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, error),
      end;
  for (int64_t seen = 0; !error && it != end && ++seen <= max_entries; it.increment(error)) {
    if (it.depth() >= max_depth) it.disable_recursion_pending();
    visit(*it);
  }
}

}  // namespace nnn

namespace nnn::limits {

uint64_t available_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page = ::sysconf(_SC_PAGE_SIZE);
  uint64_t bytes = pages > 0 && page > 0
                       ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page)
                       : uint64_t{1} << 34;
  // A container's limit (cgroup v2, then v1) is what really bounds us.
  for (const char* path :
       {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
    std::ifstream in(path);
    uint64_t limit = 0;
    if (in >> limit && limit > 0 && limit < bytes) bytes = limit;
  }
  return bytes;
}

}  // namespace nnn::limits
