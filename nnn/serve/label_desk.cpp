// The Label tab's desk: open videos, track from key boxes, save samples.
#include "nnn/serve/label_desk.h"

#include <fmt/format.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <deque>
#include <filesystem>
#include <mutex>

#include "nnn/data/frame_set.h"
#include "nnn/data/image_file.h"
#include "nnn/experiments/video.h"
#include "nnn/util/error.h"
#include "nnn/util/files.h"
#include "nnn/video/crops.h"
#include "nnn/video/video_io.h"

namespace nnn {

namespace fs = std::filesystem;

namespace {

// An open video: frames as the desk holds them (shrunk by `scale`).
struct OpenVideo {
  std::string id, name, source;
  torch::Tensor frames;  // [F, H, W] in [0, 1]
  double scale = 1.0;
};

bool is_video_file_name(const fs::path& path) {
  const std::string ext = lowercase_extension(path.string());
  return ext == ".mp4" || ext == ".mkv" || ext == ".avi" || ext == ".mov" || ext == ".webm" ||
         ext == ".m4v";
}

// A folder of frame_* images (make-video's frames).
bool is_frame_folder(const fs::path& dir) {
  std::error_code error;
  int64_t seen = 0;
  for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
    if (++seen > 100000) break;
    const std::string name = it->path().filename().string();
    if (name.rfind("frame", 0) == 0 && is_image_file_name(name)) return true;
  }
  return false;
}

// 64-bit FNV-1a of `bytes`, as 16 hex digits.
std::string fnv1a(const std::string& bytes) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return fmt::format("{:016x}", h);
}

// A file name as the manifest may record it: its letters, digits and ._-
// (others become _), at most 80 characters, "upload" when nothing is left.
std::string clean_name(const std::string& name) {
  const size_t slash = name.find_last_of("/\\");
  const std::string base = slash == std::string::npos ? name : name.substr(slash + 1);
  std::string out;
  for (char c : base) {
    const auto u = static_cast<unsigned char>(c);
    out += std::isalnum(u) || c == '.' || c == '_' || c == '-' ? c : '_';
    if (out.size() == 80) break;
  }
  return out.find_first_not_of("._") == std::string::npos ? "upload" : out;
}

double round2(double v) { return std::round(v * 100) / 100; }

Json box_json(const Box& b) {
  return Json::array({round2(b.x), round2(b.y), round2(b.w), round2(b.h)});
}

// What the page says of the frame set at `path`.
Json dataset_json(const std::string& path, const FrameSet& set) {
  return {{"path", path},
          {"samples", set.size()},
          {"videos", set.videos().size()},
          {"frames", set.frame_count()}};
}

// Removes a temporary file when it goes out of scope.
struct TemporaryFile {
  std::string path;
  ~TemporaryFile() {
    if (!path.empty()) ::unlink(path.c_str());
  }
};

}  // namespace

struct LabelDesk::State {
  std::string dataset, folder;
  mutable std::mutex mutex;                           // open, next_id
  std::deque<std::shared_ptr<const OpenVideo>> open;  // oldest first
  int64_t next_id = 1;
  std::mutex save_mutex;  // one append at a time

  // The videos of the folder, relative names in order.
  std::vector<std::string> served() const {
    std::vector<std::string> names;
    if (folder.empty()) return names;
    walk_folder(folder, 3, 100000, [&](const fs::directory_entry& entry) {
      const fs::path& path = entry.path();
      std::error_code e;
      const bool dir = entry.is_directory(e);
      if ((dir && is_frame_folder(path)) ||
          (!dir && entry.is_regular_file(e) && is_video_file_name(path))) {
        names.push_back(fs::relative(path, folder, e).generic_string());
      }
    });
    std::sort(names.begin(), names.end());
    if (names.size() > LabelLimits::kMaxServedVideos) names.resize(LabelLimits::kMaxServedVideos);
    return names;
  }

  std::shared_ptr<const OpenVideo> find(const std::string& id) const {
    std::lock_guard<std::mutex> lock(mutex);
    for (const auto& v : open) {
      if (v->id == id) return v;
    }
    return nullptr;
  }

  std::shared_ptr<const OpenVideo> get(const std::string& id) const {
    auto v = find(id);
    NNN_CHECK(v != nullptr, "video ", quoted(id, 20), " was closed: open it again");
    return v;
  }

  // Reads `path` (shrunk to the desk's limits) and holds it as a new video.
  Json add(const std::string& path, const std::string& name, const std::string& source) {
    auto video = std::make_shared<OpenVideo>();
    video->frames = read_video(path, LabelLimits::kMaxFrames, LabelLimits::kMaxSide, &video->scale);
    video->name = name;
    video->source = source;
    {
      std::lock_guard<std::mutex> lock(mutex);
      video->id = std::to_string(next_id++);
      open.push_back(video);
      while (static_cast<int64_t>(open.size()) > LabelLimits::kOpenVideos) open.pop_front();
    }
    return info(*video);
  }

  static Json info(const OpenVideo& v) {
    return {{"id", v.id},
            {"name", v.name},
            {"frames", v.frames.size(0)},
            {"width", v.frames.size(2)},
            {"height", v.frames.size(1)},
            {"scale", v.scale},
            {"source", v.source}};
  }
};

LabelDesk::LabelDesk(std::string dataset, std::string folder) : state_(std::make_unique<State>()) {
  NNN_CHECK(!dataset.empty(), "serve: --label-out must name the dataset folder to save to");
  state_->dataset = std::move(dataset);
  if (!folder.empty()) {
    NNN_CHECK(fs::is_directory(folder), "serve: --videos ", quoted(folder, 80), " is not a folder");
  }
  state_->folder = std::move(folder);
}

