// The three-way comparison. The NNN and the LibTorch MLP go through the
// ordinary run machinery (each gets its own run directory inside the
// comparison's); the from-scratch MLP is trained here on the same batches.
#include "nnn/experiments/compare.h"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <functional>
#include <ostream>

#include "nnn/baseline/layers.h"
#include "nnn/config/experiment_config.h"
#include "nnn/data/batch_loader.h"
#include "nnn/data/load_data.h"
#include "nnn/runtime/parallel.h"
#include "nnn/tracking/event_file.h"
#include "nnn/train/loaded_run.h"
#include "nnn/train/run.h"
#include "nnn/train/trainer.h"
#include "nnn/util/error.h"
#include "nnn/util/files.h"

#include <nlohmann/json.hpp>

namespace nnn {

namespace fs = std::filesystem;

namespace {

baseline::Matrix to_matrix(const torch::Tensor& t) {
  const auto c = t.to(torch::kCPU, torch::kFloat).contiguous();
  return baseline::Matrix(c.size(0), c.size(1),
                          std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel()));
}

std::vector<int64_t> to_labels(const torch::Tensor& t) {
  const auto c = t.to(torch::kCPU, torch::kLong).contiguous();
  return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

// Share of rows whose largest output is the label.
double accuracy_of(const baseline::Matrix& outputs, const std::vector<int64_t>& labels) {
  int64_t correct = 0;
  for (int64_t r = 0; r < outputs.rows(); ++r) {
    int64_t best = 0;
    for (int64_t c = 1; c < outputs.cols(); ++c) best = outputs(r, c) > outputs(r, best) ? c : best;
    correct += best == labels[static_cast<size_t>(r)];
  }
  return static_cast<double>(correct) / static_cast<double>(std::max<int64_t>(1, outputs.rows()));
}

// Hidden width of a one-hidden-layer MLP D_in-h-C with about `parameters`.
int64_t matched_hidden(int64_t parameters, int64_t inputs, int64_t classes) {
  return std::max<int64_t>(1, (parameters - classes) / (inputs + 1 + classes));
}

CompareRow from_run(const std::string& name, const RunResult& run) {
  CompareRow row;
  row.model = name;
  row.parameters = run.parameters;
  row.seconds = run.seconds;
  row.test_accuracy = run.last.test.accuracy;
  row.final_loss = run.last.train_loss;
  row.samples_per_second = run.last.samples_per_second;
  return row;
}

// Runs config.train.epochs over the loader's batches with `step` (x, y ->
// the batch's loss), evaluating `predict` on the test set after every epoch,
// like the other two runs, inside the timing.
CompareRow timed_epochs(
    const char* label, const char* loss_name, const ExperimentConfig& config, const DataSplit& data,
    BatchLoader& loader, int64_t parameters,
    const std::function<double(const torch::Tensor&, const torch::Tensor&)>& step,
    const std::function<baseline::Matrix(const baseline::Matrix&)>& predict, std::ostream& log,
    const std::string& board) {
  const baseline::Matrix test_inputs = to_matrix(data.test.inputs);
  const auto test_labels = to_labels(data.test.labels);
  CompareRow row;
  row.parameters = parameters;
  // TensorBoard: the same tags as the LibTorch runs beside it (train/loss
  // or train/mse, test/accuracy), so `tensorboard --logdir COMPARE` overlays them.
  const double opened = wall_clock_seconds();
  const std::string events_file =
      (fs::path(board) / fmt::format("events.out.tfevents.{}.nnn", static_cast<int64_t>(opened)))
          .string();
  std::string records = events::file_version(opened);
  fs::create_directories(board);
  const auto start = std::chrono::steady_clock::now();
  for (int64_t epoch = 1; epoch <= config.train.epochs; ++epoch) {
    loader.start_epoch(epoch);
    double loss_sum = 0.0;
    for (int64_t b = 0; b < loader.batches(); ++b) {
      const auto [x, y] = loader.batch(b);
      loss_sum += step(x, y);
    }
    row.final_loss = loss_sum / static_cast<double>(loader.batches());
    row.test_accuracy = {accuracy_of(predict(test_inputs), test_labels)};
    fmt::print(log, "{} epoch {}/{} {} {:.4f} | test acc {:.2f}%\n", label, epoch,
               config.train.epochs, loss_name, row.final_loss, 100 * row.test_accuracy[0]);
    const double now = wall_clock_seconds();
    records += events::scalar(std::string("train/") + loss_name, epoch, row.final_loss, now);
    records += events::scalar("test/accuracy", epoch, row.test_accuracy[0], now);
    write_file_atomically(events_file, records);
    log.flush();
  }
  row.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  row.samples_per_second =
      static_cast<double>(data.train.size() * config.train.epochs) / row.seconds;
  return row;
}

// The from-scratch MLP: relu hidden layer, softmax + cross-entropy, the
// config's optimiser (sgd with momentum, or adam) and learning rate.
CompareRow train_baseline(const ExperimentConfig& config, const DataSplit& data, int64_t hidden,
                          std::ostream& log, const std::string& board) {
  baseline::Mlp mlp({data.train.features(), hidden, config.model.output_size},
                    {baseline::Act::kReLU, baseline::Act::kIdentity}, config.seed);
  baseline::Sgd sgd(config.train.lr, 0.0, config.train.momentum);
  baseline::Adam adam(config.train.lr, config.train.beta1, config.train.beta2);
  const bool use_adam = config.train.optimizer != OptimizerKind::kSgd;
  BatchLoader loader(data.train, config.train.batch_size, /*shuffle=*/true, config.seed,
                     torch::kCPU, config.data.augment_shift);
  baseline::SoftmaxCrossEntropy loss;
  auto step = [&](const torch::Tensor& x, const torch::Tensor& y) {
    const double value = loss.forward(mlp.forward(to_matrix(x)), to_labels(y));
    mlp.backward(loss.backward());
    if (use_adam) {
      adam.step(mlp.layers());
    } else {
      sgd.step(mlp.layers());
    }
    return value;
  };
  auto predict = [&](const baseline::Matrix& x) { return mlp.forward(x); };
  return timed_epochs("from-scratch MLP", "loss", config, data, loader, mlp.parameter_count(), step,
                      predict, log, board);
}

// The first tutorials' network: sigmoid layers, MSE against 0.01/0.99
// targets, plain SGD at a constant rate, one sample per update, in the
// epoch's shuffled order.
CompareRow train_classic(const ExperimentConfig& config, const DataSplit& data, int64_t hidden,
                         double lr, std::ostream& log, const std::string& board) {
  const int64_t classes = config.model.output_size;
  baseline::ClassicNetwork net(data.train.features(), hidden, classes, lr, config.seed);
  BatchLoader loader(data.train, /*batch_size=*/1, /*shuffle=*/true, config.seed, torch::kCPU,
                     config.data.augment_shift);
  std::vector<float> target(static_cast<size_t>(classes));
  auto step = [&](const torch::Tensor& x, const torch::Tensor& y) {
    std::fill(target.begin(), target.end(), 0.01f);
    target[static_cast<size_t>(y.item<int64_t>())] = 0.99f;
    return net.train(to_matrix(x).values(), target);
  };
  auto predict = [&](const baseline::Matrix& x) { return net.mlp().forward(x); };
  return timed_epochs("classic sigmoid MLP", "mse", config, data, loader,
                      net.mlp().parameter_count(), step, predict, log, board);
}

std::string percents(const std::vector<double>& values) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    out += fmt::format("{}{:.2f}", i ? " / " : "", 100 * values[i]);
  }
  return out;
}

}  // namespace

