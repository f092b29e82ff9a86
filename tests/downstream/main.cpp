// Uses the installed nnn: a wiring in code, a few Trainer epochs on spiral,
// per-step test accuracy; exits non-zero unless the last step learned.
#include <iostream>

#include "nnn/nnn.h"
#include "nnn/version.h"

int main() {
  nnn::ExperimentConfig config;
  config.device = nnn::DeviceSetting::cpu();
  config.threads = 1;
  config.model.input_size = 2;
  config.model.output_size = 3;
  config.model.steps = 3;
  config.model.hidden = {16};
  config.model.wiring = nnn::chain(2, /*channels=*/8);
  config.train.epochs = 15;
  config.train.lr = 0.01;
  torch::manual_seed(0);
  nnn::NNN model(nnn::to_options(config.model));
  nnn::Trainer trainer(model, config, nnn::load_data(config.data, config.seed), torch::kCPU);
  nnn::EpochReport last;
  trainer.run({[&](const nnn::EpochReport& r) { last = r; }, {}, {}});
  std::cout << "nnn " << nnn::kVersion << ", " << model->parameter_count()
            << " parameters; test accuracy per step:";
  for (double a : last.test.accuracy) std::cout << " " << a;
  std::cout << "\n";
  return last.test.accuracy.back() > 0.6 ? 0 : 1;
}
