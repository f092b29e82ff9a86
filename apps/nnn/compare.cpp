// `nnn compare CONFIG [key=value ...] [--out DIR] [--classic LR]`.
#include <iostream>
#include <memory>

#include "apps/nnn/command.h"
#include "nnn/experiments/compare.h"

namespace nnn::cli {

void add_compare_command(Commands& commands) {
  struct Options {
    std::string config, out;
    std::vector<std::string> overrides;
    double classic_lr = 0.0;
  };
  auto o = std::make_shared<Options>();
  CLI::App* command = commands.add(
      "compare",
      "Train the config's NNN, a LibTorch MLP with a matched parameter count and the "
      "from-scratch MLP on the same data, epochs, batch and seed; print and write compare.md "
      "and compare.json.",
      [o] {
        run_comparison(o->config, o->overrides, o->out, std::cout, o->classic_lr);
        return 0;
      });
  command->add_option("config", o->config, "The experiment YAML")
      ->required()
      ->check(CLI::ExistingFile);
  add_overrides(command, o->overrides);
  command->add_option("--out", o->out, "Output directory (default runs/<name>-compare-<time>)");
  command
      ->add_option("--classic", o->classic_lr,
                   "Also train the first tutorials' per-sample sigmoid/MSE network with SGD at "
                   "this learning rate")
      ->check(finite_number())
      ->check(CLI::PositiveNumber);
}

}  // namespace nnn::cli
