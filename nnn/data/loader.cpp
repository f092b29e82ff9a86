// BatchLoader.
#include "nnn/data/loader.h"

#include <ATen/CPUGeneratorImpl.h>

#include "nnn/core/error.h"
#include "nnn/data/augment.h"

namespace nnn {

BatchLoader::BatchLoader(const Dataset& data, int64_t batch_size, bool shuffle, uint64_t seed,
                         const torch::Device& device, int64_t augment_shift)
    : inputs_(data.inputs.to(device)),
      labels_(data.labels.to(device)),
      batch_size_(batch_size),
      shuffle_(shuffle),
      seed_(seed),
      augment_shift_(augment_shift) {
  NNN_CHECK(batch_size > 0, "batch size must be >= 1; got ", batch_size);
  NNN_CHECK(data.size() > 0, "the dataset '", data.name, "' holds no samples");
}

int64_t BatchLoader::batches() const { return (inputs_.size(0) + batch_size_ - 1) / batch_size_; }

torch::Tensor BatchLoader::order(int64_t epoch) const {
  const int64_t n = inputs_.size(0);
  if (!shuffle_) return torch::arange(n, torch::kLong);
  auto generator = at::detail::createCPUGenerator(mix_seed(seed_, static_cast<uint64_t>(epoch)));
  return torch::randperm(n, generator, torch::kLong);
}

void BatchLoader::start_epoch(int64_t epoch) {
  epoch_ = epoch;
  order_ = order(epoch).to(inputs_.device());
}

std::pair<torch::Tensor, torch::Tensor> BatchLoader::batch(int64_t index) const {
  NNN_CHECK(order_.defined(), "BatchLoader: call start_epoch first");
  const int64_t first = index * batch_size_;
  const auto rows = order_.narrow(0, first, std::min(batch_size_, order_.size(0) - first));
  auto x = inputs_.index_select(0, rows);
  if (augment_shift_ > 0) {
    x = random_shift(x, augment_shift_,
                     mix_seed(seed_ ^ 0xA5A5A5A5ULL, static_cast<uint64_t>(epoch_),
                              static_cast<uint64_t>(index)));
  }
  return {x, labels_.index_select(0, rows)};
}

}  // namespace nnn
