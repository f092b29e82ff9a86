// Reading and writing videos.
#include "nnn/video/video_io.h"

#include <dlfcn.h>
#include <fmt/format.h>

#include <opencv2/core.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <algorithm>
#include <cctype>
#include <cstdarg>
#include <filesystem>
#include <sstream>

#include "nnn/data/image_file.h"
#include "nnn/data/pgm.h"
#include "nnn/util/enum_names.h"
#include "nnn/util/error.h"
#include "nnn/util/files.h"
#include "nnn/util/numbers.h"
#include "nnn/video/crops.h"

namespace nnn {

namespace fs = std::filesystem;

namespace {

const char* kTruthHeader =
    "frame\treading\tcx\tcy\tscale\tdegrees\ttl_x\ttl_y\ttr_x\ttr_y\tbr_x\tbr_y\tbl_x\tbl_y\t"
    "box_x\tbox_y\tbox_w\tbox_h\toccluded";

constexpr int64_t kMaxSide = 4096;

// FFmpeg's own log lines ("moov atom not found") and OpenCV's warnings would
// reach the user's terminal beside nnn's one line: both are quieted once.
// FFmpeg's through av_log_set_callback of the libavutil that videoio loaded
// (OpenCV sets FFmpeg's level but not its callback).
void quiet_video_libraries() {
  static const bool done = [] {
    cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
    using Callback = void (*)(void*, int, const char*, va_list);
    using SetCallback = void (*)(Callback);
    if (auto* set = reinterpret_cast<SetCallback>(::dlsym(RTLD_DEFAULT, "av_log_set_callback"))) {
      set([](void*, int, const char*, va_list) {});
    }
    return true;
  }();
  (void)done;
}

// How much a frame of `width` x `height` is shrunk so that its longer side
// is at most `max_side` (0: not at all).
double shrink_factor(int64_t width, int64_t height, int64_t max_side) {
  const int64_t longer = std::max(width, height);
  return max_side > 0 && longer > max_side ? static_cast<double>(max_side) / longer : 1.0;
}

// An 8-bit grey image as [H, W] float in [0, 1], shrunk by `factor` (< 1:
// averaged over the pixels each new one covers).
torch::Tensor frame_tensor(const cv::Mat& grey, double factor) {
  cv::Mat out = grey;
  if (factor < 1.0) {
    const int w = std::max(1, static_cast<int>(std::lround(grey.cols * factor)));
    const int h = std::max(1, static_cast<int>(std::lround(grey.rows * factor)));
    cv::resize(grey, out, cv::Size(w, h), 0, 0, cv::INTER_AREA);
  }
  return torch::from_blob(out.data, {out.rows, out.cols}, {static_cast<int64_t>(out.step), 1},
                          torch::kUInt8)
      .to(torch::kFloat32)
      .div(255.0);
}

// One grey frame of a capture, [H, W] float in [0, 1], its longer side at
// most `max_side` (0: as decoded); `factor` receives the shrink factor.
torch::Tensor grey_frame(const cv::Mat& mat, int64_t max_side, double* factor) {
  cv::Mat grey;
  if (mat.channels() == 1) {
    grey = mat;
  } else {
    cv::cvtColor(mat, grey, mat.channels() == 4 ? cv::COLOR_BGRA2GRAY : cv::COLOR_BGR2GRAY);
  }
  if (grey.depth() != CV_8U) grey.convertTo(grey, CV_8U, grey.depth() == CV_16U ? 1.0 / 257 : 1.0);
  *factor = shrink_factor(grey.cols, grey.rows, max_side);
  return frame_tensor(grey, *factor);
}

// The frames of an opened capture; `name` names it in errors. A camera
// (`endless`) stops at max_frames; a file with more is refused.
torch::Tensor read_capture(cv::VideoCapture& capture, const std::string& name, int64_t max_frames,
                           bool endless, int64_t max_side, double* factor) {
  std::vector<torch::Tensor> frames;
  cv::Mat mat;
  while (true) {
    bool got = false;
    try {
      got = capture.read(mat);
    } catch (const cv::Exception&) {
      got = false;  // a frame OpenCV could not decode ends the video, as FFmpeg does
    }
    if (!got || mat.empty() || (endless && static_cast<int64_t>(frames.size()) == max_frames)) {
      break;
    }
    NNN_CHECK(mat.cols <= kMaxSide && mat.rows <= kMaxSide, name, ": frames of ", mat.cols, "x",
              mat.rows, " are too large (at most 4096x4096 pixels)");
    NNN_CHECK(static_cast<int64_t>(frames.size()) < max_frames, name, ": more than ", max_frames,
              " frames; at most ", max_frames);
    frames.push_back(grey_frame(mat, max_side, factor));
    NNN_CHECK(frames.back().sizes() == frames.front().sizes(), name, ": frame ", frames.size(),
              " is ", frames.back().size(1), "x", frames.back().size(0), " but frame 1 is ",
              frames.front().size(1), "x", frames.front().size(0),
              ": every frame of a video must have the same size");
  }
  NNN_CHECK(!frames.empty(), name, ": no frames could be decoded (an empty or corrupt video)");
  return torch::stack(frames);
}

// camera:N -> N, or -1 when `path` does not start with "camera:".
int camera_index(const std::string& path) {
  const std::string prefix = "camera:";
  if (path.rfind(prefix, 0) != 0) return -1;
  const std::string digits = path.substr(prefix.size());
  NNN_CHECK(digits.size() <= 2 && all_digits(digits) && std::stoi(digits) <= 63, quoted(path, 40),
            ": expected camera:N with N a camera index from 0 to 63");
  return std::stoi(digits);
}

const char* container_extension(VideoContainer container) {
  switch (container) {
    case VideoContainer::kMp4:
      return ".mp4";
    case VideoContainer::kMkv:
      return ".mkv";
    case VideoContainer::kAvi:
      return ".avi";
    case VideoContainer::kNone:
      break;
  }
  return "";
}

}  // namespace

const std::vector<std::string>& video_container_names() {
  static const std::vector<std::string> names = {"none", "mp4", "mkv", "avi"};
  return names;
}

VideoContainer parse_video_container(const std::string& name, const std::string& what) {
  return enum_from_name<VideoContainer>(video_container_names(), name, what);
}

void write_video_file(const std::string& path, const torch::Tensor& frames, double fps) {
  NNN_CHECK(frames.dim() == 3 && frames.size(0) >= 1, path, ": expected frames [F, H, W]; got ",
            frames.sizes());
  const int64_t height = frames.size(1), width = frames.size(2);
  NNN_CHECK(width % 2 == 0 && height % 2 == 0 && width <= kMaxSide && height <= kMaxSide, path,
            ": frames of ", width, "x", height,
            " cannot be encoded: width and height must be even and at most 4096");
  const std::string ext = fs::path(path).extension().string();
  int fourcc = 0;
  if (ext == ".mp4" || ext == ".mkv") {
    fourcc = cv::VideoWriter::fourcc('a', 'v', 'c', '1');  // H.264
  } else if (ext == ".avi") {
    fourcc = cv::VideoWriter::fourcc('M', 'J', 'P', 'G');
  }
  NNN_CHECK(fourcc != 0, path, ": a video file must end in .mp4, .mkv or .avi");
  quiet_video_libraries();
  // The partial file keeps the extension: FFmpeg picks the container by it.
  const std::string partial =
      (fs::path(path).parent_path() / (fs::path(path).stem().string() + ".partial" + ext)).string();
  {
    cv::VideoWriter writer(partial, cv::CAP_FFMPEG, fourcc, fps,
                           cv::Size(static_cast<int>(width), static_cast<int>(height)), false);
    NNN_CHECK(writer.isOpened(), path, ": OpenCV's videoio (FFmpeg) could not open a ", ext,
              " writer (no encoder for it?)");
    const auto bytes = to_bytes(frames);
    for (int64_t t = 0; t < bytes.size(0); ++t) {
      const cv::Mat mat(static_cast<int>(height), static_cast<int>(width), CV_8UC1,
                        bytes[t].data_ptr<uint8_t>());
      writer.write(mat);
    }
  }
  std::error_code error;
  fs::rename(partial, path, error);
  NNN_CHECK(!error, path, ": could not move the finished video into place: ", error.message());
}

std::string write_video(const std::string& dir, const SyntheticVideo& video,
                        VideoContainer container) {
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
  if (container == VideoContainer::kNone) return "";
  const std::string out =
      (fs::path(dir) / (std::string("video") + container_extension(container))).string();
  write_video_file(out, video.frames);
  return out;
}

namespace {

torch::Tensor read_frames(const std::string& path, int64_t max_frames, int64_t max_side,
                          double* factor) {
  if (const int camera = camera_index(path); camera >= 0) {
    quiet_video_libraries();
    cv::VideoCapture capture(camera);
    NNN_CHECK(capture.isOpened(), path, ": camera ", camera,
              " could not be opened (is there one?)");
    return read_capture(capture, path, max_frames, /*endless=*/true, max_side, factor);
  }
  NNN_CHECK(fs::exists(path), path, ": no such file or directory");
  std::vector<std::string> files;
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
    // A FIFO or device handed to FFmpeg would be read until it ends, if ever.
    check_regular_file(path, kMaxFileBytes, "video");
    quiet_video_libraries();
    cv::VideoCapture capture;
    try {
      capture.open(path, cv::CAP_FFMPEG);
    } catch (const cv::Exception&) {
      capture.release();
    }
    NNN_CHECK(capture.isOpened(), path,
              ": not a video file that FFmpeg can decode (a container such as MP4, MKV or AVI), "
              "nor an image (.png, .jpg, .jpeg, .bmp, .pgm)");
    const double width = capture.get(cv::CAP_PROP_FRAME_WIDTH);
    const double height = capture.get(cv::CAP_PROP_FRAME_HEIGHT);
    NNN_CHECK(width <= kMaxSide && height <= kMaxSide, path, ": frames of ", width, "x", height,
              " are too large (at most 4096x4096 pixels)");
    return read_capture(capture, path, max_frames, /*endless=*/false, max_side, factor);
  }
  std::sort(files.begin(), files.end());
  // Numbered frames (frame_001.pgm, ...) must not skip a number: a gap is
  // a missing frame, and the motion between its neighbours would be wrong.
  if (files.size() > 1) {
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
    const GreyImage image = decode_image(read_file(file), file);
    if (frames.empty()) {
      width = image.width;
      height = image.height;
      first = file;
      NNN_CHECK(width <= kMaxSide && height <= kMaxSide, file, ": frames of ", width, "x", height,
                " are too large (at most 4096x4096 pixels)");
    }
    NNN_CHECK(image.width == width && image.height == height, file, " is ", image.width, "x",
              image.height, " but ", first, " is ", width, "x", height,
              ": every frame of a video must have the same size");
    *factor = shrink_factor(width, height, max_side);
    frames.push_back(frame_tensor(cv::Mat(static_cast<int>(height), static_cast<int>(width),
                                          CV_8UC1, const_cast<uint8_t*>(image.pixels.data())),
                                  *factor));
  }
  return torch::stack(frames);
}

}  // namespace

torch::Tensor read_video(const std::string& path, int64_t max_frames) {
  return read_video(path, max_frames, 0, nullptr);
}

torch::Tensor read_video(const std::string& path, int64_t max_frames, int64_t max_side,
                         double* scale) {
  double factor = 1.0;
  torch::Tensor frames = read_frames(path, max_frames, max_side, &factor);
  if (scale != nullptr) *scale = factor;
  return frames;
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
