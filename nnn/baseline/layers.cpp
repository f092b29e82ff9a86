// Layers, losses and optimisers of the from-scratch baseline.
#include "nnn/baseline/layers.h"

#include <algorithm>
#include <cmath>

#include "nnn/util/error.h"
#include "nnn/util/random.h"

namespace nnn::baseline {

namespace {
// Applies fn element-wise into a new matrix of x's shape.
template <typename Fn>
Matrix map(const Matrix& x, Fn fn) {
  Matrix out(x.rows(), x.cols());
  const float* in = x.data();
  float* o = out.data();
  for (int64_t i = 0; i < x.size(); ++i) o[i] = fn(in[i]);
  return out;
}
}  // namespace

Dense::Dense(int64_t inputs, int64_t outputs, uint64_t seed)
    : w(inputs, outputs), b(1, outputs), dw(inputs, outputs), db(1, outputs) {
  Rng rng(seed);
  const double scale = 1.0 / std::sqrt(static_cast<double>(inputs));
  for (int64_t i = 0; i < w.size(); ++i) w.data()[i] = static_cast<float>(rng.normal() * scale);
}

Matrix Dense::forward(const Matrix& x) {
  input_ = x;
  Matrix y;
  gemm(x, false, w, false, y);
  for (int64_t r = 0; r < y.rows(); ++r) {
    for (int64_t c = 0; c < y.cols(); ++c) y(r, c) += b(0, c);
  }
  return y;
}

Matrix Dense::backward(const Matrix& dy) {
  gemm(input_, /*transpose_a=*/true, dy, false, dw);
  db.fill(0.0f);
  for (int64_t r = 0; r < dy.rows(); ++r) {
    for (int64_t c = 0; c < dy.cols(); ++c) db(0, c) += dy(r, c);
  }
  Matrix dx;
  gemm(dy, false, w, /*transpose_b=*/true, dx);
  return dx;
}

Matrix Activation::forward(const Matrix& x) {
  input_ = x;
  switch (kind_) {
    case Act::kReLU:
      output_ = map(x, [](float v) { return v > 0.0f ? v : 0.0f; });
      break;
    case Act::kSigmoid:
      output_ = map(x, [](float v) { return 1.0f / (1.0f + std::exp(-v)); });
      break;
    case Act::kTanh:
      output_ = map(x, [](float v) { return std::tanh(v); });
      break;
    case Act::kIdentity:
      output_ = x;
      break;
  }
  return output_;
}

Matrix Activation::backward(const Matrix& dy) const {
  Matrix dx(dy.rows(), dy.cols());
  for (int64_t i = 0; i < dy.size(); ++i) {
    const float y = output_.data()[i];
    float local = 1.0f;
    switch (kind_) {
      case Act::kReLU:
        local = input_.data()[i] > 0.0f ? 1.0f : 0.0f;
        break;
      case Act::kSigmoid:
        local = y * (1.0f - y);
        break;
      case Act::kTanh:
        local = 1.0f - y * y;
        break;
      case Act::kIdentity:
        break;
    }
    dx.data()[i] = dy.data()[i] * local;
  }
  return dx;
}

double SoftmaxCrossEntropy::forward(const Matrix& logits, const std::vector<int64_t>& labels) {
  NNN_CHECK(static_cast<int64_t>(labels.size()) == logits.rows(), "baseline: ", labels.size(),
            " labels for ", logits.rows(), " rows of logits");
  labels_ = labels;
  probs_ = Matrix(logits.rows(), logits.cols());
  double loss = 0.0;
  for (int64_t r = 0; r < logits.rows(); ++r) {
    float top = logits(r, 0);
    for (int64_t c = 1; c < logits.cols(); ++c) top = std::max(top, logits(r, c));
    double sum = 0.0;
    for (int64_t c = 0; c < logits.cols(); ++c) {
      probs_(r, c) = std::exp(logits(r, c) - top);  // shifted: no overflow
      sum += probs_(r, c);
    }
    for (int64_t c = 0; c < logits.cols(); ++c)
      probs_(r, c) = static_cast<float>(probs_(r, c) / sum);
    const int64_t y = labels[static_cast<size_t>(r)];
    NNN_CHECK(y >= 0 && y < logits.cols(), "baseline: label ", y, " outside [0, ", logits.cols(),
              ")");
    loss -= (logits(r, y) - top) - std::log(sum);
  }
  return loss / static_cast<double>(logits.rows());
}

Matrix SoftmaxCrossEntropy::backward() const {
  Matrix grad = probs_;
  const auto b = static_cast<float>(probs_.rows());
  for (int64_t r = 0; r < grad.rows(); ++r) {
    grad(r, labels_[static_cast<size_t>(r)]) -= 1.0f;
    for (int64_t c = 0; c < grad.cols(); ++c) grad(r, c) /= b;
  }
  return grad;
}

double MeanSquaredError::forward(const Matrix& prediction, const Matrix& target) {
  NNN_CHECK(prediction.rows() == target.rows() && prediction.cols() == target.cols(),
            "baseline: MSE of [", prediction.rows(), ", ", prediction.cols(), "] against [",
            target.rows(), ", ", target.cols(), "]");
  diff_ = Matrix(prediction.rows(), prediction.cols());
  double sum = 0.0;
  for (int64_t i = 0; i < prediction.size(); ++i) {
    diff_.data()[i] = prediction.data()[i] - target.data()[i];
    sum += static_cast<double>(diff_.data()[i]) * diff_.data()[i];
  }
  return sum / static_cast<double>(prediction.size());
}

Matrix MeanSquaredError::backward() const {
  const auto scale = 2.0f / static_cast<float>(diff_.size());
  return map(diff_, [scale](float d) { return scale * d; });
}

Mlp::Mlp(const std::vector<int64_t>& sizes, const std::vector<Act>& acts, uint64_t seed) {
  NNN_CHECK(sizes.size() >= 2 && acts.size() == sizes.size() - 1, "baseline: an MLP of ",
            sizes.size(), " sizes needs ", sizes.size() - 1, " activations; got ", acts.size());
  for (size_t l = 0; l + 1 < sizes.size(); ++l) {
    layers_.emplace_back(sizes[l], sizes[l + 1], seed + l);
    acts_.emplace_back(acts[l]);
  }
}

Matrix Mlp::forward(const Matrix& x) {
  Matrix h = x;
  for (size_t l = 0; l < layers_.size(); ++l) h = acts_[l].forward(layers_[l].forward(h));
  return h;
}

void Mlp::backward(const Matrix& dy) {
  Matrix g = dy;
  for (size_t l = layers_.size(); l-- > 0;) g = layers_[l].backward(acts_[l].backward(g));
}

int64_t Mlp::parameter_count() const {
  int64_t n = 0;
  for (const auto& layer : layers_) n += layer.w.size() + layer.b.size();
  return n;
}

void Sgd::step(std::vector<Dense>& layers) {
  const auto lr = static_cast<float>(current_lr());
  if (velocity_.empty()) {
    for (const auto& layer : layers) {
      velocity_.emplace_back(layer.w.rows(), layer.w.cols());
      velocity_.emplace_back(layer.b.rows(), layer.b.cols());
    }
  }
  const auto momentum = static_cast<float>(momentum_);
  for (size_t l = 0; l < layers.size(); ++l) {
    Matrix* params[2] = {&layers[l].w, &layers[l].b};
    const Matrix* grads[2] = {&layers[l].dw, &layers[l].db};
    for (int k = 0; k < 2; ++k) {
      Matrix& v = velocity_[2 * l + static_cast<size_t>(k)];
      for (int64_t i = 0; i < v.size(); ++i) {
        // The tutorials' form: v = momentum v - lr g; p += v (plain SGD at momentum 0).
        v.data()[i] = momentum * v.data()[i] - lr * grads[k]->data()[i];
        params[k]->data()[i] += v.data()[i];
      }
    }
  }
  ++iterations_;
}

void Adam::step(std::vector<Dense>& layers) {
  if (m_.empty()) {
    for (const auto& layer : layers) {
      m_.emplace_back(layer.w.rows(), layer.w.cols());
      m_.emplace_back(layer.b.rows(), layer.b.cols());
      v_.emplace_back(layer.w.rows(), layer.w.cols());
      v_.emplace_back(layer.b.rows(), layer.b.cols());
    }
  }
  ++t_;
  const double c1 = 1.0 - std::pow(beta1_, static_cast<double>(t_));
  const double c2 = 1.0 - std::pow(beta2_, static_cast<double>(t_));
  for (size_t l = 0; l < layers.size(); ++l) {
    Matrix* params[2] = {&layers[l].w, &layers[l].b};
    const Matrix* grads[2] = {&layers[l].dw, &layers[l].db};
    for (int k = 0; k < 2; ++k) {
      Matrix& m = m_[2 * l + static_cast<size_t>(k)];
      Matrix& v = v_[2 * l + static_cast<size_t>(k)];
      for (int64_t i = 0; i < m.size(); ++i) {
        const double g = grads[k]->data()[i];
        m.data()[i] = static_cast<float>(beta1_ * m.data()[i] + (1.0 - beta1_) * g);
        v.data()[i] = static_cast<float>(beta2_ * v.data()[i] + (1.0 - beta2_) * g * g);
        const double denom = std::sqrt(v.data()[i]) / std::sqrt(c2) + eps_;
        params[k]->data()[i] -= static_cast<float>(lr_ / c1 * m.data()[i] / denom);
      }
    }
  }
}

ClassicNetwork::ClassicNetwork(int64_t inputs, int64_t hidden, int64_t outputs, double lr,
                               uint64_t seed)
    : mlp_({inputs, hidden, outputs}, {Act::kSigmoid, Act::kSigmoid}, seed), sgd_(lr) {}

double ClassicNetwork::train(const std::vector<float>& input, const std::vector<float>& target) {
  const Matrix x(1, static_cast<int64_t>(input.size()), input);
  const Matrix y(1, static_cast<int64_t>(target.size()), target);
  const double error = mse_.forward(mlp_.forward(x), y);
  mlp_.backward(mse_.backward());
  sgd_.step(mlp_.layers());
  return error;
}

std::vector<float> ClassicNetwork::query(const std::vector<float>& input) {
  return mlp_.forward(Matrix(1, static_cast<int64_t>(input.size()), input)).values();
}

}  // namespace nnn::baseline
