// Training loop and evaluation. Sums stay on the device during an epoch and
// are read at the log interval and at its end, so batches do not wait on a
// host sync.
#include "nnn/train/trainer.h"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <sstream>
#include <tuple>

#include "nnn/core/dropout.h"
#include "nnn/core/weights.h"
#include "nnn/data/degrade.h"
#include "nnn/train/metrics.h"
#include "nnn/train/optimizer.h"
#include "nnn/util/error.h"
#include "nnn/util/seeds.h"

namespace nnn {

namespace {

using Clock = std::chrono::steady_clock;
constexpr int64_t kNoBadBatch = std::numeric_limits<int64_t>::max();

// predictions: [T, B, C], labels: [B] -> [T] correct counts (top-1)
torch::Tensor correct_per_step(const torch::Tensor& predictions, const torch::Tensor& labels) {
  return predictions.argmax(2).eq(labels.unsqueeze(0)).sum(1);
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

namespace {

constexpr int64_t kMinShard = 32;

int64_t shard_count(int64_t batch, WorkerPool* pool) {
  if (pool == nullptr) return 1;
  return std::max<int64_t>(1, std::min(pool->size(), batch / kMinShard));
}

// train.backward: manual needs the fast path.
void check_backward(const NNN& model, BackwardMode backward) {
  NNN_CHECK(backward != BackwardMode::kManual || model->manual_backward(),
            "train.backward is manual, but the hand-written backward needs perceptron cells "
            "only; use auto or autograd");
}

// The batch dimension of a model input: [B, D] or frames [F, B, D].
int64_t batch_dim(const torch::Tensor& x) { return x.dim() == 3 ? 1 : 0; }

}  // namespace

torch::Tensor flat_gradient(const torch::Tensor& loss, const std::vector<torch::Tensor>& params) {
  const auto grads = torch::autograd::grad({loss}, params, /*grad_outputs=*/{},
                                           /*retain_graph=*/false, /*create_graph=*/false,
                                           /*allow_unused=*/true);
  std::vector<torch::Tensor> flat;
  flat.reserve(grads.size());
  for (size_t i = 0; i < grads.size(); ++i) {
    flat.push_back(grads[i].defined() ? grads[i].reshape({-1})
                                      : torch::zeros({params[i].numel()}, params[i].options()));
  }
  return torch::cat(flat);
}

int64_t first_loss_step(LossSteps steps, int64_t distance, int64_t thinking_steps) {
  return steps == LossSteps::kLast ? thinking_steps : distance + 1;
}

bool skips_unreachable(const NNN& model, const StepOptions& options) {
  return options.skip_unreachable && options.backward != BackwardMode::kAutograd &&
         model->manual_backward();
}

StepOutput forward_backward(NNN& model, const torch::Tensor& x, const torch::Tensor& y,
                            const StepOptions& options) {
  const LossSteps steps = options.loss_steps;
  WorkerPool* pool = options.pool;
  const BackwardMode backward = options.backward;
  const int64_t dim = batch_dim(x);
  const int64_t batch = x.size(dim);
  const int64_t shards = x.is_cuda() ? 1 : shard_count(batch, pool);
  check_backward(model, backward);
  const bool manual = backward != BackwardMode::kAutograd && model->manual_backward();
  const auto params = manual ? std::vector<torch::Tensor>() : model->parameters();
  // One shard: its predictions, its loss (the shard's mean weighted by its
  // share, so the shards sum to the batch mean) and its gradient.
  const auto shard = [&](int64_t first, int64_t size) {
    DropoutScope dropout(options.batch_key, options.first_sample + first);
    const auto xs = x.narrow(dim, first, size);
    const auto ys = y.narrow(0, first, size);
    const double share = static_cast<double>(size) / static_cast<double>(batch);
    StepOutput out;
    if (manual) {
      out.predictions = model->forward_backward(
          xs,
          [&](const torch::Tensor& predictions) {
            auto loss = step_loss_and_gradient(predictions, ys, steps, model->distance(), share);
            out.loss = loss.loss;
            return loss.gradient;
          },
          &out.grad,
          {/*steps=*/-1, options.recompute_every,
           skips_unreachable(model, options)
               ? first_loss_step(steps, model->distance(), model->options.steps())
               : 0});
      return out;
    }
    const auto p = model->forward(xs);
    const auto loss = step_loss(p, ys, steps, model->distance()) * share;
    out.grad = flat_gradient(loss, params);
    out.predictions = p.detach();
    out.loss = loss.detach();
    return out;
  };
  if (shards == 1) return shard(0, batch);
  std::vector<StepOutput> outs(static_cast<size_t>(shards));
  pool->run(shards, [&](int64_t k) {
    const int64_t first = batch * k / shards;
    outs[k] = shard(first, batch * (k + 1) / shards - first);
  });
  torch::NoGradGuard no_grad;
  StepOutput total = outs[0];
  std::vector<torch::Tensor> predictions = {outs[0].predictions};
  for (int64_t k = 1; k < shards; ++k) {
    total.grad = total.grad + outs[k].grad;
    total.loss = total.loss + outs[k].loss;
    predictions.push_back(outs[k].predictions);
  }
  total.predictions = torch::cat(predictions, 1);
  total.shards = shards;
  return total;
}

torch::Tensor forward_sharded(NNN& model, const torch::Tensor& x, WorkerPool* pool,
                              const Lesion* lesion) {
  const int64_t dim = batch_dim(x);
  const int64_t batch = x.size(dim);
  const int64_t shards = x.is_cuda() ? 1 : shard_count(batch, pool);
  ForwardOptions run;
  run.lesion = lesion;
  if (shards == 1) return model->forward(x, run);
  std::vector<torch::Tensor> parts(static_cast<size_t>(shards));
  const bool grad_mode = torch::GradMode::is_enabled();
  const bool inference = c10::InferenceMode::is_enabled();
  pool->run(shards, [&](int64_t k) {
    // Grad and inference modes are per thread: carry the caller's over.
    c10::InferenceMode inference_guard(inference);
    torch::AutoGradMode grad_guard(grad_mode);
    const int64_t first = batch * k / shards;
    parts[k] = model->forward(x.narrow(dim, first, batch * (k + 1) / shards - first), run);
  });
  return torch::cat(parts, 1);
}

Evaluation evaluate(NNN& model, const Dataset& data, int64_t batch_size, LossSteps steps,
                    const torch::Device& device, WorkerPool* pool, Communicator* communicator,
                    const Lesion* lesion) {
  torch::NoGradGuard no_grad;
  const bool was_training = model->is_training();
  model->eval();
  StepMetrics metrics(model->options.steps(), model->options.output_size(), device);
  auto loss_sum = torch::zeros({}, torch::TensorOptions().dtype(torch::kDouble).device(device));
  const bool framed = data.frames.defined();
  const auto inputs = (framed ? data.frames : data.inputs).to(device);
  const auto labels = data.labels.to(device);
  // This rank's share of the samples (all of them without a communicator).
  const int64_t ranks = communicator ? communicator->size() : 1;
  const int64_t rank = communicator ? communicator->rank() : 0;
  const int64_t begin = data.size() * rank / ranks, end = data.size() * (rank + 1) / ranks;
  for (int64_t start = begin; start < end; start += batch_size) {
    const int64_t b = std::min(batch_size, end - start);
    const auto x =
        framed ? feed_frames(inputs.narrow(1, start, b), data.feed) : inputs.narrow(0, start, b);
    const auto y = labels.narrow(0, start, b);
    const auto predictions = forward_sharded(model, x, pool, lesion);  // [T, B, C]
    metrics.add(predictions, y);
    loss_sum += step_loss(predictions, y, steps, model->distance()).to(torch::kDouble) * b;
  }
  if (communicator != nullptr) {
    const auto sum = [&](torch::Tensor& t) { communicator->all_reduce_sum(t); };
    metrics.reduce(sum);
    torch::Tensor loss = loss_sum.cpu();
    sum(loss);
    loss_sum = loss;
  }
  Evaluation result;
  result.samples = data.size();
  result.classes = model->options.output_size();
  result.accuracy = metrics.accuracy();
  result.top3 = metrics.top_k();
  result.confidence = metrics.confidence();
  result.ece = metrics.calibration_error();
  result.loss = loss_sum.item<double>() / static_cast<double>(std::max<int64_t>(1, data.size()));
  model->train(was_training);
  return result;
}

Trainer::Trainer(NNN model, const ExperimentConfig& config, DataSplit data,
                 const torch::Device& device)
    : model_(std::move(model)),
      config_(config),
      data_(std::move(data)),
      device_(device),
      loss_steps_(config.loss.steps),
      loader_(data_.train, config.train.batch_size, /*shuffle=*/true, config.seed, device,
              config.data.augment_shift, config.data.frames),
      optimizer_(config.train) {
  NNN_CHECK(data_.train.features() == model_->options.input_size(), "data has ",
            data_.train.features(), " features but model.input_size is ",
            model_->options.input_size());
  NNN_CHECK(data_.train.classes <= model_->options.output_size(), "data has ", data_.train.classes,
            " classes but model.output_size is ", model_->options.output_size());
  check_backward(model_, config_.train.backward);  // before a first batch
  if (device_.is_cpu()) pool_ = std::make_unique<WorkerPool>(configure_threads(config_.threads));
  // The test set moves to the device once, not at every evaluation.
  for (auto* t : {&data_.test.inputs, &data_.test.labels, &data_.test.frames}) {
    if (t->defined()) *t = t->to(device_);
  }
  reset_sums();
}

void Trainer::set_communicator(std::shared_ptr<Communicator> communicator) {
  NNN_CHECK(communicator == nullptr || device_.is_cpu() != communicator->on_gpu(),
            "distributed: this run's device is ", device_.str(), " but its collectives run on ",
            communicator && communicator->on_gpu() ? "GPUs (NCCL)" : "the CPU (Gloo)",
            "; dist.backend gloo trains on the CPU, nccl on CUDA devices");
  communicator_ = std::move(communicator);
  if (communicator_ == nullptr) return;
  torch::NoGradGuard no_grad;
  torch::Tensor parameters = model_->flat_parameters();
  communicator_->broadcast(parameters, 0);
}

void Trainer::reset_sums() {
  const auto on = [&](torch::Dtype type) {
    return torch::TensorOptions().dtype(type).device(device_);
  };
  loss_sum_ = torch::zeros({}, on(torch::kDouble));
  correct_ = torch::zeros({model_->options.steps()}, on(torch::kLong));
  first_bad_ = torch::full({}, kNoBadBatch, on(torch::kLong));
  epoch_train_seconds_ = 0.0;
}

void Trainer::check_finite() const {
  const int64_t bad = first_bad_.item<int64_t>();
  if (bad != kNoBadBatch) {
    throw LossNotFinite(fmt::format(
        "the loss became NaN or infinite in epoch {} at batch {} of {}; stopping (try a lower "
        "train.lr or train.clip_grad_norm)",
        epoch_, bad + 1, loader_.batches()));
  }
}

bool Trainer::run(const Hooks& hooks) {
  const TrainConfig& tc = config_.train;
  const int64_t batches = loader_.batches();
  while (epoch_ <= tc.epochs) {
    model_->train();
    loader_.start_epoch(epoch_);
    auto start = Clock::now();
    double lr = tc.lr;
    for (; batch_ < batches; ++batch_) {
      lr = scheduled_lr(tc, (epoch_ - 1) * batches + batch_, batches);
      optimizer_.set_lr(lr);
      const auto [x, y] = loader_.batch(batch_);
      torch::Tensor grad, detached, correct;
      bool stop = false;
      const uint64_t batch_key = mix_seed(config_.seed ^ salt::kDropout, epoch_, batch_);
      if (communicator_ == nullptr) {
        auto step = forward_backward(model_, x, y, step_options(batch_key, 0));
        grad = step.grad;
        detached = step.loss;
        correct = correct_per_step(step.predictions, y);
      } else {
        std::tie(grad, detached, correct, stop) =
            distributed_step(x, y, batch_key, hooks.stop_requested && hooks.stop_requested());
      }
      if (tc.clip_grad_norm > 0) clip_grad_norm(grad, tc.clip_grad_norm);
      optimizer_.step(model_->flat_parameters(), grad);
      correct_ += correct;
      loss_sum_ += detached.to(torch::kDouble);
      first_bad_ = torch::where(torch::isfinite(detached), first_bad_,
                                torch::minimum(first_bad_, torch::full_like(first_bad_, batch_)));
      if (hooks.on_batch) hooks.on_batch(epoch_, batch_, batches, detached);
      if ((batch_ + 1) % tc.log_every == 0) check_finite();
      if (communicator_ ? stop : (hooks.stop_requested && hooks.stop_requested())) {
        ++batch_;
        const double spent = seconds_since(start);
        epoch_train_seconds_ += spent;
        elapsed_ += spent;
        return false;
      }
    }
    check_finite();
    const double train_seconds = epoch_train_seconds_ + seconds_since(start);
    EpochReport report;
    report.epoch = epoch_;
    report.lr = lr;
    report.train_loss = loss_sum_.item<double>() / static_cast<double>(batches);
    report.train_accuracy = per_sample(correct_, data_.train.size());
    if (skips_unreachable(model_, step_options(0, 0))) {
      // The steps before the loss's were not computed (NaN: null in
      // metrics.jsonl, empty in metrics.csv).
      const int64_t from =
          first_loss_step(loss_steps_, model_->distance(), model_->options.steps());
      for (int64_t t = 0; t + 1 < from && t < static_cast<int64_t>(report.train_accuracy.size());
           ++t) {
        report.train_accuracy[static_cast<size_t>(t)] = std::nan("");
      }
    }
    report.samples_per_second = static_cast<double>(data_.train.size()) / train_seconds;
    const auto eval_start = Clock::now();
    if (data_.test.size() > 0) {
      report.test = evaluate(model_, data_.test, tc.eval_batch_size, loss_steps_, device_,
                             pool_.get(), communicator_.get());
    }
    report.seconds = train_seconds + seconds_since(eval_start);
    elapsed_ += report.seconds - epoch_train_seconds_;
    ++epoch_;
    batch_ = 0;
    reset_sums();
    if (hooks.on_epoch) hooks.on_epoch(report);
  }
  return true;
}

StepOptions Trainer::step_options(uint64_t batch_key, int64_t first_sample) const {
  StepOptions options;
  options.loss_steps = loss_steps_;
  options.pool = pool_.get();
  options.batch_key = batch_key;
  options.first_sample = first_sample;
  options.backward = config_.train.backward;
  options.recompute_every = config_.train.recompute_every;
  options.skip_unreachable = config_.train.skip_unreachable;
  return options;
}

std::tuple<torch::Tensor, torch::Tensor, torch::Tensor, bool> Trainer::distributed_step(
    const torch::Tensor& x, const torch::Tensor& y, uint64_t batch_key, bool stop_requested) {
  const int64_t dim = x.dim() == 3 ? 1 : 0;
  const int64_t batch = y.size(0), ranks = communicator_->size(), rank = communicator_->rank();
  const int64_t first = batch * rank / ranks, size = batch * (rank + 1) / ranks - first;
  const int64_t steps = model_->options.steps();
  torch::Tensor grad, loss, correct;
  if (size > 0) {
    const auto ys = y.narrow(0, first, size);
    auto step =
        forward_backward(model_, x.narrow(dim, first, size), ys, step_options(batch_key, first));
    // This rank's mean, weighted by its share: the ranks sum to the batch mean.
    const double share = static_cast<double>(size) / static_cast<double>(batch);
    grad = step.grad.to(torch::kDouble) * share;
    loss = step.loss.to(torch::kDouble).reshape({1}) * share;
    correct = correct_per_step(step.predictions, ys).to(torch::kDouble);
  } else {  // a last batch smaller than the number of ranks
    const auto doubles = torch::TensorOptions().dtype(torch::kDouble).device(device_);
    grad = torch::zeros({model_->parameter_count()}, doubles);
    loss = torch::zeros({1}, doubles);
    correct = torch::zeros({steps}, doubles);
  }
  // float64 on every backend: N ranks sum to exactly what one process sums
  // (docs/distributed.md weighs the bytes).
  torch::Tensor buffer = torch::cat({grad, loss, correct.to(grad.device()),
                                     torch::full({1}, stop_requested ? 1.0 : 0.0, grad.options())});
  const auto reduce_start = Clock::now();
  communicator_->all_reduce_sum(buffer);
  communication_.seconds += seconds_since(reduce_start);
  communication_.bytes_per_step = buffer.numel() * static_cast<int64_t>(sizeof(double));
  ++communication_.steps;
  const int64_t n = grad.numel();
  return {buffer.narrow(0, 0, n).to(torch::kFloat32), buffer[n].to(torch::kFloat32),
          buffer.narrow(0, n + 1, steps).to(torch::kLong),
          buffer[n + 1 + steps].item<double>() > 0};
}

void Trainer::save_checkpoint(const std::string& path,
                              const std::map<std::string, std::string>& extra) const {
  torch::serialize::OutputArchive archive;
  torch::serialize::OutputArchive model_archive;
  model_->save(model_archive);
  archive.write("model", model_archive);
  torch::serialize::OutputArchive optimizer_archive;
  optimizer_.save(optimizer_archive);
  archive.write("optimizer", optimizer_archive);
  archive.write("epoch", torch::tensor(epoch_));
  archive.write("batch", torch::tensor(batch_));
  archive.write("elapsed", torch::tensor(elapsed_, torch::kDouble));
  archive.write("epoch_train_seconds", torch::tensor(epoch_train_seconds_, torch::kDouble));
  archive.write("loss_sum", loss_sum_.cpu());
  archive.write("correct", correct_.cpu());
  archive.write("first_bad", first_bad_.cpu());
  archive.write("rng", at::detail::getDefaultCPUGenerator().get_state());
  for (const auto& [key, value] : extra) archive.write("extra." + key, c10::IValue(value));
  std::ostringstream bytes;
  archive.save_to(bytes);
  write_file_atomically(path, bytes.str());
}

std::map<std::string, std::string> Trainer::load_checkpoint(const std::string& path) {
  torch::serialize::InputArchive archive;
  try {
    // Onto the CPU whatever device wrote it, then to this run's device: a
    // checkpoint written on a GPU resumes on a CPU-only machine.
    archive.load_from(path, torch::Device(torch::kCPU));
  } catch (const c10::Error& e) {
    throw Error(path + ": not a readable nnn checkpoint (" + e.what_without_backtrace() + ")");
  }
  // A fresh tensor per key: read() into a defined tensor would set_() it.
  auto read = [&](const char* key) {
    torch::Tensor t;
    archive.read(key, t);
    return t;
  };
  try {
    torch::serialize::InputArchive model_archive;
    archive.read("model", model_archive);
    model_->load(model_archive);
    model_->to(device_);
    torch::serialize::InputArchive optimizer_archive;
    archive.read("optimizer", optimizer_archive);
    optimizer_.load(optimizer_archive);
    optimizer_.to(device_);  // its state follows the parameters
    epoch_ = read("epoch").item<int64_t>();
    batch_ = read("batch").item<int64_t>();
    elapsed_ = read("elapsed").item<double>();
    epoch_train_seconds_ = read("epoch_train_seconds").item<double>();
    loss_sum_ = read("loss_sum").to(device_);
    correct_ = read("correct").to(device_);
    first_bad_ = read("first_bad").to(device_);
    at::Generator generator = at::detail::getDefaultCPUGenerator();  // a handle: shares state
    generator.set_state(read("rng"));
  } catch (const c10::Error& e) {
    throw Error(path + ": checkpoint does not match this model and config (" +
                e.what_without_backtrace() + ")");
  }
  NNN_CHECK(batch_ >= 0 && batch_ <= loader_.batches(), path, ": checkpoint is at batch ", batch_,
            " but an epoch here has ", loader_.batches(), " batches");
  std::map<std::string, std::string> extra;
  for (const auto& key : archive.keys()) {
    if (key.rfind("extra.", 0) == 0) {
      c10::IValue value;
      archive.read(key, value);
      extra[key.substr(6)] = value.toStringRef();
    }
  }
  return extra;
}

}  // namespace nnn
