// Run directories: create or resume, train with metrics and checkpoints
// written atomically after every epoch, Ctrl-C, summary and weights.
#include "nnn/train/run.h"

#include "nnn/train/loaded_run.h"
#include "nnn/train/metrics_log.h"
#include "nnn/train/progress.h"
#include "nnn/train/trainer.h"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <torch/cuda.h>
#include <torch/version.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <optional>
#include <ostream>
#include <sstream>

#include "nnn/config/model_options.h"
#include "nnn/core/device.h"
#include "nnn/core/weights.h"
#include "nnn/data/load.h"
#include "nnn/distributed/communicator.h"
#include "nnn/distributed/dist_env.h"
#include "nnn/util/error.h"
#include "nnn/util/seeds.h"
#include "nnn/version.h"

#include <nlohmann/json.hpp>

namespace nnn {

namespace fs = std::filesystem;

namespace {

std::atomic<bool> g_interrupted{false};

extern "C" void on_stop_signal(int) { g_interrupted.store(true); }

// Installs the stop handler for SIGINT (Ctrl-C) and SIGTERM (a scheduler
// cancelling or preempting the job: Slurm's scancel, a requeue, torchrun
// stopping its workers) for its lifetime, restoring the previous ones.
class StopSignalGuard {
 public:
  StopSignalGuard()
      : previous_int_(std::signal(SIGINT, on_stop_signal)),
        previous_term_(std::signal(SIGTERM, on_stop_signal)) {
    g_interrupted.store(false);
  }
  ~StopSignalGuard() {
    std::signal(SIGINT, previous_int_);
    std::signal(SIGTERM, previous_term_);
  }
  StopSignalGuard(const StopSignalGuard&) = delete;
  StopSignalGuard& operator=(const StopSignalGuard&) = delete;

