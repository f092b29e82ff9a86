// Reading and writing videos.
#include "nnn/video/video_io.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "nnn/data/image_file.h"
#include "nnn/data/pgm.h"
#include "nnn/util/error.h"
#include "nnn/util/files.h"
#include "nnn/video/crops.h"

namespace nnn {

namespace fs = std::filesystem;

namespace {

// Single-quoted for /bin/sh.
std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

const char* kTruthHeader =
    "frame\treading\tcx\tcy\tscale\tdegrees\ttl_x\ttl_y\ttr_x\ttr_y\tbr_x\tbr_y\tbl_x\tbl_y\t"
    "box_x\tbox_y\tbox_w\tbox_h\toccluded";

}  // namespace

bool have_ffmpeg() { return std::system("command -v ffmpeg >/dev/null 2>&1") == 0; }

bool write_video(const std::string& dir, const SyntheticVideo& video, bool mp4) {
  fs::create_directories(dir);
  std::string truth = std::string(kTruthHeader) + "\n";
  for (int64_t t = 0; t < video.frames.size(0); ++t) {
    write_pgm((fs::path(dir) / fmt::format("frame_{:03d}.pgm", t + 1)).string(),
              to_grey(video.frames[t]));
    const FrameTruth& f = video.truth[static_cast<size_t>(t)];
    truth += fmt::format("{}\t{}\t{:.3f}\t{:.3f}\t{:.4f}\t{:.3f}", t + 1, video.reading, f.cx, f.cy,
                         f.scale, f.degrees);
    for (const auto& corner : f.corners)
      truth += fmt::format("\t{:.3f}\t{:.3f}", corner[0], corner[1]);
    truth += fmt::format("\t{:.3f}\t{:.3f}\t{:.3f}\t{:.3f}\t{:.4f}\n", f.box.x, f.box.y, f.box.w,
                         f.box.h, f.occluded);
  }
  write_file_atomically((fs::path(dir) / "truth.tsv").string(), truth);
  if (!mp4 || !have_ffmpeg()) return false;
  const std::string out = (fs::path(dir) / "video.mp4").string();
  const std::string partial = out + ".partial.mp4";
  const std::string command = "ffmpeg -v error -y -framerate 5 -i " +
                              shell_quote((fs::path(dir) / "frame_%03d.pgm").string()) +
                              " -c:v libx264 -crf 12 -pix_fmt yuv420p " + shell_quote(partial) +
                              " </dev/null";
  NNN_CHECK(std::system(command.c_str()) == 0, "ffmpeg could not write ", out);
  fs::rename(partial, out);
  return true;
}

torch::Tensor read_video(const std::string& path, int64_t max_frames) {
  NNN_CHECK(fs::exists(path), path, ": no such file or directory");
  std::vector<std::string> files;
  fs::path decoded;
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      if (!dir.empty()) {
        std::error_code ignored;
        fs::remove_all(dir, ignored);
      }
    }
  } cleanup;
  if (fs::is_directory(path)) {
    for (const auto& entry : fs::directory_iterator(path)) {
      if (entry.is_regular_file() && is_image_file_name(entry.path().string())) {
        files.push_back(entry.path().string());
      }
    }
    NNN_CHECK(!files.empty(), path,
              ": no image frames (.png, .jpg, .jpeg, .bmp or .pgm) in this directory");
  } else if (is_image_file_name(path)) {
    check_regular_file(path, kMaxFileBytes, "frame");
    files.push_back(path);
  } else {
    // A FIFO or device handed to ffmpeg would be read until it ends, if ever.
    check_regular_file(path, kMaxFileBytes, "video");
    NNN_CHECK(have_ffmpeg(), path,
              ": reading a video file needs the ffmpeg program (Debian: ffmpeg); or give a "
              "directory of PGM frames");
    decoded = fs::temp_directory_path() /
              fmt::format("nnn_video_{}_{}", ::getpid(), std::hash<std::string>{}(path));
    cleanup.dir = decoded;
    fs::remove_all(decoded);
    fs::create_directories(decoded);
    const std::string command = "ffmpeg -v error -i " + shell_quote(path) + " -frames:v " +
                                std::to_string(max_frames + 1) + " -pix_fmt gray " +
                                shell_quote((decoded / "f_%06d.pgm").string()) + " </dev/null";
    NNN_CHECK(std::system(command.c_str()) == 0, path,
              ": ffmpeg could not decode this file (is it a video?)");
    for (const auto& entry : fs::directory_iterator(decoded))
      files.push_back(entry.path().string());
    NNN_CHECK(!files.empty(), path, ": ffmpeg found no frames in this file");
  }
  std::sort(files.begin(), files.end());
  // Numbered frames (frame_001.pgm, ...) must not skip a number: a gap is
  // a missing frame, and the motion between its neighbours would be wrong.
  if (decoded.empty() && files.size() > 1) {
    std::vector<int64_t> numbers;
    for (const auto& file : files) {
      const std::string stem = fs::path(file).stem().string();
      size_t start = stem.size();
      while (start > 0 && std::isdigit(static_cast<unsigned char>(stem[start - 1]))) --start;
      if (start == stem.size() || stem.size() - start > 9) {
        numbers.clear();
        break;
      }
      numbers.push_back(std::stoll(stem.substr(start)));
    }
    for (size_t i = 1; i < numbers.size(); ++i) {
      NNN_CHECK(numbers[i] == numbers[i - 1] + 1, path, ": frame ", numbers[i - 1] + 1,
                " is missing (", fs::path(files[i - 1]).filename().string(), " is followed by ",
                fs::path(files[i]).filename().string(), ")");
    }
  }
  NNN_CHECK(static_cast<int64_t>(files.size()) <= max_frames, path, ": ", files.size(),
            " frames; at most ", max_frames);
  std::vector<torch::Tensor> frames;
  int64_t width = 0, height = 0;
  std::string first;
  for (const auto& file : files) {
    const std::string name =
        decoded.empty() ? file : path + " (frame " + fs::path(file).stem().string() + ")";
    const GreyImage image = decode_image(read_file(file), name);
    if (frames.empty()) {
      width = image.width;
      height = image.height;
      first = name;
      NNN_CHECK(width * height <= 4096 * 4096, name, ": frames of ", width, "x", height,
                " are too large (at most 4096x4096 pixels)");
    }
    NNN_CHECK(image.width == width && image.height == height, name, " is ", image.width, "x",
              image.height, " but ", first, " is ", width, "x", height,
              ": every frame of a video must have the same size");
    frames.push_back(
        torch::from_blob(const_cast<uint8_t*>(image.pixels.data()), {height, width}, torch::kUInt8)
            .to(torch::kFloat32)
            .div(255.0));
  }
  return torch::stack(frames);
}