CompareResult run_comparison(const std::string& config_path,
                             const std::vector<std::string>& overrides, const std::string& out,
                             std::ostream& log, double classic_lr) {
  const ExperimentConfig config = load_experiment(config_path, overrides);
  CompareResult result;
  result.dir = RunDirectory::at_or_named(out, config.name + "-compare").path();
  NNN_CHECK(!fs::exists(fs::path(result.dir) / "compare.json"), result.dir,
            " already holds a comparison; choose another output directory");
  fs::create_directories(result.dir);

  const RunResult nnn =
      run_training(config, RunDirectory((fs::path(result.dir) / "nnn").string()), log);
  NNN_CHECK(nnn.completed, "the NNN run was interrupted");
  result.rows.push_back(from_run("NNN (" + config.name + ")", nnn));

  const int64_t hidden =
      matched_hidden(nnn.parameters, config.model.input_size, config.model.output_size);
  // The same experiment as one cell, one step: an MLP of the NNN's size.
  ExperimentConfig mlp_config = config;
  mlp_config.model.wiring = Wiring(Matrix64{{0}}, {0}, 0);
  mlp_config.model.wiring_origin.clear();
  mlp_config.model.steps = 1;
  mlp_config.model.hidden = {hidden};
  mlp_config.loss.steps = LossSteps::kLast;
  const RunResult mlp =
      run_training(mlp_config, RunDirectory((fs::path(result.dir) / "torch_mlp").string()), log);
  NNN_CHECK(mlp.completed, "the LibTorch MLP run was interrupted");
  result.rows.push_back(from_run(fmt::format("LibTorch MLP {}-{}-{}", config.model.input_size,
                                             hidden, config.model.output_size),
                                 mlp));

  configure_threads(1);  // the from-scratch code is single-threaded
  const DataSplit data = load_data(config.data, config.seed);
  result.rows.push_back(train_baseline(
      config, data, hidden, log, (fs::path(result.dir) / "from_scratch" / "tensorboard").string()));
  result.rows.back().model = fmt::format("from-scratch MLP {}-{}-{}", config.model.input_size,
                                         hidden, config.model.output_size);
  if (classic_lr > 0) {
    result.rows.push_back(
        train_classic(config, data, hidden, classic_lr, log,
                      (fs::path(result.dir) / "classic" / "tensorboard").string()));
    result.rows.back().model =
        fmt::format("classic sigmoid MLP {}-{}-{} (per sample, MSE, SGD {})",
                    config.model.input_size, hidden, config.model.output_size, classic_lr);
  }

  std::string md = fmt::format(
      "# Comparison: {}\n\nSame data split, {} epochs, batch {}, seed {}, optimiser {} (lr {}). "
      "The "
      "from-scratch MLP runs single-threaded with plain Adam for adam and adamw (no weight "
      "decay) or SGD with momentum for sgd, and a constant learning rate; wall times include "
      "the test evaluation after every epoch. The classic sigmoid MLP, when asked for, trains one "
      "sample per update with MSE against 0.01/0.99 targets (its loss column is that MSE).\n\n"
      "| model | parameters | wall time | samples/s | test accuracy % (per step) | final train "
      "loss |\n"
      "| --- | ---: | ---: | ---: | --- | ---: |\n",
      config.name, config.train.epochs, config.train.batch_size, config.seed,
      to_string(config.train.optimizer), config.train.lr);
  nlohmann::ordered_json report;
  report["config"] = config_path;
  report["rows"] = nlohmann::ordered_json::array();
  for (const auto& r : result.rows) {
    md += fmt::format("| {} | {} | {:.1f} s | {:.0f} | {} | {:.4f} |\n", r.model, r.parameters,
                      r.seconds, r.samples_per_second, percents(r.test_accuracy), r.final_loss);
    report["rows"].push_back({{"model", r.model},
                              {"parameters", r.parameters},
                              {"seconds", r.seconds},
                              {"samples_per_s", r.samples_per_second},
                              {"test_accuracy", r.test_accuracy},
                              {"final_loss", r.final_loss}});
  }
  write_file_atomically((fs::path(result.dir) / "compare.md").string(), md);
  write_file_atomically((fs::path(result.dir) / "compare.json").string(), report.dump(2) + "\n");
  log << "\n" << md << "\nwritten to " << result.dir << "/compare.md and compare.json\n";
  return result;
}

}  // namespace nnn