 private:
  void (*previous_int_)(int);
  void (*previous_term_)(int);
};

// A launcher that restarts a job (torchrun --max-restarts, a requeued Slurm
// job, nnn train --nproc --max-restarts) starts the same command again: the
// run it left in --out is continued, not refused. Returns the options to run
// with, and says what it decided on `log`.
RunOptions continue_restarted_run(const RunOptions& options, int64_t restarts, bool leader,
                                  std::ostream& log) {
  if (!options.resume.empty() || restarts == 0) return options;
  if (options.out.empty()) {
    if (leader) {
      fmt::print(log,
                 "restart {} of this job: no --out was given, so the run starts again in a new "
                 "directory\n",
                 restarts);
    }
    return options;
  }
  const fs::path dir(options.out);
  if (!fs::exists(dir / RunFiles::kCheckpoint)) {
    if (leader && fs::exists(dir / RunFiles::kConfig)) {
      fmt::print(log,
                 "restart {} of this job: {} has no checkpoint yet (the last attempt stopped "
                 "before its first epoch ended); starting it again\n",
                 restarts, dir.string());
    }
    return options;
  }
  // Only the same experiment may be continued.
  ExperimentConfig asked = load_experiment(options.config_path, options.overrides);
  const std::string config_file = (dir / RunFiles::kConfig).string();
  const ExperimentConfig recorded = load_experiment(config_file);
  asked.data.standard = recorded.data.standard;
  // config.yaml is experiment_to_yaml of the run's config, written once the
  // data's statistics were known.
  NNN_CHECK(experiment_to_yaml(asked) == read_file(config_file), "restart ", restarts,
            " of this job: run directory ", dir.string(), " holds a run of another config than ",
            options.config_path, " with these overrides (compare ", config_file,
            "); choose another directory");
  if (leader) {
    fmt::print(log, "restart {} of this job: continuing the run in {} from its last checkpoint\n",
               restarts, dir.string());
  }
  RunOptions resumed = options;
  resumed.resume = options.out;
  resumed.out.clear();
  resumed.overrides.clear();
  resumed.config_path.clear();
  return resumed;
}

// A launcher that will restart the job must let the ranks find their run.
void check_restartable(const RunOptions& options) {
  if (!options.resume.empty() || !options.out.empty()) return;
  for (const char* name : {"TORCHELASTIC_MAX_RESTARTS", "NNN_MAX_RESTARTS"}) {
    const char* value = std::getenv(name);
    NNN_CHECK(value == nullptr || std::string(value) == "0", "environment: ", name, " is ",
              quoted(value ? value : ""),
              ", but the run has no fixed directory: a restarted job could not find its "
              "checkpoint; give the run directory (--out DIR)");
  }
}

std::string new_run_dir(const RunOptions& options, const ExperimentConfig& config, bool restarted) {
  if (!options.out.empty()) {
    const fs::path dir(options.out);
    // A restarted job may start again over its own attempt that never
    // reached a checkpoint (its config.yaml alone).
    NNN_CHECK(!fs::exists(dir / RunFiles::kCheckpoint) &&
                  (restarted || !fs::exists(dir / RunFiles::kConfig)),
              "run directory ", dir.string(),
              " already holds a run; resume it or choose another directory");
    fs::create_directories(dir);
    return dir.string();
  }
  const std::string dir = default_run_directory(config.name);
  fs::create_directories(dir);
  return dir;
}

// nlohmann::ordered_json keeps the keys in the order written; NaN and the
// infinities, which JSON lacks, are dumped as null.
using Json = nlohmann::ordered_json;

void write_summary(const std::string& dir, const ExperimentConfig& config, const Trainer& trainer,
                   const EpochReport& last, int64_t parameters, const torch::Device& device,
                   int64_t threads) {
  Json summary;
  summary["name"] = config.name;
  summary["config"] = config.file;
  summary["seed"] = config.seed;
  summary["epochs"] = config.train.epochs;
  summary["parameters"] = parameters;
  summary["train_samples"] = trainer.data().train.size();
  summary["test_samples"] = trainer.data().test.size();
  summary["test"] = Json::parse(evaluation_json(last.test));
  summary["train_accuracy"] = last.train_accuracy;
  summary["train_loss"] = last.train_loss;
  summary["wall_seconds"] = trainer.elapsed_seconds();
  summary["device"] = describe_device(device);
  summary["threads"] = threads;
  summary["versions"] = {{"nnn", kVersion}, {"libtorch", TORCH_VERSION}};
  write_file_atomically((fs::path(dir) / RunFiles::kSummary).string(), summary.dump(2) + "\n");
}

// What every rank of a job must agree on about its data: sizes and sums.
std::string data_fingerprint(const DataSplit& data) {
  const auto sum = [](const torch::Tensor& t) {
    return t.defined() && t.numel() > 0 ? t.to(torch::kDouble).sum().item<double>() : 0.0;
  };
  return fmt::format("train {} x {} sum {:.17g} labels {:.17g}; test {} sum {:.17g} labels {:.17g}",
                     data.train.size(), data.train.features(), sum(data.train.inputs),
                     sum(data.train.labels), data.test.size(), sum(data.test.inputs),
                     sum(data.test.labels));
}

}  // namespace

std::vector<double> recorded_test_accuracy(const std::string& dir) {
  const std::string file = (fs::path(dir) / RunFiles::kSummary).string();
  try {
    const auto summary = nlohmann::json::parse(read_file(file));
    return summary.at("test").at("accuracy").get<std::vector<double>>();
  } catch (const nlohmann::json::exception& e) {
    throw Error(file + ": not a readable run summary (" + e.what() + ")");
  }
}

namespace {

bool on_nccl(const ExperimentConfig& config, const torch::Device& device) {
  // auto: NCCL when the run's device is a GPU, else Gloo.
  const bool nccl = config.dist.backend == DistBackend::kNccl ||
                    (config.dist.backend == DistBackend::kAuto && device.is_cuda());
  NNN_CHECK(!nccl || device.is_cuda(), config.file,
            ": dist.backend is nccl, which reduces on GPUs, but the run's device is ", device.str(),
            "; use dist.backend gloo on the CPU");
  NNN_CHECK(!nccl || Communicator::nccl_available(), config.file, ": dist.backend is ",
            to_string(config.dist.backend), " on device ", device.str(),
            ", which needs c10d NCCL, but this nnn was built without it (against LibTorch ",
            TORCH_VERSION,
            "); build the cuda preset against pip's CUDA LibTorch (scripts/build.sh cuda) or "
            "train on the CPU (device: cpu)");
  NNN_CHECK(nccl || device.is_cpu(), config.file, ": dist.backend is ",
            to_string(config.dist.backend), " (Gloo, the CPU) but the run's device is ",
            device.str(), "; use dist.backend nccl or auto on CUDA devices");
  return nccl;
}

}  // namespace

bool distributed_on_nccl(const ExperimentConfig& config, const std::string& device) {
  return on_nccl(config, resolve_device(device.empty() ? config.device : device));
}

RunResult run_training(const RunOptions& asked, std::ostream& log) {
  RunResult result;
  // A data-parallel job (torchrun, Slurm or `nnn train --nproc`): rank 0
  // writes the run directory, the others only compute.
  const std::optional<DistEnv> job = dist_env_from_environment();
  const bool distributed = job && job->world_size > 1;
  const bool leader = !distributed || job->rank == 0;
  std::ostringstream quiet;
  std::ostream& out = leader ? log : quiet;
  check_restartable(asked);
  const int64_t restarts =
      restart_count_from_environment([](const char* name) { return std::getenv(name); });
  const bool restarted = restarts > 0;
  const RunOptions options = continue_restarted_run(asked, restarts, leader, out);
  const bool resuming = !options.resume.empty();
  if (resuming) {
    NNN_CHECK(options.overrides.empty(),
              "overrides cannot change a run being resumed; start a "
              "new run instead");
    result.dir = options.resume;
    const fs::path config_file = fs::path(result.dir) / RunFiles::kConfig;
    NNN_CHECK(fs::exists(config_file), "run directory ", result.dir, ": no ", RunFiles::kConfig,
              " there; is it a run directory?");
    NNN_CHECK(fs::exists(fs::path(result.dir) / RunFiles::kCheckpoint), "run directory ",
              result.dir, ": no ", RunFiles::kCheckpoint,
              " yet (the run stopped before its first epoch "
              "ended); start it again");
    result.config = load_experiment(config_file.string());
  } else if (options.config) {
    NNN_CHECK(options.config_path.empty() && options.overrides.empty(),
              "run_training: give a config or a config path with overrides, not both");
    // Every check of a config file (the reader's), then the config as built.
    parse_experiment(experiment_to_yaml(*options.config), options.config->file);
    result.config = *options.config;
  } else {
    result.config = load_experiment(options.config_path, options.overrides);
  }
  ExperimentConfig& config = result.config;
  int64_t threads = configure_threads(config.threads);
  ExperimentConfig trainer_config = config;
  if (distributed) {
    // The ranks on one machine share its cores: `threads` (0: every core)
    // divided by the ranks on this machine (LOCAL_WORLD_SIZE, or the whole
    // world when the launcher does not say). nnn sets its own threads, so
    // torchrun's OMP_NUM_THREADS=1 leaves no core idle here.
    const int64_t local_ranks = job->local_world_size > 0 ? job->local_world_size : job->world_size;
    threads = std::max<int64_t>(1, threads / local_ranks);
    trainer_config.threads = threads;
  }
  const std::string& device_setting = options.device.empty() ? config.device : options.device;
  torch::Device device = resolve_device(device_setting);
  // One GPU per rank: a CUDA device without an index means the rank's own,
  // LOCAL_RANK (modulo the GPUs present).
  if (distributed && device.is_cuda() && device_setting.find(':') == std::string::npos) {
    const int64_t gpus = static_cast<int64_t>(torch::cuda::device_count());
    device = torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(job->local_rank % gpus));
  }
  torch::manual_seed(config.seed);
  const auto load_start = std::chrono::steady_clock::now();
  DataSplit data = load_data(config.data, config.seed);
  // The run records the statistics it normalised with (config.yaml), so that
  // eval and predict need no training data.
  config.data.standard = data.standard;
  const double load_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - load_start).count();
  NNN model(to_options(config.model));
  // Warm start from another run (a resumed run has its own weights).
  const std::string init_weights =
      resuming || config.train.init_from.empty()
          ? ""
          : (fs::path(config.train.init_from) / RunFiles::kWeights).string();
  if (!init_weights.empty()) {
    NNN_CHECK(fs::exists(init_weights), config.file, ": train.init_from: ", init_weights,
              " does not exist (is ", config.train.init_from, " a finished run directory?)");
    try {
      load_weights(*model, init_weights);
    } catch (const Error& e) {
      throw Error(config.file + ": train.init_from: " + e.what());
    }
  }
  model->to(device);
  result.parameters = model->parameter_count();
  const int64_t steps = config.model.steps;
  Trainer trainer(model, trainer_config, std::move(data), device);
  std::shared_ptr<Communicator> communicator;
  if (distributed) {
    const bool nccl = on_nccl(config, device);
    communicator = Communicator::join(*job, config.dist.timeout, nccl);
    // Every rank must train the same thing: compare what each resolved.
    communicator->check_same("config", experiment_to_yaml(config));
    communicator->check_same("data", data_fingerprint(trainer.data()));
    trainer.set_communicator(communicator);
    fmt::print(out,
               "distributed: {} ranks ({}{}), {} threads each, gradients all-reduced over c10d "
               "Gloo\n",
               job->world_size, job->source, job->agent_store ? ", store of torchrun's agent" : "",
               threads);
  }

  MetricsLog metrics(steps);
  if (resuming) {
    metrics.restore(
        trainer.load_checkpoint((fs::path(result.dir) / RunFiles::kCheckpoint).string()));
    if (leader) {
      const int stale = remove_stale_temporaries(result.dir);
      if (stale > 0) {
        fmt::print(out, "removed {} temporary file(s) left by a write that was killed\n", stale);
      }
    }
    fmt::print(out, "resuming {} at epoch {}, batch {} of {}\n", result.dir, trainer.epoch(),
               trainer.batch(), trainer.batches_per_epoch());
  } else if (leader) {
    result.dir = new_run_dir(options, config, restarted);
    write_file_atomically((fs::path(result.dir) / RunFiles::kConfig).string(),
                          experiment_to_yaml(config));
  }
  const fs::path dir(result.dir);
  auto save = [&] {
    if (!leader) return;
    trainer.save_checkpoint((dir / RunFiles::kCheckpoint).string(), metrics.checkpoint_extra());
  };

  fmt::print(out,
             "{}: {} cells, {} parameters, d = {}, {} steps; data {}: {} train / {} test samples "
             "(loaded in {:.2f} s); device {}, {} threads\nrun directory: {}\n",
             config.name, config.model.wiring.size(), result.parameters, model->distance(), steps,
             to_string(config.data.dataset), trainer.data().train.size(),
             trainer.data().test.size(), load_seconds, describe_device(device), threads,
             result.dir);
  if (!init_weights.empty()) fmt::print(out, "weights initialised from {}\n", init_weights);
  log.flush();

  TrainingProgress progress(out, options.progress_bar, config.train.epochs, config.train.batch_size,
                            config.train.log_every);
  int64_t batches_run = 0;
  EpochReport last;
  Trainer::Hooks hooks;
  hooks.stop_requested = [] { return g_interrupted.load(); };
  hooks.on_batch = [&](int64_t epoch, int64_t batch, int64_t batches, const torch::Tensor& loss) {
    ++batches_run;
    if (options.after_batch) options.after_batch(batches_run, job ? job->rank : 0, restarted);
    progress.batch(epoch, batch, batches, [&loss] { return loss.item<double>(); });
  };
  hooks.on_epoch = [&](const EpochReport& r) {
    last = r;
    metrics.append(r);
    save();  // the checkpoint first: it carries the metrics rows
    if (leader) metrics.write(result.dir);
    progress.epoch(r);
  };

  bool completed = trainer.finished();
  {
    StopSignalGuard guard;
    if (!completed) completed = trainer.run(hooks);
  }
  if (!completed) {
    progress.clear();
    save();
    fmt::print(out,
               "interrupted: checkpoint saved at epoch {}, batch {}; continue with: nnn "
               "train --resume {}\n",
               trainer.epoch(), trainer.batch(), result.dir);
    return result;
  }
  result.completed = true;
  if (last.epoch == 0) {
    // Resumed a finished run: evaluate again for the summary.
    last.epoch = config.train.epochs;
    last.test = evaluate(trainer.model(), trainer.data().test, config.train.eval_batch_size,
                         config.loss.steps, device, nullptr, communicator.get());
  }
  result.last = last;
  result.seconds = trainer.elapsed_seconds();
  if (!leader) return result;
  save_weights(*trainer.model(), (dir / RunFiles::kWeights).string());
  write_summary(result.dir, config, trainer, last, result.parameters, device, threads);
  if (last.test.samples > 0) {
    fmt::print(out, "\ntest set ({} samples), per step:\n{}", last.test.samples,
               evaluation_table(last.test));
  }
  const auto& communication = trainer.communication();
  if (communication.steps > 0) {
    fmt::print(out,
               "all-reduce: {} steps of {} bytes, {:.3f} ms each (waiting for the slowest rank "
               "included)\n",
               communication.steps, communication.bytes_per_step,
               1e3 * communication.seconds / static_cast<double>(communication.steps));
  }
  fmt::print(out, "done in {:.1f} s; results in {}\n", result.seconds, result.dir);
  return result;
}

