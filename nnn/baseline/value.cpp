// The scalar autograd engine.
#include "nnn/baseline/value.h"

#include <cmath>
#include <sstream>
#include <unordered_set>

#include "nnn/util/random.h"

namespace nnn::baseline {

Value::Value(double data, std::string label) : node_(std::make_shared<Node>()) {
  node_->data = data;
  node_->label = std::move(label);
}

double Value::data() const { return node_->data; }
double Value::grad() const { return node_->grad; }
void Value::set_data(double data) { node_->data = data; }
void Value::zero_grad() { node_->grad = 0.0; }
const std::string& Value::label() const { return node_->label; }
Value& Value::label(const std::string& text) {
  node_->label = text;
  return *this;
}
const std::string& Value::op() const { return node_->op; }

Value Value::make(double data, std::string op, std::vector<std::shared_ptr<Node>> parents,
                  std::function<void(Node&)> push) {
  auto node = std::make_shared<Node>();
  node->data = data;
  node->op = std::move(op);
  node->parents = std::move(parents);
  node->push = std::move(push);
  return Value(node);
}

Value operator+(const Value& a, const Value& b) {
  return Value::make(a.data() + b.data(), "+", {a.node_, b.node_}, [](Value::Node& out) {
    out.parents[0]->grad += out.grad;
    out.parents[1]->grad += out.grad;
  });
}

Value operator*(const Value& a, const Value& b) {
  return Value::make(a.data() * b.data(), "*", {a.node_, b.node_}, [](Value::Node& out) {
    out.parents[0]->grad += out.parents[1]->data * out.grad;
    out.parents[1]->grad += out.parents[0]->data * out.grad;
  });
}

Value operator-(const Value& a) { return a * Value(-1.0); }
Value operator-(const Value& a, const Value& b) { return a + (-b); }
Value operator/(const Value& a, const Value& b) { return a * b.pow(-1.0); }

Value Value::pow(double exponent) const {
  return make(std::pow(data(), exponent), "^" + std::to_string(exponent).substr(0, 4), {node_},
              [exponent](Node& out) {
                const double x = out.parents[0]->data;
                out.parents[0]->grad += exponent * std::pow(x, exponent - 1.0) * out.grad;
              });
}

Value Value::exp() const {
  return make(std::exp(data()), "exp", {node_},
              [](Node& out) { out.parents[0]->grad += out.data * out.grad; });
}

Value Value::log() const {
  return make(std::log(data()), "log", {node_},
              [](Node& out) { out.parents[0]->grad += out.grad / out.parents[0]->data; });
}

Value Value::tanh() const {
  return make(std::tanh(data()), "tanh", {node_},
              [](Node& out) { out.parents[0]->grad += (1.0 - out.data * out.data) * out.grad; });
}

Value Value::relu() const {
  return make(data() > 0 ? data() : 0.0, "relu", {node_},
              [](Node& out) { out.parents[0]->grad += (out.data > 0 ? 1.0 : 0.0) * out.grad; });
}

Value Value::sigmoid() const {
  return make(1.0 / (1.0 + std::exp(-data())), "sigmoid", {node_},
              [](Node& out) { out.parents[0]->grad += out.data * (1.0 - out.data) * out.grad; });
}

std::vector<Value> Value::topological_order() const {
  std::vector<Value> order;
  std::unordered_set<const Node*> seen;
  // Iterative depth-first search: deep expressions must not overflow the stack.
  std::vector<std::pair<std::shared_ptr<Node>, size_t>> stack = {{node_, 0}};
  seen.insert(node_.get());
  while (!stack.empty()) {
    auto& [node, next] = stack.back();
    if (next < node->parents.size()) {
      const auto parent = node->parents[next++];
      if (seen.insert(parent.get()).second) stack.emplace_back(parent, 0);
    } else {
      order.push_back(Value(node));
      stack.pop_back();
    }
  }
  return order;
}

void Value::backward() {
  const auto order = topological_order();
  node_->grad = 1.0;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    if (it->node_->push) it->node_->push(*it->node_);
  }
}

std::string Value::to_dot() const {
  std::ostringstream dot;
  dot << "digraph value {\n  rankdir=LR;\n  node [fontname=monospace];\n";
  for (const auto& v : topological_order()) {
    const auto* n = v.node_.get();
    char data[64], grad[64];
    std::snprintf(data, sizeof data, "%.4f", n->data);
    std::snprintf(grad, sizeof grad, "%.4f", n->grad);
    dot << "  v" << n << " [shape=record, label=\"{ " << n->label << " | data " << data
        << " | grad " << grad << " }\"];\n";
    if (!n->op.empty()) {
      dot << "  op" << n << " [label=\"" << n->op << "\"];\n";
      dot << "  op" << n << " -> v" << n << ";\n";
      for (const auto& parent : n->parents) dot << "  v" << parent.get() << " -> op" << n << ";\n";
    }
  }
  dot << "}\n";
  return dot.str();
}

ValueMlp::ValueMlp(int inputs, const std::vector<int>& sizes, uint64_t seed) {
  Rng rng(seed);
  int fan_in = inputs;
  for (int size : sizes) {
    std::vector<Neuron> layer(static_cast<size_t>(size));
    for (auto& neuron : layer) {
      for (int i = 0; i < fan_in; ++i) neuron.w.emplace_back(rng.uniform(-1.0, 1.0));
      neuron.b = Value(0.0);
    }
    layers_.push_back(std::move(layer));
    fan_in = size;
  }
}

std::vector<Value> ValueMlp::operator()(const std::vector<Value>& x) const {
  std::vector<Value> h = x;
  for (size_t l = 0; l < layers_.size(); ++l) {
    std::vector<Value> next;
    for (const auto& neuron : layers_[l]) {
      Value sum = neuron.b;
      for (size_t i = 0; i < neuron.w.size(); ++i) sum = sum + neuron.w[i] * h[i];
      next.push_back(l + 1 < layers_.size() ? sum.tanh() : sum);
    }
    h = std::move(next);
  }
  return h;
}

std::vector<Value> ValueMlp::parameters() const {
  std::vector<Value> params;
  for (const auto& layer : layers_) {
    for (const auto& neuron : layer) {
      params.insert(params.end(), neuron.w.begin(), neuron.w.end());
      params.push_back(neuron.b);
    }
  }
  return params;
}

}  // namespace nnn::baseline
