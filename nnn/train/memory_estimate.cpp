// What a config will allocate, estimated from its model and data sizes.
#include "nnn/train/memory_estimate.h"

#include <fmt/format.h>

#include <algorithm>

#include "nnn/util/error.h"
#include "nnn/util/limits.h"

namespace nnn {

MemoryEstimate estimate_memory(const ExperimentConfig& c) {
  // Doubles throughout: the point is to refuse sizes whose products
  // overflow 64-bit integers too.
  constexpr double kFloat = 4.0;
  const ModelConfig& m = c.model;
  double parameters = 0, activations_per_sample_step = 0, eval_per_sample_step = 0;
  for (int64_t cell = 0; cell < m.wiring.size(); ++cell) {
    const double in = static_cast<double>(m.wiring.in_dim(cell, m.input_size));
    const double h = static_cast<double>(m.hidden_size(cell));
    const double out = static_cast<double>(m.wiring.out_dim(cell, m.output_size));
    parameters += in * h + h + h * out + out;
    // What autograd keeps per sample and step: the gathered input, the
    // hidden pre-activation and activation, the output before and after.
    activations_per_sample_step += in + 2 * h + 2 * out;
    eval_per_sample_step += h + out;
  }
  const double steps = static_cast<double>(m.steps);
  const double frames = static_cast<double>(c.data.frames.count);
  const double batch = static_cast<double>(c.train.batch_size);
  const double eval_batch = static_cast<double>(c.train.eval_batch_size);
  MemoryEstimate e;
  // Parameters, their gradient, the flat copy, Adam's two moments, shards.
  e.parameter_bytes = parameters * kFloat * 6;
  e.activation_bytes = std::max(batch * (steps * activations_per_sample_step +
                                         frames * static_cast<double>(m.input_size)),
                                eval_batch * (steps * eval_per_sample_step +
                                              frames * static_cast<double>(m.input_size))) *
                       kFloat;
  // Generated data sets (files are bounded by their headers when read).
  const double per_sample = static_cast<double>(m.input_size) * kFloat + 8.0;
  if (const auto* spiral = std::get_if<SpiralPoints>(&c.data.source)) {
    e.data_bytes = static_cast<double>(spiral->classes) *
                   static_cast<double>(spiral->train_per_class + spiral->test_per_class) *
                   per_sample;
  } else if (const auto* toy = std::get_if<ToyPoints>(&c.data.source)) {
    e.data_bytes =
        3.0 * static_cast<double>(toy->train_per_class + toy->test_per_class) * per_sample;
  }
  return e;
}

void check_memory(const ExperimentConfig& c, uint64_t available_bytes) {
  const MemoryEstimate e = estimate_memory(c);
  const double budget = static_cast<double>(available_bytes) * limits::kMemoryShare;
  if (e.total() <= budget) return;
  auto gb = [](double bytes) { return fmt::format("{:.1f} GB", bytes / 1e9); };
  std::string key = "model.hidden (or the wiring's cells and channels)";
  if (e.activation_bytes >= e.parameter_bytes && e.activation_bytes >= e.data_bytes) {
    key = "train.batch_size (or model.steps, train.eval_batch_size)";
  } else if (e.data_bytes >= e.parameter_bytes) {
    key = "data.train_per_class (or data.classes)";
  }
  throw Error(fmt::format(
      "{}: the config needs about {} of memory ({} for {:.3g} parameters and their optimiser "
      "state, {} for activations, {} for generated data) but this machine has {}; reduce {}",
      c.file, gb(e.total()), gb(e.parameter_bytes), e.parameter_bytes / 24.0,
      gb(e.activation_bytes), gb(e.data_bytes), gb(static_cast<double>(available_bytes)), key));
}

void check_memory(const ExperimentConfig& config) {
  check_memory(config, limits::available_memory_bytes());
}

}  // namespace nnn
