// Dropout on the hidden layer of every cell (model.dropout), with masks that
// are a function of (key, sample, step, hidden unit) alone: the same sample
// of the same batch gets the same mask whether the batch runs in one piece,
// in shards across threads or across the ranks of a distributed run, and a
// resumed run draws what the uninterrupted one drew. The trainer names the
// batch (key) and each shard's first sample with a DropoutScope.
#pragma once

#include <torch/types.h>

#include <cstdint>

namespace nnn {

/// For the forward passes of this thread while it lives: the batch's key and
/// the index of the shard's first sample within the batch.
class DropoutScope {
 public:
  DropoutScope(uint64_t key, int64_t first_sample);
  ~DropoutScope();
  DropoutScope(const DropoutScope&) = delete;
  DropoutScope& operator=(const DropoutScope&) = delete;

 private:
  uint64_t saved_key_;
  int64_t saved_first_;
};

/// The keep-mask scaled by 1 / (1 - p) for `batch` samples (from the scope's
/// first sample) at step `step`: [batch, H] for one cell, [n, batch, H] for
/// n cells; `unit_base[i]` numbers cell i's first hidden unit among all
/// cells'. A float tensor with `options`.
torch::Tensor dropout_scale(int64_t batch, const std::vector<int64_t>& unit_base, int64_t hidden,
                            int64_t step, double p, const torch::TensorOptions& options);

}  // namespace nnn
