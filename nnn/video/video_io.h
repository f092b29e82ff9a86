// Videos on disk: a directory of image frames (PNG, JPEG, BMP or PGM, read
// in name order; nnn/data/image_file.h) with an optional truth.tsv of what
// each frame shows, a video file (MP4, MKV, AVI, ... decoded by OpenCV's
// videoio on FFmpeg's libraries), or a camera (`camera:N`).
#pragma once

#include <torch/types.h>

#include <string>
#include <vector>

#include "nnn/video/scene.h"

namespace nnn {

/// The video file beside a video's frames: none, or a container and the
/// codec written into it (mp4 and mkv: H.264; avi: Motion JPEG).
enum class VideoContainer { kNone, kMp4, kMkv, kAvi };
/// "none", "mp4", "mkv", "avi": the accepted names, in enum order.
const std::vector<std::string>& video_container_names();
/// The container named `name`; nnn::Error naming `what` otherwise.
VideoContainer parse_video_container(const std::string& name, const std::string& what);

/// Writes dir/frame_NNN.pgm, dir/truth.tsv (one row per frame: the plate's
/// centre, scale, rotation, corners, box, occluded fraction and reading)
/// and, unless `container` is kNone, dir/video.mp4 (.mkv, .avi). Files are
/// written atomically. Returns the video file's path, or "" for kNone.
std::string write_video(const std::string& dir, const SyntheticVideo& video,
                        VideoContainer container);

/// Writes `frames` [F, H, W] in [0, 1] as the video file `path` (its
/// extension names the container: .mp4, .mkv or .avi) at `fps` frames per
/// second, through OpenCV's videoio; atomic (a partial file is renamed).
/// Width and height must be even (H.264's colour planes are half size).
void write_video_file(const std::string& path, const torch::Tensor& frames, double fps = 5.0);

/// The frames of `path` as [F, H, W] in [0, 1], grey: a directory's image
/// files (.png, .jpg, .jpeg, .bmp, .pgm, any case) in name order, one image
/// file, `camera:N` (camera N, 0 to 63: its frames until it stops or
/// `max_frames` were read), or any other file as a video (OpenCV's videoio, FFmpeg).
/// Errors name the file: no frames, a missing frame (numbered files that
/// skip a number), unreadable or corrupt frames, a file that is not a video,
/// frames of different sizes or over 4096x4096, more than `max_frames`.
torch::Tensor read_video(const std::string& path, int64_t max_frames = 10000);
/// read_video() with every frame shrunk (averaging, OpenCV's INTER_AREA) so
/// that its longer side is at most `max_side` (0: not shrunk); `scale`
/// (optional) receives the factor applied (1 when not shrunk), so a box in
/// the frames read is box / scale in the video's own pixels.
torch::Tensor read_video(const std::string& path, int64_t max_frames, int64_t max_side,
                         double* scale);

/// truth.tsv of a video directory written by write_video, or an empty
/// vector when there is none; `reading` receives the plate's digits.
std::vector<FrameTruth> read_truth(const std::string& dir, std::string* reading);

}  // namespace nnn
