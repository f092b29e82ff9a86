// What the HTTP API (api.h) asks of the labelling desk behind the page's
// Label tab, without LibTorch: LabelDesk (label_desk.h) is the real one;
// the API's fuzzer serves a stand-in that checks what reaches it.
//
// Frames are 1-based in the API and 0-based here; boxes are x, y, w, h in
// the pixels of the frames as the desk holds them (a video larger than
// LabelLimits::kMaxSide is shrunk: `scale` in its info).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nnn/serve/served_run.h"

namespace nnn {

/// Limits on what the Label tab may open and ask for.
struct LabelLimits {
  static constexpr int64_t kMaxFrames = 300;       // frames of a video opened for labelling
  static constexpr int64_t kMaxSide = 640;         // longer side of its frames (larger: shrunk)
  static constexpr int64_t kOpenVideos = 3;        // videos held at once (the oldest is closed)
  static constexpr int64_t kMaxSampleFrames = 64;  // F of a sample saved from the page
  static constexpr size_t kMaxUpload = size_t{64} << 20;  // bytes of an uploaded video
  static constexpr size_t kMaxServedVideos = 1000;        // videos listed from --videos
};

/// A box a person drew: the track starts again at its frame.
struct LabelKey {
  int64_t frame = 0;  // 0-based
  double x = 0, y = 0, w = 0, h = 0;
};

/// What a track or save request asks. The API checks the keys (frames in
/// the video, increasing, boxes of finite numbers with w, h > 0), `frames`
/// (1 to kMaxSampleFrames), `digits` (1 to 12) and, for a save, `plate`
/// (its digits, `digits` of them) before it calls the desk.
struct LabelRequest {
  int64_t digits = 4;
  int64_t frames = 6;
  std::string tracker = "nnn";
  std::string plate;
  std::vector<LabelKey> keys;
};

/// An open video: its id (what the API's paths name) and size.
struct LabelVideo {
  std::string id;
  int64_t frames = 0, width = 0, height = 0;
};

class LabelService {
 public:
  virtual ~LabelService() = default;

  /// {"videos": [names openable from the served folder], "open": [the open
  /// videos' info], "dataset": {"path", "samples", "videos"}}.
  virtual Json listing() const = 0;
  /// Opens a video of the served folder by the name listing() gives it;
  /// nullopt when there is no such name. Its info: {"id", "name", "frames",
  /// "width", "height", "scale", "source"}.
  virtual std::optional<Json> open_served(const std::string& name) = 0;
  /// Opens an uploaded video (its bytes; `name`, the file's name, is only
  /// shown and recorded). Its info, as open_served's.
  virtual Json open_upload(const std::string& bytes, const std::string& name) = 0;
  /// The open video `id`, or nullopt (never opened, or closed since).
  virtual std::optional<LabelVideo> video(const std::string& id) const = 0;
  /// Frame `frame` (0-based, in range) of video `id` as a PNG.
  virtual std::string frame_png(const std::string& id, int64_t frame) const = 0;
  /// The track from the request's keys: per frame the box, angle, score
  /// and lost; the start box and whether it was detected; the frames a
  /// sample would use and their K digit crops.
  virtual Json track(const std::string& id, const LabelRequest& request) = 0;
  /// track(), then the plate's K samples appended to the dataset.
  virtual Json save(const std::string& id, const LabelRequest& request) = 0;
};

}  // namespace nnn