std::string evaluation_table(const Evaluation& e) {
  std::string out = fmt::format("{:>6} {:>9} {:>9} {:>11} {:>7}\n", "step", "accuracy", "top-3",
                                "confidence", "ECE");
  for (size_t t = 0; t < e.accuracy.size(); ++t) {
    out += fmt::format("{:>6} {:>8.2f}% {:>8.2f}% {:>10.3f} {:>7.4f}\n", t + 1, 100 * e.accuracy[t],
                       100 * e.top3[t], e.confidence[t], t < e.ece.size() ? e.ece[t] : 0.0);
  }
  return out;
}

std::string default_run_directory(const std::string& name) {
  const std::string base = "runs/" + name + "-" + timestamp();
  std::string dir = base;
  for (int k = 2; fs::exists(dir); ++k) dir = base + "-" + std::to_string(k);
  return dir;
}

std::string timestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%d-%H%M%S", &local);
  return text;
}

LoadedRun load_run(const std::string& dir, const std::string& device_setting) {
  const fs::path run(dir);
  NNN_CHECK(fs::exists(run / RunFiles::kConfig), dir, ": no ", RunFiles::kConfig,
            " there; is it a run directory?");
  const ExperimentConfig config = load_experiment((run / RunFiles::kConfig).string());
  const torch::Device device =
      resolve_device(device_setting.empty() ? config.device : device_setting);
  NNN model(to_options(config.model));
  if (fs::exists(run / RunFiles::kWeights)) {
    load_weights(*model, (run / RunFiles::kWeights).string());
  } else {
    NNN_CHECK(fs::exists(run / RunFiles::kCheckpoint), dir, ": neither ", RunFiles::kWeights,
              " nor ", RunFiles::kCheckpoint, " is there; the run has not finished an epoch");
    torch::serialize::InputArchive archive, model_archive;
    archive.load_from((run / RunFiles::kCheckpoint).string(), torch::Device(torch::kCPU));
    archive.read("model", model_archive);
    model->load(model_archive);
  }
  model->to(device);
  return {config, model, device};
}

