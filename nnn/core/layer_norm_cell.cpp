// The layer-normalised cell.
#include "nnn/core/layer_norm_cell.h"

#include <torch/types.h>

#include <cmath>

#include "nnn/core/cell.h"

namespace nnn {

LayerNormCellImpl::LayerNormCellImpl(const CellSpec& spec_) : spec(spec_) { reset(); }

void LayerNormCellImpl::reset() {
  w1 = register_parameter("w1", torch::empty({spec.in_dim, spec.hidden}));
  b1 = register_parameter("b1", torch::empty({spec.hidden}));
  gain = register_parameter("gain", torch::empty({spec.hidden}));
  bias = register_parameter("bias", torch::empty({spec.hidden}));
  w2 = register_parameter("w2", torch::empty({spec.hidden, spec.out_dim}));
  b2 = register_parameter("b2", torch::empty({spec.out_dim}));
  reset_parameters();
}

void LayerNormCellImpl::reset_parameters() {
  torch::NoGradGuard no_grad;
  w1.normal_(0.0, 1.0).div_(std::sqrt(static_cast<double>(spec.in_dim)));
  w2.normal_(0.0, 1.0).div_(std::sqrt(static_cast<double>(spec.hidden)));
  b1.zero_();
  bias.zero_();
  gain.fill_(1.0);
  b2.zero_();
}

void LayerNormCellImpl::pretty_print(std::ostream& stream) const {
  stream << "nnn::LayerNormCell(in_dim=" << spec.in_dim << ", hidden=" << spec.hidden
         << ", out_dim=" << spec.out_dim << ")";
}

torch::Tensor LayerNormCellImpl::forward(const torch::Tensor& u) {
  const auto pre = torch::layer_norm(torch::addmm(b1, u, w1), {spec.hidden}, gain, bias);
  return activate(spec.output_activation,
                  torch::addmm(b2, activate(spec.hidden_activation, pre), w2));
}

}  // namespace nnn
