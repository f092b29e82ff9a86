// The from-scratch MLP of the classic tutorials: layers with explicit
// forward/backward, softmax + categorical cross-entropy (the simplified
// gradient), mean squared error, SGD (decay, momentum) and Adam. Backward
// passes take d(loss)/d(output) and return d(loss)/d(input); Dense keeps its
// parameter gradients for the optimiser.
//
// Dimension key: B batch, I inputs, O outputs, C classes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nnn/baseline/matrix.h"

namespace nnn::baseline {

class Dense {
 public:
  /// Weights ~ N(0, 1) / sqrt(inputs) from `seed`, biases zero.
  Dense(int64_t inputs, int64_t outputs, uint64_t seed);
  // x: [B, I] -> [B, O]
  Matrix forward(const Matrix& x);
  // dy: [B, O] -> dx: [B, I]; sets dw = x^T dy, db = column sums of dy
  Matrix backward(const Matrix& dy);

  Matrix w;   // [I, O]
  Matrix b;   // [1, O]
  Matrix dw;  // [I, O]
  Matrix db;  // [1, O]

 private:
  Matrix input_;
};

enum class Act { kReLU, kSigmoid, kTanh, kIdentity };

/// An element-wise activation; backward uses the saved output (or input).
class Activation {
 public:
  explicit Activation(Act kind) : kind_(kind) {}
  Matrix forward(const Matrix& x);
  Matrix backward(const Matrix& dy) const;
  Act kind() const { return kind_; }

 private:
  Act kind_;
  Matrix input_, output_;
};

/// Softmax over each row, then the mean categorical cross-entropy; backward
/// is the simplified (probabilities - one_hot) / B.
class SoftmaxCrossEntropy {
 public:
  // logits: [B, C], labels: B class indices -> mean loss
  double forward(const Matrix& logits, const std::vector<int64_t>& labels);
  Matrix backward() const;  // [B, C]
  const Matrix& probabilities() const { return probs_; }

 private:
  Matrix probs_;
  std::vector<int64_t> labels_;
};

/// Mean of the squared errors over every element.
class MeanSquaredError {
 public:
  double forward(const Matrix& prediction, const Matrix& target);
  Matrix backward() const;  // 2 (prediction - target) / (B * O)

 private:
  Matrix diff_;
};

/// Dense layers with an activation after each (the last usually identity
/// when followed by softmax), e.g. sizes {784, 128, 10}, acts {relu, identity}.
class Mlp {
 public:
  Mlp(const std::vector<int64_t>& sizes, const std::vector<Act>& acts, uint64_t seed);
  Matrix forward(const Matrix& x);
  void backward(const Matrix& dy);
  int64_t parameter_count() const;
  std::vector<Dense>& layers() { return layers_; }

 private:
  std::vector<Dense> layers_;
  std::vector<Activation> acts_;
};

/// SGD with learning-rate decay lr / (1 + decay * iterations) and momentum.
class Sgd {
 public:
  Sgd(double lr, double decay = 0.0, double momentum = 0.0)
      : lr_(lr), decay_(decay), momentum_(momentum) {}
  void step(std::vector<Dense>& layers);
  double current_lr() const { return lr_ / (1.0 + decay_ * static_cast<double>(iterations_)); }

 private:
  double lr_, decay_, momentum_;
  int64_t iterations_ = 0;
  std::vector<Matrix> velocity_;  // per layer: w then b
};

/// Adam (bias-corrected moments), the same rule as torch.optim.Adam.
class Adam {
 public:
  explicit Adam(double lr, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
      : lr_(lr), beta1_(beta1), beta2_(beta2), eps_(eps) {}
  void step(std::vector<Dense>& layers);

 private:
  double lr_, beta1_, beta2_, eps_;
  int64_t t_ = 0;
  std::vector<Matrix> m_, v_;  // per layer: w then b
};

/// The first tutorials' network, per-sample "train / query" style: sigmoid
/// after every layer, mean squared error against the target vector (e.g.
/// 0.01 / 0.99 one-hot), plain SGD, one sample per update.
class ClassicNetwork {
 public:
  ClassicNetwork(int64_t inputs, int64_t hidden, int64_t outputs, double lr, uint64_t seed);
  /// One forward, backward and update on a single sample; returns its error.
  double train(const std::vector<float>& input, const std::vector<float>& target);
  /// The network's outputs for one sample.
  std::vector<float> query(const std::vector<float>& input);
  Mlp& mlp() { return mlp_; }

 private:
  Mlp mlp_;
  Sgd sgd_;
  MeanSquaredError mse_;
};

}  // namespace nnn::baseline
