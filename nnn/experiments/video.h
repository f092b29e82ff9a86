// From video to plate reading: track the plate (nnn/video/tracker.h), cut
// its digits from every tracked frame, read them with a trained multi-frame
// run, and measure all of it on generated videos.
//
// Dimension key: F frames, K digits, T steps.
#pragma once

#include <torch/types.h>

#include <ostream>
#include <string>
#include <vector>

#include "nnn/data/data_config.h"
#include "nnn/data/load_data.h"
#include "nnn/data/plate_readings.h"
#include "nnn/experiments/predict.h"
#include "nnn/video/crops.h"
#include "nnn/video/scene.h"
#include "nnn/video/tracker.h"
#include "nnn/video/video_io.h"

namespace nnn {

struct LoadedRun;

/// A tracked video: per frame the track step, and for the frames not lost
/// the rectified plate and its K digit cells.
struct TrackedPlate {
  std::vector<TrackStep> steps;       // [F]
  std::vector<torch::Tensor> plates;  // [F] rectified [36, 28K+8] (also for lost frames)
  DigitFrames cells;                  // the tracked frames' cells, in order
  std::vector<int64_t> cell_frames;   // which frame each entry of `cells` came from
  bool detected = false;              // the start box was found by detect_plate
  double detect_score = 0;
};

/// Tracks `frames` [F, H, W] from `init` (nullptr: detect_plate in frame 1)
/// with options.method and cuts K digits from every frame that is not lost
/// (the plate levelled by level_angle where the tracker gives no angle:
/// OpenCV's).
TrackedPlate track_and_cut(const torch::Tensor& frames, int64_t digits, const Box* init,
                           const TrackerOptions& options = {});

/// A box a person drew on one frame (0-based): the track starts again there.
struct KeyBox {
  int64_t frame = 0;
  Box box;
};
/// track_and_cut from key boxes: each key starts a fresh tracker at its
/// frame, which follows the plate up to the next key; frame 1 without a key
/// is detected (detect_plate). Keys must be in increasing frame order
/// inside the video and inside its frames (errors name the key).
TrackedPlate track_from_keys(const torch::Tensor& frames, int64_t digits,
                             const std::vector<KeyBox>& keys, const TrackerOptions& options = {});

/// The readings after each number of frames n = 1 .. cells.size() (at most
/// what the run can read: T - d for a sequence feed): per n the
/// probabilities the run gives after reading the first n frames.
std::vector<DigitProbabilities> read_after_each_frame(LoadedRun& run, const DigitFrames& cells);

/// What `nnn track` finds in a video: the tracked plate and, when the video
/// has a truth.tsv, each frame's IoU with the true box.
struct VideoTrack {
  std::string video;
  torch::Tensor frames;  // [F, H, W] in [0, 1]
  TrackedPlate tracked;
  std::vector<double> truth_iou;  // [F]; empty without truth.tsv
  std::string truth_reading;      // the plate truth.tsv names
};
/// Tracks the plate of `digits` digits in `video` (read_video: image frames,
/// a video file or a camera) from `init` (nullptr: detected in frame 1).
VideoTrack track_video(const std::string& video, int64_t digits, const Box* init,
                       const TrackerOptions& options = {});
/// Writes out_dir/track.tsv, out_dir/plates/frame_NNN.pgm (rectified plates)
/// and out_dir/digits/frame_NNN_K.pgm (28x28, light on dark).
void write_track(const VideoTrack& track, const std::string& out_dir);

/// What `nnn read-video` reads: the tracked video (with its truth when it
/// has a truth.tsv) read frame by frame by a multi-frame run.
struct VideoReading {
  VideoTrack track;
  std::string run_name;
  FrameFeed feed = FrameFeed::kSequence;
  int64_t steps = 0;
  int64_t digits = 0;
  /// The probabilities after n = 1, 2, ... tracked frames read.
  std::vector<DigitProbabilities> readings;
  /// Per frame looked at (every frame, or up to the one where the reading
  /// stopped): how many tracked frames had been read after it; 0 for a lost
  /// frame and for frames past what the run can read (`read` says which).
  struct Frame {
    bool lost = false;
    bool read = false;        // this frame was read (not lost, within the run's frames)
    int64_t frames_read = 0;  // readings used up to and including this frame
  };
  std::vector<Frame> frames;
  double stop_at = 0.0;  // the stopping rule's confidence (0: read every frame)
  int64_t stopped = 0;   // frames read when the rule stopped the reading (0: it did not)
  /// The answer: the reading where the reading stopped, or the last one;
  /// nullptr when no frame was tracked.
  const DigitProbabilities* answer() const {
    return readings.empty() ? nullptr : &readings[static_cast<size_t>(frames_read() - 1)];
  }
  /// Readings used by the frames looked at.
  int64_t frames_read() const { return frames.empty() ? 0 : frames.back().frames_read; }
};
/// Tracks `video` from `init` (nullptr: detected) and reads it with the run
/// in `run_dir`. `stop_at` > 0 reads anytime: reading stops after the first
/// frame whose best reading's joint probability reaches it.
VideoReading read_video_plate(const std::string& run_dir, const std::string& video, int64_t digits,
                              const Box* init, double stop_at = 0.0,
                              const TrackerOptions& options = {});
/// Writes out_dir/annotated/frame_NNN.pgm (the box and the best reading so
/// far drawn on each frame looked at) and out_dir/track.tsv.
void write_annotated(const VideoReading& reading, const std::string& out_dir);

/// `nnn make-video`: `count` videos of test (or `digits`: training) digits of `data` (seeds
/// options.seed, +1, ...) in out_dir/video_NNN/ (frames, truth.tsv, and
/// video.mp4, .mkv or .avi unless `container` is kNone), listed in
/// out_dir/videos.tsv. Returns the video folders.
std::vector<std::string> make_videos(const DataConfig& data, uint64_t data_seed,
                                     const VideoOptions& options, int64_t count,
                                     const std::string& out_dir, VideoContainer container,
                                     std::ostream& log, DigitSplit digits = DigitSplit::kTest);

/// `nnn label`: which plate a video shows and how to cut it.
struct LabelOptions {
  std::string plate;   // its reading: K digits
  int64_t frames = 6;  // F: each sample is the digit in the first F tracked frames
  TrackerOptions tracker;
  /// Boxes a person drew (the start box and corrections where the tracker
  /// drifted); without one for frame 1 it is detected.
  std::vector<KeyBox> keys;
};
struct LabelResult {
  VideoTrack track;
  std::vector<int64_t> frames;  // the F frames used (0-based)
  std::string part;             // the part folder appended
};
/// The provenance a frame set records for `video`: its absolute path, so
/// that the same video named two ways is one video when the set is split
/// by video (a camera, or a path that cannot be resolved, as given).
std::string video_source(const std::string& video);
/// nnn::Error unless `plate` is a plate's reading: 1 to 12 digits.
void check_plate_reading(const std::string& plate);
/// Tracks `video` from options.keys (track_from_keys), cuts the K digits
/// of `options.plate` from its first F tracked frames and appends K
/// samples (one per digit: F crops, the digit, provenance) to the frame set
/// in `out_dir` (nnn/data/frame_set.h), atomically. Errors: a plate that is
/// not 1-12 digits, fewer than F tracked frames.
LabelResult label_video(const std::string& video, const LabelOptions& options,
                        const std::string& out_dir);
/// label_video() of frames already read: `source` is the provenance the
/// manifest records (a video's absolute path, or an upload's name and
/// hash); boxes are recorded divided by `scale` (frames read shrunk by
/// `scale` record boxes in the video's own pixels).
LabelResult label_frames(const torch::Tensor& frames, const std::string& source,
                         const LabelOptions& options, const std::string& out_dir,
                         double scale = 1.0);

struct VideoEvalOptions {
  int64_t videos = 50;  // per difficulty
  int64_t digits = 4;
  int64_t frames = 6;
  uint64_t seed = 0;
  std::vector<std::string> difficulties = {"easy", "medium", "hard"};
  /// Trackers measured side by side on the same videos; the reading uses
  /// the first one's crops.
  std::vector<TrackerMethod> trackers = {TrackerMethod::kNnn};
};

/// `nnn video-eval`: generated videos of each difficulty (test digits of
/// the first run's data), tracked from the true first box by each tracker
/// and also from detection; per difficulty and tracker the mean IoU, the
/// fraction of frames tracked (IoU > 0.5) and the frames per second of
/// its updates (one thread); per run and crop source (tracker, true boxes, the
/// ideal strips of make-plates with the run's own degradation) the digit
/// and plate accuracy and truth-in-top-3 after 1 .. F frames. Writes
/// out_dir/video_eval.md, .csv and .svg; returns the markdown.
std::string video_evaluation(const std::vector<std::string>& run_dirs,
                             const VideoEvalOptions& options, const std::string& out_dir,
                             std::ostream& log);

}  // namespace nnn