std::vector<FrameTruth> read_truth(const std::string& dir, std::string* reading) {
  const fs::path file = fs::path(dir) / "truth.tsv";
  std::vector<FrameTruth> truth;
  if (!fs::is_directory(dir) || !fs::exists(file)) return truth;
  std::istringstream in(read_file(file.string()));
  std::string line;
  std::getline(in, line);
  NNN_CHECK(line == kTruthHeader, file.string(),
            ": not a truth.tsv written by nnn make-video (bad header)");
  for (int64_t row = 2; std::getline(in, line); ++row) {
    if (line.empty()) continue;
    std::istringstream fields(line);
    std::vector<std::string> cells;
    std::string cell;
    while (std::getline(fields, cell, '\t')) cells.push_back(cell);
    NNN_CHECK(cells.size() == 19, file.string(), ":", row, ": expected 19 columns, found ",
              cells.size());
    std::vector<double> v;
    for (size_t i = 2; i < cells.size(); ++i) {
      size_t used = 0;
      double d = 0;
      try {
        d = std::stod(cells[i], &used);
      } catch (const std::exception&) {
        used = 0;
      }
      NNN_CHECK(used == cells[i].size() && used > 0, file.string(), ":", row, ": column ", i + 1,
                " is ", quoted(cells[i], 20), ", not a number");
      v.push_back(d);
    }
    if (reading != nullptr) *reading = cells[1];
    FrameTruth f;
    f.cx = v[0];
    f.cy = v[1];
    f.scale = v[2];
    f.degrees = v[3];
    for (size_t c = 0; c < 4; ++c) f.corners[c] = {v[4 + 2 * c], v[5 + 2 * c]};
    f.box = {v[12], v[13], v[14], v[15]};
    f.occluded = v[16];
    truth.push_back(f);
  }
  return truth;
}

}  // namespace nnn
