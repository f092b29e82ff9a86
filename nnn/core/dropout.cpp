// Counter-based masks: one splitmix64 hash per (key, sample, step, unit),
// computed in unsigned arithmetic on the CPU (well defined, the same on
// every machine), then moved to the model's device.
#include "nnn/core/dropout.h"

#include "nnn/util/seeds.h"

namespace nnn {

namespace {
thread_local uint64_t t_key = 0;
thread_local int64_t t_first = 0;
}  // namespace

DropoutScope::DropoutScope(uint64_t key, int64_t first_sample)
    : saved_key_(t_key), saved_first_(t_first) {
  t_key = key;
  t_first = first_sample;
}

DropoutScope::~DropoutScope() {
  t_key = saved_key_;
  t_first = saved_first_;
}

torch::Tensor dropout_scale(int64_t batch, const std::vector<int64_t>& unit_base, int64_t hidden,
                            int64_t step, double p, const torch::TensorOptions& options) {
  const auto cells = static_cast<int64_t>(unit_base.size());
  auto mask = torch::empty({cells, batch, hidden}, torch::kFloat32);
  float* out = mask.data_ptr<float>();
  const auto keep_value = static_cast<float>(1.0 / (1.0 - p));
  const uint64_t step_key = detail::splitmix(t_key ^ (static_cast<uint64_t>(step) << 40));
  for (int64_t c = 0; c < cells; ++c) {
    for (int64_t b = 0; b < batch; ++b) {
      const uint64_t sample_key = detail::splitmix(step_key ^ static_cast<uint64_t>(t_first + b));
      for (int64_t h = 0; h < hidden; ++h) {
        const uint64_t z = detail::splitmix(sample_key + static_cast<uint64_t>(unit_base[c] + h));
        const double u = static_cast<double>(z >> 11) * 0x1.0p-53;  // uniform in [0, 1)
        *out++ = u >= p ? keep_value : 0.0f;
      }
    }
  }
  if (cells == 1) mask = mask[0];
  return mask.to(options);
}

}  // namespace nnn
