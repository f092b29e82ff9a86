// `nnn micrograd-demo [--dot PATH]`: the tanh neuron of the micrograd
// lecture on the from-scratch scalar Value engine.
#include <fmt/core.h>

#include <cstdlib>
#include <memory>

#include "apps/nnn/command.h"
#include "nnn/baseline/value.h"
#include "nnn/util/files.h"

namespace nnn::cli {

namespace {

int run_demo(const std::string& dot) {
  using baseline::Value;
  Value x1(2.0, "x1"), x2(0.0, "x2"), w1(-3.0, "w1"), w2(1.0, "w2"), b(6.7, "b");
  Value x1w1 = (x1 * w1).label("x1*w1");
  Value x2w2 = (x2 * w2).label("x2*w2");
  Value n = (x1w1 + x2w2 + b).label("n");
  Value o = n.tanh().label("o");
  o.backward();
  fmt::print("o = tanh(x1*w1 + x2*w2 + b) = {:.6f}\n", o.data());
  for (const Value* v : {&x1, &w1, &x2, &w2, &b, &n}) {
    fmt::print("  d o / d {:<3} = {:+.6f}\n", v->label(), v->grad());
  }
  // tanh written out: (e^{2n} - 1) / (e^{2n} + 1), the same gradients.
  Value y1(2.0, "x1"), y2(0.0, "x2"), v1(-3.0, "w1"), v2(1.0, "w2"), c(6.7, "b");
  Value e = (Value(2.0) * (y1 * v1 + y2 * v2 + c)).exp().label("e");
  Value o2 = ((e - Value(1.0)) / (e + Value(1.0))).label("o");
  o2.backward();
  fmt::print(
      "with tanh as (e^2n - 1)/(e^2n + 1): o = {:.6f}, d o/d x1 = {:+.6f}, d o/d w1 = {:+.6f}\n",
      o2.data(), y1.grad(), v1.grad());
  write_file_atomically(dot, o.to_dot());
  fmt::print("graph written to {}\n", dot);
  const std::string stem = dot.substr(0, dot.rfind('.'));
  for (const char* format : {"svg", "png"}) {
    const std::string out = stem + "." + format;
    if (!render_dot(dot, format, out)) {
      fmt::print("(Graphviz is not installed, so it is not drawn; scripts/setup.sh installs it)\n");
      return 0;
    }
    fmt::print("rendered {}\n", out);
  }
  return 0;
}

}  // namespace

void add_micrograd_demo_command(Commands& commands) {
  auto dot = std::make_shared<std::string>("micrograd.dot");
  CLI::App* command = commands.add(
      "micrograd-demo",
      "The tanh neuron of the micrograd lecture on the scalar Value engine: print the "
      "gradients, write the expression graph as DOT (and SVG/PNG when Graphviz is installed).",
      [dot] { return run_demo(*dot); });
  command->add_option("--dot", *dot, "Where to write the graph");
}

}  // namespace nnn::cli
