// Example 1: a wiring built in code (no YAML), trained on the spiral data
// with the library's Trainer, printing the test accuracy at every thinking
// step after each epoch.
//
//   wiring_in_code [EPOCHS]
#include <cstdlib>
#include <iostream>

#include "nnn/nnn.h"

int main(int argc, char** argv) {
  try {
    // An experiment is a plain struct; every field has a default.
    nnn::ExperimentConfig config;
    config.name = "spiral-in-code";
    config.device = nnn::DeviceSetting::cpu();
    config.threads = 1;
    config.data.source = nnn::SpiralPoints{};  // 3 arms, 300 + 100 points each
    config.model.input_size = 2;
    config.model.output_size = 3;
    config.model.steps = 4;
    config.model.hidden = {24};
    // Cell 0 reads x, cells 1 and 2 work in parallel, cell 3 predicts and
    // feeds 6 channels back to cell 0: d = 2, so steps 3 and 4 can be right.
    config.model.wiring = nnn::layered({1, 2, 1}, /*channels=*/6, /*feedback=*/true);
    config.train.epochs = argc > 1 ? std::atoi(argv[1]) : 40;
    config.train.batch_size = 32;
    config.train.lr = 0.01;

    torch::manual_seed(config.seed);
    nnn::NNN model(nnn::to_options(config.model));  // validates the wiring
    std::cout << model << " with " << model->parameter_count() << " parameters\n";
    nnn::Trainer trainer(model, config, nnn::load_data(config.data, config.seed), torch::kCPU);
    nnn::Trainer::Hooks hooks;
    hooks.on_epoch = [](const nnn::EpochReport& r) {
      std::cout << "epoch " << r.epoch << " loss " << r.train_loss << " test accuracy per step:";
      for (double a : r.test.accuracy) std::cout << " " << 100 * a << "%";
      std::cout << "\n";
    };
    trainer.run(hooks);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "error: " << nnn::user_message(e) << "\n";
    return 1;
  }
}
