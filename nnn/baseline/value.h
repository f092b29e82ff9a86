// A micrograd-style scalar autograd engine: each Value is a node holding
// data and grad, the Values it was computed from, and how to push its
// gradient back to them. backward() runs those rules in reverse topological
// order; a Value used twice receives both contributions (gradients add).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace nnn::baseline {

class Value {
 public:
  Value(double data = 0.0, std::string label = "");  // NOLINT: a number is a Value

  double data() const;
  double grad() const;
  void set_data(double data);
  void zero_grad();
  const std::string& label() const;
  Value& label(const std::string& text);
  const std::string& op() const;

  /// Sets this value's grad to 1 and propagates to every value it depends on.
  void backward();

  friend Value operator+(const Value& a, const Value& b);
  friend Value operator*(const Value& a, const Value& b);
  friend Value operator-(const Value& a, const Value& b);
  friend Value operator/(const Value& a, const Value& b);
  friend Value operator-(const Value& a);
  Value pow(double exponent) const;
  Value exp() const;
  Value log() const;
  Value tanh() const;
  Value relu() const;
  Value sigmoid() const;

  /// Graphviz DOT of the expression graph ending here: a record per value
  /// (label | data | grad) and an oval per operation.
  std::string to_dot() const;
  /// Every value this one depends on (itself last), in topological order.
  std::vector<Value> topological_order() const;

 private:
  struct Node {
    double data = 0.0;
    double grad = 0.0;
    std::string label;
    std::string op;
    std::vector<std::shared_ptr<Node>> parents;
    std::function<void(Node&)> push;  // adds this node's grad into its parents'
  };
  explicit Value(std::shared_ptr<Node> node) : node_(std::move(node)) {}
  static Value make(double data, std::string op, std::vector<std::shared_ptr<Node>> parents,
                    std::function<void(Node&)> push);

  std::shared_ptr<Node> node_;
};

/// A neuron sum(w_i x_i) + b followed by tanh (or linear), layers of them and
/// an MLP, on Values, as in the micrograd lectures.
class ValueMlp {
 public:
  ValueMlp(int inputs, const std::vector<int>& sizes, uint64_t seed);
  /// The last layer is linear; hidden layers use tanh.
  std::vector<Value> operator()(const std::vector<Value>& x) const;
  std::vector<Value> parameters() const;

 private:
  struct Neuron {
    std::vector<Value> w;
    Value b;
  };
  std::vector<std::vector<Neuron>> layers_;
};

}  // namespace nnn::baseline
