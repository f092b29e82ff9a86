// BatchLoader.
#include "nnn/data/batch_loader.h"

#include <ATen/CPUGeneratorImpl.h>

#include "nnn/data/augment.h"
#include "nnn/data/degrade.h"
#include "nnn/util/error.h"

namespace nnn {

BatchLoader::BatchLoader(const Dataset& data, int64_t batch_size, bool shuffle, uint64_t seed,
                         const torch::Device& device, int64_t augment_shift,
                         const FrameOptions& frames)
    : inputs_((data.recorded_frames ? data.frames : data.inputs).to(device)),
      labels_(data.labels.to(device)),
      recorded_(data.recorded_frames),
      batch_size_(batch_size),
      shuffle_(shuffle),
      seed_(seed),
      augment_shift_(augment_shift),
      frames_(frames) {
  NNN_CHECK(batch_size > 0, "batch size must be >= 1; got ", batch_size);
  NNN_CHECK(data.size() > 0, "the dataset '", data.name, "' holds no samples");
  prepares_epochs_ = !device.is_cpu() && (augment_shift > 0 || frames.active());
  if (prepares_epochs_) cpu_inputs_ = inputs_.cpu();
}

void BatchLoader::prepare_epochs(bool on) {
  prepares_epochs_ = on;
  if (on && !cpu_inputs_.defined()) cpu_inputs_ = inputs_.cpu();
}

int64_t BatchLoader::batches() const { return (labels_.size(0) + batch_size_ - 1) / batch_size_; }

torch::Tensor BatchLoader::order(int64_t epoch) const {
  const int64_t n = labels_.size(0);
  if (!shuffle_) return torch::arange(n, torch::kLong);
  auto generator = at::detail::createCPUGenerator(mix_seed(seed_, static_cast<uint64_t>(epoch)));
  return torch::randperm(n, generator, torch::kLong);
}

void BatchLoader::start_epoch(int64_t epoch) {
  epoch_ = epoch;
  const auto cpu_order = order(epoch);
  order_ = cpu_order.to(inputs_.device());
  if (!prepares_epochs_) return;
  std::vector<torch::Tensor> parts;
  for (int64_t b = 0; b < batches(); ++b) parts.push_back(make_batch(cpu_inputs_, cpu_order, b));
  // One copy per epoch; batch b is then a slice.
  epoch_inputs_ = torch::cat(parts, parts.front().dim() == 3 ? 1 : 0).to(inputs_.device());
}

torch::Tensor BatchLoader::make_batch(const torch::Tensor& inputs, const torch::Tensor& order,
                                      int64_t index) const {
  const int64_t first = index * batch_size_;
  const auto rows = order.narrow(0, first, std::min(batch_size_, order.size(0) - first));
  const auto seed = mix_seed(seed_ ^ salt::kTrainFrames, static_cast<uint64_t>(epoch_),
                             static_cast<uint64_t>(index));
  // Frames [F, B, D], recorded or degraded, as frames_.feed hands them out.
  const auto feed = [&](const torch::Tensor& frames) {
    return frames_.feed == FrameFeed::kAverageRandom
               ? random_prefix_average(frames, mix_seed(seed, salt::kFrameCount))
               : feed_frames(frames, frames_.feed);
  };
  if (recorded_) return feed(inputs.index_select(1, rows));
  auto x = inputs.index_select(0, rows);
  if (augment_shift_ > 0) {
    x = random_shift(x, augment_shift_,
                     mix_seed(seed_ ^ salt::kAugmentShift, static_cast<uint64_t>(epoch_),
                              static_cast<uint64_t>(index)));
  }
  if (frames_.active()) {
    // Frame f is drawn from (seed, f) alone: a single feed needs frame 1 only.
    const int64_t count = frames_.feed == FrameFeed::kSingle ? 1 : frames_.count;
    x = feed(degrade_frames(x, count, frames_.degrade, seed));
  }
  return x;
}

std::pair<torch::Tensor, torch::Tensor> BatchLoader::batch(int64_t index) const {
  NNN_CHECK(order_.defined(), "BatchLoader: call start_epoch first");
  const int64_t first = index * batch_size_;
  const int64_t size = std::min(batch_size_, order_.size(0) - first);
  const auto labels = labels_.index_select(0, order_.narrow(0, first, size));
  if (prepares_epochs_) {
    return {epoch_inputs_.narrow(epoch_inputs_.dim() == 3 ? 1 : 0, first, size), labels};
  }
  return {make_batch(inputs_, order_, index), labels};
}

}  // namespace nnn
