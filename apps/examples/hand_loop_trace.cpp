// Example 2: a hand-written training loop with the NNN module and
// torch::optim, then every edge's message norm at every step, from trace(),
// written to a CSV file (step, from, to, channels, mean L2 norm).
//
//   hand_loop_trace [EPOCHS] [CSV_PATH]
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "nnn/nnn.h"

int main(int argc, char** argv) {
  try {
    const int epochs = argc > 1 ? std::atoi(argv[1]) : 30;
    const std::string csv = argc > 2 ? argv[2] : "edges.csv";
    torch::manual_seed(0);
    nnn::DataConfig data_config;  // spiral by default
    const nnn::DataSplit data = nnn::load_data(data_config, /*seed=*/0);

    const nnn::Wiring wiring = nnn::layered({1, 2, 1}, /*channels=*/4, /*feedback=*/true);
    nnn::NNN model(
        nnn::NNNOptions(wiring, /*input_size=*/2, /*output_size=*/3, /*steps=*/4).hidden({16}));
    torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-2));
    nnn::BatchLoader loader(data.train, /*batch_size=*/32, /*shuffle=*/true, /*seed=*/0,
                            torch::kCPU);
    for (int epoch = 1; epoch <= epochs; ++epoch) {
      loader.start_epoch(epoch);
      double total = 0;
      for (int64_t b = 0; b < loader.batches(); ++b) {
        const auto [x, y] = loader.batch(b);
        // The loss on the last step; predictions are [T, B, C].
        const auto loss =
            nnn::step_loss(model->forward(x), y, nnn::LossSteps::kLast, model->distance());
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        total += loss.item<double>();
      }
      if (epoch % 10 == 0 || epoch == epochs) {
        std::cout << "epoch " << epoch << " mean loss " << total / loader.batches() << "\n";
      }
    }

    torch::NoGradGuard no_grad;
    const nnn::NNNTrace trace = model->trace(data.test.inputs);
    const auto accuracy = trace.predictions[-1].argmax(1).eq(data.test.labels).to(torch::kFloat);
    std::cout << "test accuracy at the last step: " << 100 * accuracy.mean().item<double>()
              << "%\n";
    // Cell i's message is [prediction if output cell, channels to 0..N-1];
    // send_offset says where its channels to cell j start.
    std::ofstream out(csv);
    out << "step,from,to,channels,mean_norm\n";
    for (int64_t t = 0; t < trace.predictions.size(0); ++t) {
      for (int64_t i = 0; i < wiring.size(); ++i) {
        for (int64_t j = 0; j < wiring.size(); ++j) {
          const int64_t channels = wiring.channels(i, j);
          if (channels == 0) continue;
          const auto edge = trace.messages[i][t].narrow(1, wiring.send_offset(i, j, 3), channels);
          out << t + 1 << "," << i << "," << j << "," << channels << ","
              << edge.norm(2, {1}).mean().item<double>() << "\n";
        }
      }
    }
    std::cout << "edge message norms written to " << csv << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "error: " << nnn::user_message(e) << "\n";
    return 1;
  }
}
