// Labelled multi-frame datasets: what `nnn label` writes from tracked
// videos and `data.dataset: frame_set` trains on. A sample is one digit seen
// in F frames (28x28, light on dark, as the reader's crops are), its label,
// and where it came from. On disk, a folder of parts, each written whole in
// a `.partial` folder and renamed into place, so an append that is killed
// leaves the dataset as it was:
//
//   DATASET/part_0001/frames-idx4-ubyte   IDX uint8 [n, F, 28, 28]
//   DATASET/part_0001/labels-idx1-ubyte   IDX uint8 [n], 0..9
//   DATASET/part_0001/manifest.tsv        "# nnn frame set, version 1", a
//       header, then per sample: label, plate, digit (1..K), video, frames
//       (the video's frame numbers, comma-separated), boxes (the plate's box
//       x,y,w,h in each of those frames, ';'-separated)
//
// Dimension key: N samples, F frames, D = 784 pixels.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace nnn {

/// Where a sample came from: one manifest row.
struct FrameSetRow {
  int64_t label = 0;
  std::string plate;            // the plate's reading
  int64_t digit = 1;            // which of its digits, 1..K
  std::string video;            // as given to nnn label
  std::vector<int64_t> frames;  // the video's frame numbers (1-based), F of them
  std::string boxes;            // "x,y,w,h;..." per frame
};

struct FrameSet {
  torch::Tensor frames;  // [N, F, D] uint8
  torch::Tensor labels;  // [N] int64
  std::vector<FrameSetRow> rows;
  int64_t frame_count() const { return frames.defined() ? frames.size(1) : 0; }
  int64_t size() const { return frames.defined() ? frames.size(0) : 0; }
  /// The distinct videos of the rows, in the order they first appear.
  std::vector<std::string> videos() const;
};

/// Reads every part of `dir` in order. Errors name the file: no parts, a
/// part of another version, shapes that are not [n, F, 28, 28] / [n], parts
/// with different F, a manifest whose rows or labels disagree with the IDX
/// files, labels outside 0..9.
FrameSet read_frame_set(const std::string& dir);

/// Appends `frames` [n, F, 28, 28] uint8 and their rows (labels in the
/// rows) to `dir` as a new part (created when missing); returns the part's
/// folder. F must equal the dataset's; leftover `.partial` folders of a
/// killed append are removed first.
std::string append_frame_set(const std::string& dir, const torch::Tensor& frames,
                             const std::vector<FrameSetRow>& rows);

}  // namespace nnn
