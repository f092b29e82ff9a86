// What the executors share: routing indices and dropout scales.
#include "nnn/core/network_executors.h"

#include "nnn/core/dropout.h"

namespace nnn {

RoutingIndex::RoutingIndex(const std::vector<int64_t>& positions, int64_t source_width)
    : cpu_(torch::tensor(positions, torch::kLong)), runs_(column_runs(positions, source_width)) {}

const torch::Tensor& RoutingIndex::on(const torch::Device& device) {
  if (device.is_cpu()) return cpu_;
  if (!device_.defined() || device_.device() != device) device_ = cpu_.to(device);
  return device_;
}

torch::Tensor group_dropout(const NetworkPlan& plan, const NetworkPlan::Group& group,
                            double probability, int64_t batch, int64_t step,
                            const torch::TensorOptions& options) {
  std::vector<int64_t> bases;
  for (int64_t c : group.cells) bases.push_back(plan.hidden_base[c]);
  return dropout_scale(batch, bases, group.hidden, step, probability, options);
}

}  // namespace nnn
