// The labelling desk behind `nnn serve --label-out DATASET`: videos opened
// from a served folder or uploaded, tracked from the boxes a person draws,
// and saved as multi-frame samples to a frame set (nnn/data/frame_set.h),
// exactly as `nnn label` does (nnn/experiments/video.h). Safe to call from
// many threads: open videos are shared read-only, saves run one at a time.
#pragma once

#include <memory>
#include <string>

#include "nnn/serve/label_service.h"

namespace nnn {

class LabelDesk : public LabelService {
 public:
  /// Saves to the frame set `dataset` (made on the first save); lists and
  /// opens the videos under `folder` ("": none, uploads only).
  LabelDesk(std::string dataset, std::string folder);
  ~LabelDesk() override;
  LabelDesk(const LabelDesk&) = delete;
  LabelDesk& operator=(const LabelDesk&) = delete;

  /// Videos of the folder: files ending in .mp4, .mkv, .avi, .mov, .webm or
  /// .m4v, and folders of frame_* images (what make-video writes), up to 3
  /// levels down, sorted, at most LabelLimits::kMaxServedVideos.
  Json listing() const override;
  std::optional<Json> open_served(const std::string& name) override;
  /// The bytes go to a temporary file for OpenCV's videoio and are removed
  /// once decoded. Recorded as "upload:NAME#HASH" (the name's letters,
  /// digits and ._-, and a 64-bit FNV-1a hash of the bytes), so the same
  /// file uploaded twice is one video when the dataset is split by video.
  Json open_upload(const std::string& bytes, const std::string& name) override;
  std::optional<LabelVideo> video(const std::string& id) const override;
  std::string frame_png(const std::string& id, int64_t frame) const override;
  Json track(const std::string& id, const LabelRequest& request) override;
  Json save(const std::string& id, const LabelRequest& request) override;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace nnn
