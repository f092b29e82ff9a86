// Example 4: the from-scratch baseline on its own (no LibTorch in this
// program): an MLP with hand-written backward passes trained with Adam on
// three Gaussian blobs, then a scalar Value expression and its graph.
//
//   from_scratch [EPOCHS] [DOT_PATH]
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "nnn/baseline/layers.h"
#include "nnn/baseline/value.h"
#include "nnn/util/random.h"

using nnn::baseline::Matrix;

int main(int argc, char** argv) {
  const int epochs = argc > 1 ? std::atoi(argv[1]) : 200;
  const std::string dot = argc > 2 ? argv[2] : "value_graph.dot";

  // Three blobs in 2-D, 100 points each.
  nnn::Rng rng(7);
  const int64_t n = 300;
  Matrix x(n, 2);
  std::vector<int64_t> labels(n);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t c = i % 3;
    const double angle = 2.0 * M_PI * static_cast<double>(c) / 3.0;
    x(i, 0) = static_cast<float>(std::cos(angle) + 0.35 * rng.normal());
    x(i, 1) = static_cast<float>(std::sin(angle) + 0.35 * rng.normal());
    labels[static_cast<size_t>(i)] = c;
  }

  using nnn::baseline::Act;
  nnn::baseline::Mlp mlp({2, 16, 3}, {Act::kReLU, Act::kIdentity}, /*seed=*/1);
  nnn::baseline::SoftmaxCrossEntropy loss;
  nnn::baseline::Adam adam(0.02);
  double last = 0;
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    last = loss.forward(mlp.forward(x), labels);  // full batch
    mlp.backward(loss.backward());
    adam.step(mlp.layers());
  }
  const Matrix& p = loss.probabilities();
  int64_t correct = 0;
  for (int64_t i = 0; i < n; ++i) {
    int64_t best = 0;
    for (int64_t c = 1; c < 3; ++c) best = p(i, c) > p(i, best) ? c : best;
    correct += best == labels[static_cast<size_t>(i)];
  }
  std::cout << "from-scratch MLP 2-16-3, " << mlp.parameter_count() << " parameters: loss " << last
            << ", training accuracy " << 100.0 * correct / n << "%\n";

  // A scalar expression: gradients by reverse-mode autodiff on Values.
  using nnn::baseline::Value;
  Value a(2.0, "a"), b(-3.0, "b"), c(10.0, "c");
  Value e = (a * b).label("e");
  Value d = (e + c).label("d");
  Value f(-2.0, "f");
  Value L = (d * f).label("L");
  L.backward();
  std::cout << "L = (a*b + c) * f = " << L.data() << "; dL/da = " << a.grad()
            << ", dL/db = " << b.grad() << ", dL/dc = " << c.grad() << ", dL/df = " << f.grad()
            << "\n";
  std::ofstream(dot) << L.to_dot();
  std::cout << "graph written to " << dot << " (render: dot -Tsvg " << dot << ")\n";
  return correct * 10 >= n * 8 ? 0 : 1;  // the blobs are easy: fail loudly if not learned
}
