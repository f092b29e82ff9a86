// Dataset: a whole labelled set held as two tensors, so batches are index
// selections rather than per-sample copies. Loaders for files live beside it.
//
// Dimension key: N samples, D features, F frames.
#pragma once

#include <torch/types.h>

#include <string>

#include "nnn/data/frame_options.h"

namespace nnn {

struct Dataset {
  std::string name;
  torch::Tensor inputs;  // [N, D] float32
  torch::Tensor labels;  // [N] int64 in [0, classes)
  int64_t classes = 0;
  /// Frame datasets only: F fixed degraded frames of every input [F, N, D]
  /// (what evaluation reads instead of `inputs`), and how they reach a model.
  torch::Tensor frames;
  FrameFeed feed = FrameFeed::kSequence;
  /// The frames are the data's own (a frame_set: recorded, for training
  /// too), not degraded copies of `inputs` (which then holds frame 1).
  bool recorded_frames = false;

  int64_t size() const { return inputs.defined() ? inputs.size(0) : 0; }
  int64_t features() const { return inputs.defined() ? inputs.size(1) : 0; }
};

}  // namespace nnn
