// Files named by the user: only regular files of a bounded size are read,
// so that a FIFO, a device or a link to one never blocks or runs forever.
#include "nnn/util/files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/test_util.h"

namespace nnn {
namespace {

namespace fs = std::filesystem;
using testing::expect_error;

TEST(Files, OnlyRegularFilesOfBoundedSizeAreRead) {
  const fs::path dir = fs::temp_directory_path() / ("nnn_files_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string fifo = (dir / "fifo").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // Opening a FIFO for reading would block until a writer comes: refused first.
  expect_error([&] { read_file(fifo); }, fifo + " is a FIFO (named pipe); expected a regular file");
  expect_error([] { read_file("/dev/zero"); },
               "/dev/zero is a character device; expected a regular file");
  fs::create_symlink("/dev/zero", dir / "zero_link");
  expect_error([&] { read_file((dir / "zero_link").string()); }, "is a character device");
  expect_error([&] { read_file(dir.string()); }, "is a directory; expected a regular file");
  expect_error([&] { read_file((dir / "missing").string()); }, "cannot read ");
  {
    std::ofstream big(dir / "big");
    big << std::string(100, 'x');
  }
  expect_error([&] { read_file((dir / "big").string(), /*max_bytes=*/99); },
               "big is 100 bytes; expected at most 99");
  EXPECT_EQ(read_file((dir / "big").string(), /*max_bytes=*/100).size(), 100u);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace nnn
