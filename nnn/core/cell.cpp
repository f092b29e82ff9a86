// Cell: parameters, initialisation and the two-layer forward pass.
#include "nnn/core/cell.h"

#include "nnn/kernels/activations.h"
#include "nnn/kernels/plain_floats.h"
#include "nnn/util/error.h"

namespace nnn {

torch::Tensor activate(Activation activation, const torch::Tensor& x) {
  switch (activation) {
    case Activation::kReLU:
      return torch::relu(x);
    case Activation::kSigmoid:
      return torch::sigmoid(x);
    case Activation::kTanh:
      return torch::tanh(x);
    case Activation::kLogSigmoid:
      return torch::log_sigmoid(x);
    case Activation::kIdentity:
      return x;
  }
  throw Error("activate: unknown activation");
}

namespace {

// The derivative loops (nnn/kernels/activations) take over from LibTorch
// for contiguous CPU floats outside autograd.
bool loop_applies(const torch::Tensor& grad, const torch::Tensor& y) {
  return plain_cpu_floats({grad, y}) && !grad.requires_grad() && !y.requires_grad() &&
         grad.sizes() == y.sizes();
}

using BackwardLoop = void (*)(const float*, const float*, float*, int64_t);

// The derivative loop of an activation that has one (ReLU, log-sigmoid), or null.
BackwardLoop backward_loop_of(Activation activation) {
  if (activation == Activation::kReLU) return relu_backward;
  if (activation == Activation::kLogSigmoid) return log_sigmoid_backward;
  return nullptr;
}

torch::Tensor backward_loop(BackwardLoop loop, const torch::Tensor& grad, const torch::Tensor& y) {
  auto out = torch::empty_like(grad);
  loop(grad.data_ptr<float>(), y.data_ptr<float>(), out.data_ptr<float>(), grad.numel());
  return out;
}

}  // namespace

torch::Tensor activate_(Activation activation, const torch::Tensor& x) {
  switch (activation) {
    case Activation::kReLU:
      if (plain_cpu_floats({x})) {
        relu_forward(x.data_ptr<float>(), x.data_ptr<float>(), x.numel());
        return x;
      }
      return x.relu_();
    case Activation::kSigmoid:
      return x.sigmoid_();
    case Activation::kTanh:
      return x.tanh_();
    case Activation::kLogSigmoid:
      if (plain_cpu_floats({x})) {
        log_sigmoid_forward(x.data_ptr<float>(), x.data_ptr<float>(), x.numel());
        return x;
      }
      return x.copy_(activate(activation, x));
    case Activation::kIdentity:
      return x;
  }
  throw Error("activate_: unknown activation");
}

torch::Tensor activation_backward(Activation activation, const torch::Tensor& grad,
                                  const torch::Tensor& y) {
  switch (activation) {
    case Activation::kReLU:
      if (loop_applies(grad, y)) return backward_loop(relu_backward, grad, y);
      return torch::threshold_backward(grad, y, 0);
    case Activation::kSigmoid:
      return torch::sigmoid_backward(grad, y);
    case Activation::kTanh:
      return torch::tanh_backward(grad, y);
    case Activation::kLogSigmoid:
      // d log(sigmoid(x)) / dx = 1 - sigmoid(x) = 1 - exp(y): grad - grad * exp(y).
      if (loop_applies(grad, y)) return backward_loop(log_sigmoid_backward, grad, y);
      return torch::addcmul(grad, grad, y.exp(), /*value=*/-1);
    case Activation::kIdentity:
      return grad;
  }
  throw Error("activation_backward: unknown activation");
}

void activation_backward_into(Activation activation, const torch::Tensor& grad,
                              const torch::Tensor& y, const torch::Tensor& out) {
  NNN_CHECK(out.sizes() == grad.sizes(), "internal: activation_backward_into ", grad.sizes(),
            " into ", out.sizes());
  const BackwardLoop backward = backward_loop_of(activation);
  if (backward != nullptr && loop_applies(grad, y) && plain_cpu_floats({out})) {
    backward(grad.data_ptr<float>(), y.data_ptr<float>(), out.data_ptr<float>(), grad.numel());
    return;
  }
  out.copy_(activation_backward(activation, grad, y));
}

void activate_columns_(Activation activation, const torch::Tensor& x, int64_t first,
                       int64_t count) {
  const bool loop = activation == Activation::kReLU || activation == Activation::kLogSigmoid;
  if (loop && plain_cpu_floats({x}) && x.dim() == 2) {
    const auto forward = activation == Activation::kReLU ? relu_forward : log_sigmoid_forward;
    float* data = x.data_ptr<float>() + first;
    for (int64_t r = 0, rows = x.size(0), width = x.size(1); r < rows; ++r) {
      forward(data + r * width, data + r * width, count);
    }
    return;
  }
  const auto columns = x.narrow(1, first, count);
  columns.copy_(activate(activation, columns));
}

void activation_backward_columns(Activation activation, const torch::Tensor& grad,
                                 const torch::Tensor& y, const torch::Tensor& out, int64_t first,
                                 int64_t count) {
  const BackwardLoop backward = backward_loop_of(activation);
  if (backward != nullptr && loop_applies(grad, y) && plain_cpu_floats({out}) &&
      out.sizes() == grad.sizes() && grad.dim() == 2) {
    const int64_t width = grad.size(1);
    const float* g = grad.data_ptr<float>() + first;
    const float* v = y.data_ptr<float>() + first;
    float* o = out.data_ptr<float>() + first;
    for (int64_t r = 0, rows = grad.size(0); r < rows; ++r) {
      backward(g + r * width, v + r * width, o + r * width, count);
    }
    return;
  }
  out.narrow(1, first, count)
      .copy_(
          activation_backward(activation, grad.narrow(1, first, count), y.narrow(1, first, count)));
}

CellImpl::CellImpl(const CellOptions& options_) : options(options_) { reset(); }

void CellImpl::reset() {
  NNN_CHECK(options.in_dim() > 0 && options.hidden() > 0 && options.out_dim() > 0,
            "cell dims must be positive; got in_dim ", options.in_dim(), ", hidden ",
            options.hidden(), ", out_dim ", options.out_dim());
  w1 = register_parameter("w1", torch::empty({options.in_dim(), options.hidden()}));
  b1 = register_parameter("b1", torch::empty({options.hidden()}));
  w2 = register_parameter("w2", torch::empty({options.hidden(), options.out_dim()}));
  b2 = register_parameter("b2", torch::empty({options.out_dim()}));
  reset_parameters();
}

void CellImpl::reset_parameters() {
  torch::NoGradGuard no_grad;
  w1.normal_(0.0, 1.0).div_(std::sqrt(static_cast<double>(options.in_dim())));
  w2.normal_(0.0, 1.0).div_(std::sqrt(static_cast<double>(options.hidden())));
  b1.zero_();
  b2.zero_();
}

void CellImpl::pretty_print(std::ostream& stream) const {
  stream << "nnn::Cell(in_dim=" << options.in_dim() << ", hidden=" << options.hidden()
         << ", out_dim=" << options.out_dim()
         << ", hidden_activation=" << to_string(options.hidden_activation())
         << ", output_activation=" << to_string(options.output_activation()) << ")";
}

torch::Tensor CellImpl::finish(const torch::Tensor& hidden_pre) {
  const auto h = activate(options.hidden_activation(), hidden_pre);
  return activate(options.output_activation(), torch::addmm(b2, h, w2));
}

torch::Tensor CellImpl::forward(const torch::Tensor& u) { return finish(torch::addmm(b1, u, w1)); }

}  // namespace nnn
