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
#include "nnn/experiments/predict.h"
#include "nnn/video/crops.h"
#include "nnn/video/scene.h"
#include "nnn/video/tracker.h"

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
/// and cuts K digits from every frame that is not lost.
TrackedPlate track_and_cut(const torch::Tensor& frames, int64_t digits, const Box* init,
                           const TrackerOptions& options = {});

/// The readings after each number of frames n = 1 .. cells.size() (at most
/// what the run can read: T for a sequence feed): per n the [K][C]
/// probabilities the run gives after reading the first n frames.
std::vector<std::vector<std::vector<double>>> read_after_each_frame(LoadedRun& run,
                                                                    const DigitFrames& cells);

/// `nnn read-video`: tracks, cuts and reads, printing per frame the box and
/// the best readings, then the final answer and its candidates; writes
/// out_dir/annotated/frame_NNN.pgm (box and best reading drawn) and
/// out_dir/track.tsv when `out_dir` is not empty.
/// `stop_at` > 0 reads anytime: reading stops after the first frame whose
/// best reading's joint probability reaches it, and a line says where (or
/// that it never did); the answer is the reading there.
void read_video_report(const std::string& run_dir, const std::string& video, int64_t digits,
                       const std::string& init, int64_t candidates, const std::string& out_dir,
                       std::ostream& out, double stop_at = 0.0);

/// `nnn track`: tracks and writes out_dir/track.tsv, out_dir/plates/frame_NNN.pgm
/// (rectified plates) and out_dir/digits/frame_NNN_K.pgm (28x28, light on dark);
/// prints one line per frame (and IoU with truth.tsv when the video has one).
void track_report(const std::string& video, int64_t digits, const std::string& init,
                  const std::string& out_dir, std::ostream& out);

/// `nnn make-video`: `count` videos of test digits of `data` (seeds
/// options.seed, +1, ...) in out_dir/video_NNN/ (frames, truth.tsv, and
/// video.mp4 when `mp4` and ffmpeg is installed), listed in out_dir/videos.tsv.
/// Returns the video folders.
std::vector<std::string> make_videos(const DataConfig& data, uint64_t data_seed,
                                     const VideoOptions& options, int64_t count,
                                     const std::string& out_dir, bool mp4, std::ostream& log);

struct VideoEvalOptions {
  int64_t videos = 50;  // per difficulty
  int64_t digits = 4;
  int64_t frames = 6;
  uint64_t seed = 0;
  std::vector<std::string> difficulties = {"easy", "medium", "hard"};
};

/// `nnn video-eval`: generated videos of each difficulty (test digits of
/// the first run's data), tracked from the true first box and also from
/// detection; per difficulty the mean IoU and the fraction of frames
/// tracked (IoU > 0.5); per run and crop source (tracker, true boxes, the
/// ideal strips of make-plates with the run's own degradation) the digit
/// and plate accuracy and truth-in-top-3 after 1 .. F frames. Writes
/// out_dir/video_eval.md, .csv and .svg; returns the markdown.
std::string video_evaluation(const std::vector<std::string>& run_dirs,
                             const VideoEvalOptions& options, const std::string& out_dir,
                             std::ostream& log);

}  // namespace nnn
