// Example 3: a user-defined cell plugged into a YAML experiment. The cell
// gates its output with a sigmoid of its own input,
//     h = relu(u W1 + b1),  g = sigmoid(u Wg + bg),  y = act_out(g * (h W2 + b2)),
// registered as "gated"; then the same experiment (same data, seed, epochs)
// is trained with the standard cell and with the gated one, and compared.
//
//   custom_cell [CONFIG] [key=value ...]   (default experiments/spiral.yaml)
#include <fmt/core.h>

#include <cmath>
#include <iostream>
#include <sstream>

#include "nnn/nnn.h"

namespace {

// A cell is a Cloneable module that implements nnn::CellContract.
class GatedCellImpl : public torch::nn::Cloneable<GatedCellImpl>, public nnn::CellContract {
 public:
  explicit GatedCellImpl(const nnn::CellSpec& spec) : spec_(spec) { reset(); }

  void reset() override {
    w1 = register_parameter("w1", torch::empty({spec_.in_dim, spec_.hidden}));
    b1 = register_parameter("b1", torch::empty({spec_.hidden}));
    wg = register_parameter("wg", torch::empty({spec_.in_dim, spec_.out_dim}));
    bg = register_parameter("bg", torch::empty({spec_.out_dim}));
    w2 = register_parameter("w2", torch::empty({spec_.hidden, spec_.out_dim}));
    b2 = register_parameter("b2", torch::empty({spec_.out_dim}));
    reset_parameters();
  }
  void reset_parameters() override {
    torch::NoGradGuard no_grad;
    w1.normal_().div_(std::sqrt(static_cast<double>(spec_.in_dim)));
    wg.normal_().div_(std::sqrt(static_cast<double>(spec_.in_dim)));
    w2.normal_().div_(std::sqrt(static_cast<double>(spec_.hidden)));
    b1.zero_();
    bg.fill_(1.0);  // start mostly open
    b2.zero_();
  }
  // u: [B, in_dim] -> [B, out_dim]
  torch::Tensor forward(const torch::Tensor& u) override {
    const auto h = torch::relu(torch::addmm(b1, u, w1));
    const auto gate = torch::sigmoid(torch::addmm(bg, u, wg));
    return nnn::activate(spec_.output_activation, gate * torch::addmm(b2, h, w2));
  }

  torch::Tensor w1, b1, wg, bg, w2, b2;

 private:
  nnn::CellSpec spec_;
};
TORCH_MODULE(GatedCell);

}  // namespace

int main(int argc, char** argv) {
  try {
    nnn::register_cell_type("gated",
                            [](const nnn::CellSpec& spec) { return GatedCell(spec).ptr(); });
    const std::string config = argc > 1 ? argv[1] : "experiments/spiral.yaml";
    std::vector<std::string> overrides(argv + std::min(argc, 2), argv + argc);
    overrides.push_back("threads=1");
    fmt::print("{:<12} {:>10} {:>30}\n", "cell", "parameters", "test accuracy % per step");
    for (const char* cell : {"perceptron", "gated"}) {
      nnn::RunOptions run;
      run.config_path = config;
      run.overrides = overrides;
      run.overrides.push_back(std::string("model.cell=") + cell);
      run.out = nnn::RunDirectory::named(std::string("custom_cell-") + cell).path();
      std::ostringstream log;  // the usual training report, kept quiet here
      const nnn::RunResult result = nnn::run_training(run, log);
      std::string accuracy;
      for (double a : result.last.test.accuracy) accuracy += fmt::format(" {:5.1f}", 100 * a);
      fmt::print("{:<12} {:>10} {:>30}   ({})\n", cell, result.parameters, accuracy, result.dir);
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "error: " << nnn::user_message(e) << "\n";
    return 1;
  }
}