LabelDesk::~LabelDesk() = default;

Json LabelDesk::listing() const {
  Json open = Json::array();
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    for (const auto& v : state_->open) open.push_back(State::info(*v));
  }
  Json dataset = {{"path", state_->dataset}, {"samples", 0}, {"videos", 0}};
  if (fs::is_directory(state_->dataset)) {
    try {
      dataset = dataset_json(state_->dataset, read_frame_set(state_->dataset));
    } catch (const Error& e) {
      dataset["error"] = e.what();  // e.g. no parts yet, or another version's
    }
  }
  return {{"videos", state_->served()}, {"open", std::move(open)}, {"dataset", std::move(dataset)}};
}

std::optional<Json> LabelDesk::open_served(const std::string& name) {
  const auto names = state_->served();
  if (std::find(names.begin(), names.end(), name) == names.end()) return std::nullopt;
  const std::string path = (fs::path(state_->folder) / name).string();
  return state_->add(path, name, video_source(path));
}

Json LabelDesk::open_upload(const std::string& bytes, const std::string& name) {
  const std::string shown = clean_name(name);
  TemporaryFile file;
  {
    std::string pattern = (fs::temp_directory_path() / "nnn-upload-XXXXXX").string();
    const int fd = ::mkstemp(pattern.data());
    NNN_CHECK(fd >= 0, "the uploaded video ", quoted(shown, 80),
              " could not be stored for decoding (no temporary file)");
    file.path = pattern;
    size_t written = 0;
    while (written < bytes.size()) {
      const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
      if (n <= 0) break;
      written += static_cast<size_t>(n);
    }
    ::close(fd);
    NNN_CHECK(written == bytes.size(), "the uploaded video ", quoted(shown, 80),
              " could not be stored for decoding (disk full?)");
  }
  try {
    return state_->add(file.path, shown, "upload:" + shown + "#" + fnv1a(bytes));
  } catch (const Error& e) {
    // read_video names the temporary file: name the upload instead.
    std::string message = e.what();
    const std::string temporary = file.path;
    for (size_t at = message.find(temporary); at != std::string::npos;
         at = message.find(temporary)) {
      message.replace(at, temporary.size(), "the uploaded video " + quoted(shown, 80));
    }
    throw Error(message);
  }
}

std::optional<LabelVideo> LabelDesk::video(const std::string& id) const {
  const auto v = state_->find(id);
  if (!v) return std::nullopt;
  return LabelVideo{v->id, v->frames.size(0), v->frames.size(2), v->frames.size(1)};
}

std::string LabelDesk::frame_png(const std::string& id, int64_t frame) const {
  const auto v = state_->get(id);
  return encode_image(to_grey(v->frames[frame]), ImageFormat::kPng);
}

namespace {

LabelOptions label_options(const LabelRequest& request) {
  LabelOptions options;
  options.plate = request.plate;
  options.frames = request.frames;
  options.tracker.method = parse_tracker_method(request.tracker, "\"tracker\"");
  for (const LabelKey& k : request.keys) options.keys.push_back({k.frame, {k.x, k.y, k.w, k.h}});
  return options;
}

}  // namespace

Json LabelDesk::track(const std::string& id, const LabelRequest& request) {
  const auto v = state_->get(id);
  const LabelOptions options = label_options(request);
  const TrackedPlate tracked =
      track_from_keys(v->frames, request.digits, options.keys, options.tracker);
  Json steps = Json::array();
  for (size_t t = 0; t < tracked.steps.size(); ++t) {
    const TrackStep& s = tracked.steps[t];
    steps.push_back(
        {{"frame", t + 1},
         {"box", box_json(s.box)},
         {"degrees", round2(s.degrees)},
         {"score", std::isnan(s.score) ? Json(nullptr) : Json(std::round(s.score * 1e4) / 1e4)},
         {"lost", s.lost}});
  }
  // The frames a sample would use and their digit crops (bytes, light on dark).
  Json used = Json::array(), crops = Json::array();
  const size_t count = std::min(tracked.cells.size(), static_cast<size_t>(request.frames));
  for (size_t f = 0; f < count; ++f) {
    used.push_back(tracked.cell_frames[f] + 1);
    Json digits = Json::array();
    for (const auto& cell : tracked.cells[f]) {
      const auto bytes = to_bytes(torch::tensor(cell));
      const uint8_t* p = bytes.data_ptr<uint8_t>();
      digits.push_back(std::vector<int>(p, p + bytes.numel()));
    }
    crops.push_back(std::move(digits));
  }
  return {{"id", v->id},
          {"steps", std::move(steps)},
          {"detected", tracked.detected},
          {"start", box_json(tracked.steps[0].box)},
          {"tracked", tracked.cells.size()},
          {"frames", request.frames},
          {"enough", static_cast<int64_t>(tracked.cells.size()) >= request.frames},
          {"used", std::move(used)},
          {"crops", std::move(crops)}};
}

Json LabelDesk::save(const std::string& id, const LabelRequest& request) {
  const auto v = state_->get(id);
  const LabelOptions options = label_options(request);
  std::lock_guard<std::mutex> lock(state_->save_mutex);
  const LabelResult result = label_frames(v->frames, v->source, options, state_->dataset, v->scale);
  const FrameSet set = read_frame_set(state_->dataset);
  Json frames = Json::array();
  for (int64_t t : result.frames) frames.push_back(t + 1);
  return {{"id", v->id},
          {"part", fs::path(result.part).filename().string()},
          {"samples", request.plate.size()},
          {"plate", request.plate},
          {"frames", std::move(frames)},
          {"source", v->source},
          {"dataset", dataset_json(state_->dataset, set)}};
}

}  // namespace nnn
