// Training loop and evaluation. Counts stay on the device during an epoch and
// are read once at its end, so no batch waits on a host sync.
#include "nnn/train/trainer.h"

#include <ATen/CPUGeneratorImpl.h>

#include <chrono>
#include <thread>

#include "nnn/core/error.h"

namespace nnn {

namespace {

using Clock = std::chrono::steady_clock;

// predictions: [T, B, C], labels: [B] -> [T] correct counts (top-1)
torch::Tensor correct_per_step(const torch::Tensor& predictions, const torch::Tensor& labels) {
  return predictions.argmax(2).eq(labels.unsqueeze(0)).sum(1);
}

std::vector<double> per_sample(const torch::Tensor& counts, int64_t samples) {
  const auto host = counts.to(torch::kCPU, torch::kDouble);
  std::vector<double> result(host.data_ptr<double>(), host.data_ptr<double>() + host.numel());
  for (auto& v : result) v /= static_cast<double>(std::max<int64_t>(samples, 1));
  return result;
}

std::unique_ptr<torch::optim::Optimizer> make_optimizer(NNN& model, const TrainConfig& train) {
  if (train.optimizer == "sgd") {
    return std::make_unique<torch::optim::SGD>(model->parameters(),
                                               torch::optim::SGDOptions(train.lr)
                                                   .momentum(train.momentum)
                                                   .weight_decay(train.weight_decay));
  }
  NNN_CHECK(train.optimizer == "adam", "train.optimizer is '", train.optimizer,
            "'; expected adam or sgd");
  return std::make_unique<torch::optim::Adam>(
      model->parameters(), torch::optim::AdamOptions(train.lr).weight_decay(train.weight_decay));
}

}  // namespace

int64_t set_threads(int64_t threads) {
  const int64_t n =
      threads > 0 ? threads : std::max<int64_t>(1, std::thread::hardware_concurrency());
  torch::set_num_threads(static_cast<int>(n));
  return n;
}

Evaluation evaluate(NNN& model, const Dataset& data, int64_t batch_size, LossSteps steps,
                    const torch::Device& device) {
  torch::NoGradGuard no_grad;
  const bool was_training = model->is_training();
  model->eval();
  Evaluation result;
  result.samples = data.size();
  const int64_t t = model->options.steps();
  auto correct = torch::zeros({t}, torch::TensorOptions().dtype(torch::kLong).device(device));
  auto top3 = torch::zeros_like(correct);
  auto confidence = torch::zeros({t}, torch::TensorOptions().dtype(torch::kDouble).device(device));
  auto loss_sum = torch::zeros({}, torch::TensorOptions().dtype(torch::kDouble).device(device));
  const auto inputs = data.inputs.to(device);
  const auto labels = data.labels.to(device);
  const int64_t k = std::min<int64_t>(3, data.classes);
  for (int64_t start = 0; start < data.size(); start += batch_size) {
    const int64_t b = std::min(batch_size, data.size() - start);
    const auto x = inputs.narrow(0, start, b);
    const auto y = labels.narrow(0, start, b);
    const auto predictions = model->forward(x);  // [T, B, C]
    correct += correct_per_step(predictions, y);
    top3 += std::get<1>(predictions.topk(k, 2)).eq(y.view({1, b, 1})).any(2).sum(1);
    confidence += predictions.softmax(2).amax(2).sum(1).to(torch::kDouble);
    loss_sum += step_loss(predictions, y, steps, model->distance()).to(torch::kDouble) * b;
  }
  result.accuracy = per_sample(correct, data.size());
  result.top3 = per_sample(top3, data.size());
  result.confidence = per_sample(confidence, data.size());
  result.loss = loss_sum.item<double>() / static_cast<double>(std::max<int64_t>(1, data.size()));
  model->train(was_training);
  return result;
}

std::vector<EpochReport> train(NNN& model, const Dataset& train_set, const Dataset* test_set,
                               const ExperimentConfig& config, const torch::Device& device,
                               const std::function<void(const EpochReport&)>& on_epoch) {
  const TrainConfig& tc = config.train;
  const LossSteps steps = parse_loss_steps(config.loss.steps);
  NNN_CHECK(train_set.features() == model->options.input_size(), "data has ", train_set.features(),
            " features but model.input_size is ", model->options.input_size());
  NNN_CHECK(train_set.classes <= model->options.output_size(), "data has ", train_set.classes,
            " classes but model.output_size is ", model->options.output_size());
  auto optimizer = make_optimizer(model, tc);
  auto generator = at::detail::createCPUGenerator(config.seed);
  const auto inputs = train_set.inputs.to(device);
  const auto labels = train_set.labels.to(device);
  const int64_t n = train_set.size();
  const int64_t t = model->options.steps();

  std::vector<EpochReport> reports;
  for (int64_t epoch = 1; epoch <= tc.epochs; ++epoch) {
    const auto start = Clock::now();
    model->train();
    const auto order = torch::randperm(n, generator, torch::kLong).to(device);
    auto correct = torch::zeros({t}, torch::TensorOptions().dtype(torch::kLong).device(device));
    auto loss_sum = torch::zeros({}, torch::TensorOptions().dtype(torch::kDouble).device(device));
    int64_t batches = 0;
    for (int64_t first = 0; first < n; first += tc.batch_size) {
      const auto index = order.narrow(0, first, std::min(tc.batch_size, n - first));
      const auto x = inputs.index_select(0, index);
      const auto y = labels.index_select(0, index);
      optimizer->zero_grad();
      const auto predictions = model->forward(x);
      const auto loss = step_loss(predictions, y, steps, model->distance());
      loss.backward();
      optimizer->step();
      correct += correct_per_step(predictions.detach(), y);
      loss_sum += loss.detach().to(torch::kDouble);
      ++batches;
    }
    EpochReport report;
    report.epoch = epoch;
    report.train_loss = loss_sum.item<double>() / static_cast<double>(batches);
    NNN_CHECK(std::isfinite(report.train_loss), "training diverged: the loss is ",
              report.train_loss, " in epoch ", epoch, "; lower train.lr");
    report.train_accuracy = per_sample(correct, n);
    report.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    report.samples_per_second = static_cast<double>(n) / report.seconds;
    if (test_set != nullptr && test_set->size() > 0) {
      report.test =
          evaluate(model, *test_set, std::max<int64_t>(tc.batch_size, 256), steps, device);
    }
    reports.push_back(report);
    if (on_epoch) on_epoch(report);
  }
  return reports;
}

}  // namespace nnn
