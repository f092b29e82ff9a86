// BatchLoader: hands out minibatches of a Dataset held as one tensor, by
// index selection (no per-sample copies). The order of epoch e is a function
// of (seed, e) alone, so a resumed run replays the same batches.
//
// Dimension key: N samples, B batch, D features, F frames.
#pragma once

#include <torch/types.h>

#include "nnn/data/dataset.h"
#include "nnn/data/frame_options.h"

namespace nnn {

class BatchLoader {
 public:
  /// Moves the dataset to `device` once. `augment_shift` > 0 translates
  /// every image of every batch randomly (see random_shift), seeded by
  /// (seed, epoch, batch). Active `frames` turn every batch into
  /// frames.count fresh degraded frames (seeded likewise, after the shift)
  /// and hand them out as frames.feed says; a dataset with recorded frames
  /// (frame_set) hands out its own, as frames.feed says.
  ///
  /// Off the CPU, the random parts (shifts, degradations) are drawn on the
  /// CPU for the whole epoch in start_epoch, from the same per-batch seeds,
  /// and copied to the device once: no host-to-device copy per batch, and
  /// the same numbers as a CPU run.
  BatchLoader(const Dataset& data, int64_t batch_size, bool shuffle, uint64_t seed,
              const torch::Device& device, int64_t augment_shift = 0,
              const FrameOptions& frames = {});

  int64_t batches() const;  // per epoch; the last one may be smaller
  /// Fixes the order for `epoch` (1-based).
  void start_epoch(int64_t epoch);
  /// Batch `index` of the current epoch: x [B, D] (or [F, B, D] for a
  /// sequence feed), y [B].
  std::pair<torch::Tensor, torch::Tensor> batch(int64_t index) const;
  /// The sample order of `epoch` as a [N] int64 CPU tensor.
  torch::Tensor order(int64_t epoch) const;
  /// Whether start_epoch prepares the epoch's inputs in one piece (devices
  /// other than the CPU, with shifts or frames).
  bool prepares_epochs() const { return prepares_epochs_; }
  /// Prepares epochs in one piece on any device (what non-CPU devices do),
  /// so that tests can hold the two ways equal on the CPU.
  void prepare_epochs(bool on);

 private:
  // x of batch `index` computed on the CPU (with the shifts and frames).
  torch::Tensor make_batch(const torch::Tensor& inputs, const torch::Tensor& order,
                           int64_t index) const;

  torch::Tensor inputs_;      // [N, D] on device, or the recorded frames [F, N, D]
  torch::Tensor cpu_inputs_;  // the same on the CPU, when epochs are prepared
  torch::Tensor labels_;      // [N] on device
  bool recorded_ = false;     // inputs_ are a frame set's frames
  int64_t batch_size_;
  bool shuffle_;
  uint64_t seed_;
  int64_t augment_shift_;
  FrameOptions frames_;
  int64_t epoch_ = 0;
  torch::Tensor order_;  // [N] on device
  bool prepares_epochs_ = false;
  torch::Tensor epoch_inputs_;  // [N, D] or [F, N, D] on device, in batch order
};

}  // namespace nnn