EvaluationData EvaluationData::parse(const std::string& text) {
  EvaluationData data;
  if (text == "test") return data;
  if (text == "train") {
    data.kind = Kind::kTrain;
    return data;
  }
  const size_t colon = text.find(':');
  NNN_CHECK(colon != std::string::npos && colon > 0 && colon + 1 < text.size(), "evaluation data ",
            quoted(text, 120), ": expected test, train or IMAGES:LABELS (two IDX files)");
  data.kind = Kind::kFiles;
  data.images = text.substr(0, colon);
  data.labels = text.substr(colon + 1);
  return data;
}

std::string EvaluationData::describe() const {
  switch (kind) {
    case Kind::kTest:
      return "test";
    case Kind::kTrain:
      return "train";
    case Kind::kFiles:
      break;
  }
  return images + ":" + labels;
}

Evaluation evaluate_run(const std::string& dir, const EvaluationData& data,
                        const std::string& device_setting) {
  LoadedRun run = load_run(dir, device_setting);
  const ExperimentConfig& config = run.config;
  const torch::Device device = run.device;
  WorkerPool pool(configure_threads(config.threads));
  Dataset set;
  if (data.kind == EvaluationData::Kind::kFiles) {
    set = load_idx_like(config.data, config.seed, data.images, data.labels);
  } else {
    DataSplit split = load_data(config.data, config.seed);
    const bool train = data.kind == EvaluationData::Kind::kTrain;
    set = train ? split.train : split.test;
    // The training set's frames are drawn per batch; evaluate on a fixed draw.
    if (train) attach_frames(set, config.data.frames, config.seed ^ salt::kTrainEvalFrames);
  }
  NNN_CHECK(set.size() > 0, "evaluation data ", data.describe(), ": no samples to evaluate");
  NNN_CHECK(set.features() == config.model.input_size, "evaluation data ", data.describe(), " has ",
            set.features(), " features but the model reads ", config.model.input_size);
  return evaluate(run.model, set, config.train.eval_batch_size, config.loss.steps, device,
                  device.is_cpu() ? &pool : nullptr);
}

}  // namespace nnn
