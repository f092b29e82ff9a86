// Videos on disk: a directory of image frames (PNG, JPEG, BMP or PGM, read
// in name order; nnn/data/image_file.h) with
// an optional truth.tsv of what each frame shows, or a video file decoded
// through the `ffmpeg` program when it is installed.
#pragma once

#include <torch/types.h>

#include <string>
#include <vector>

#include "nnn/video/scene.h"

namespace nnn {

/// Writes dir/frame_NNN.pgm, dir/truth.tsv (one row per frame: the plate's
/// centre, scale, rotation, corners, box, occluded fraction and reading)
/// and, when `mp4` and ffmpeg is on the PATH, dir/video.mp4. Files are
/// written atomically. Returns whether the mp4 was written.
bool write_video(const std::string& dir, const SyntheticVideo& video, bool mp4);

/// The frames of `path` as [F, H, W] in [0, 1]: a directory's image files
/// (.png, .jpg, .jpeg, .bmp, .pgm, any case) in name order, one image
/// file, or any other file through ffmpeg. Errors
/// name the file: no frames, a missing frame (numbered files that skip a
/// number), unreadable frames, frames of different sizes, more than
/// `max_frames`, no ffmpeg for a video file.
torch::Tensor read_video(const std::string& path, int64_t max_frames = 10000);

/// truth.tsv of a video directory written by write_video, or an empty
/// vector when there is none; `reading` receives the plate's digits.
std::vector<FrameTruth> read_truth(const std::string& dir, std::string* reading);

/// Whether the ffmpeg program is on the PATH.
bool have_ffmpeg();

}  // namespace nnn
