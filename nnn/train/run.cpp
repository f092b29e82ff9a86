// A run: config resolved, data loaded, the directory created or resumed,
// training with metrics and checkpoints written atomically after every
// epoch, Ctrl-C, summary and weights.
#include "nnn/train/run.h"
#include "nnn/train/memory_estimate.h"

#include "nnn/tracking/run_events.h"
#include "nnn/train/distributed_run.h"
#include "nnn/train/metrics_log.h"
#include "nnn/train/progress.h"
#include "nnn/train/run_evaluation.h"
#include "nnn/train/trainer.h"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <torch/version.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <ostream>
#include <sstream>

#include "nnn/config/model_options.h"
#include "nnn/core/weights.h"
#include "nnn/core/wiring.h"
#include "nnn/data/load_data.h"
#include "nnn/distributed/communicator.h"
#include "nnn/runtime/device.h"
#include "nnn/util/error.h"
#include "nnn/util/files.h"
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
  const RunDirectory dir(options.out);
  if (!dir.has(RunFiles::kCheckpoint)) {
    if (leader && dir.has(RunFiles::kConfig)) {
      fmt::print(log,
                 "restart {} of this job: {} has no checkpoint yet (the last attempt stopped "
                 "before its first epoch ended); starting it again\n",
                 restarts, dir.path());
    }
    return options;
  }
  // Only the same experiment may be continued.
  ExperimentConfig asked = load_experiment(options.config_path, options.overrides);
  const ExperimentConfig recorded = load_experiment(dir.config());
  asked.data.standard = recorded.data.standard;
  // config.yaml is experiment_to_yaml of the run's config, written once the
  // data's statistics were known.
  NNN_CHECK(experiment_to_yaml(asked) == read_file(dir.config()), "restart ", restarts,
            " of this job: run directory ", dir.path(), " holds a run of another config than ",
            options.config_path, " with these overrides (compare ", dir.config(),
            "); choose another directory");
  if (leader) {
    fmt::print(log, "restart {} of this job: continuing the run in {} from its last checkpoint\n",
               restarts, dir.path());
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

// nlohmann::ordered_json keeps the keys in the order written; NaN and the
// infinities, which JSON lacks, are dumped as null.
using Json = nlohmann::ordered_json;

void write_summary(const RunDirectory& dir, const ExperimentConfig& config, const Trainer& trainer,
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
  write_file_atomically(dir.summary(), summary.dump(2) + "\n");
}

// One training session: a new run (config resolved, directory chosen, not
// yet created) or a resumed one (config read from its directory).
struct Session {
  ExperimentConfig config;
  /// Empty for a new run without --out: runs/NAME-TIMESTAMP once the data
  /// is loaded.
  std::optional<RunDirectory> dir;
  bool resuming = false;
  std::optional<DeviceSetting> device;  // instead of the config's
  RunHooks hooks;
};

RunResult train(Session session, const DistributedRun& job, std::ostream& log) {
  RunResult result;
  result.config = std::move(session.config);
  const bool leader = job.leader();
  std::ostringstream quiet;
  std::ostream& out = leader ? log : quiet;
  ExperimentConfig& config = result.config;
  // Refused before anything is allocated, naming the key to reduce.
  check_memory(config);
  const int64_t threads = job.threads_per_rank(configure_threads(config.threads));
  ExperimentConfig trainer_config = config;
  trainer_config.threads = job.distributed() ? threads : config.threads;
  const torch::Device device = job.device(session.device.value_or(config.device));
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
  const std::string init_weights = session.resuming || config.train.init_from.empty()
                                       ? ""
                                       : RunDirectory(config.train.init_from).weights();
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
  if (job.distributed()) {
    communicator = job.join(config, device, trainer.data(), threads, out);
    trainer.set_communicator(communicator);
  }

  MetricsLog metrics(steps);
  RunEvents events(steps);  // RUN/tensorboard/, written by the leader
  const RunDirectory dir = session.dir ? *session.dir : RunDirectory::named(config.name);
  result.dir = dir.path();
  if (session.resuming) {
    const auto extra = trainer.load_checkpoint(dir.checkpoint());
    metrics.restore(extra);
    events.restore(extra);
    if (leader) {
      const int stale = remove_stale_temporaries(dir.path());
      if (stale > 0) {
        fmt::print(out, "removed {} temporary file(s) left by a write that was killed\n", stale);
      }
    }
    fmt::print(out, "resuming {} at epoch {}, batch {} of {}\n", dir.path(), trainer.epoch(),
               trainer.batch(), trainer.batches_per_epoch());
  } else if (leader) {
    // A restarted job may start again over its own attempt that never
    // reached a checkpoint (its config.yaml alone).
    dir.create_for_new_run(job.restarts() > 0);
    write_file_atomically(dir.config(), experiment_to_yaml(config));
  }
  if (leader) {
    // TensorBoard's first records (a resumed run has them, unless its
    // checkpoint predates them).
    std::map<std::string, HParamValue> hparams;
    for (const auto& [key, value] : session.hooks.hparams) hparams[key] = HParamValue::parse(value);
    events.start(experiment_to_yaml(config),
                 to_dot(config.model.wiring, config.model.input_size, config.model.output_size,
                        config.model.hidden),
                 hparams, fs::path(dir.path()).filename().string());
    events.write(dir.path());
  }
  auto save = [&] {
    if (!leader) return;
    auto extra = metrics.checkpoint_extra();
    extra.merge(events.checkpoint_extra());
    trainer.save_checkpoint(dir.checkpoint(), extra);
  };

  fmt::print(out,
             "{}: {} cells, {} parameters, d = {}, {} steps; data {}: {} train / {} test samples "
             "(loaded in {:.2f} s); device {}, {} threads\nrun directory: {}\n",
             config.name, config.model.wiring.size(), result.parameters, model->distance(), steps,
             to_string(config.data.dataset()), trainer.data().train.size(),
             trainer.data().test.size(), load_seconds, describe_device(device), threads,
             dir.path());
  if (!init_weights.empty()) fmt::print(out, "weights initialised from {}\n", init_weights);
  log.flush();

  // Steps before d + 1 cannot see the input: the epoch lines leave them out.
  TrainingProgress progress(out, session.hooks.progress_bar, config.train.epochs,
                            config.train.batch_size, config.train.log_every, model->distance() + 1,
                            trainer.epoch());
  int64_t batches_run = 0;
  EpochReport last;
  Trainer::Hooks hooks;
  hooks.stop_requested = [] { return g_interrupted.load(); };
  const auto& after_batch = session.hooks.after_batch;
  const bool restarted = job.restarts() > 0;
  hooks.on_batch = [&](int64_t epoch, int64_t batch, int64_t batches, const torch::Tensor& loss) {
    ++batches_run;
    if (after_batch) after_batch(batches_run, job.rank(), restarted);
    progress.batch(epoch, batch, batches, [&loss] { return loss.item<double>(); });
  };
  hooks.on_epoch = [&](const EpochReport& r) {
    last = r;
    metrics.append(r);
    if (leader) events.append(r);
    save();  // the checkpoint first: it carries the metrics rows and the events
    if (leader) {
      metrics.write(dir.path());
      events.write(dir.path());
    }
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
               trainer.epoch(), trainer.batch(), dir.path());
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
  save_weights(*trainer.model(), dir.weights());
  write_summary(dir, config, trainer, last, result.parameters, device, threads);
  events.finish(last);
  events.write(dir.path());
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
  fmt::print(out, "done in {:.1f} s; results in {}\n", result.seconds, dir.path());
  return result;
}

}  // namespace

RunResult run_training(const ExperimentConfig& config, const RunDirectory& dir, std::ostream& log,
                       const RunHooks& hooks) {
  // Every check of a config file (the reader's), then the config as built.
  parse_experiment(experiment_to_yaml(config), config.file);
  Session session;
  session.config = config;
  session.dir = dir;
  session.hooks = hooks;
  return train(std::move(session),
               hooks.independent ? DistributedRun() : DistributedRun::from_environment(), log);
}

RunResult run_training(const RunOptions& asked, std::ostream& log) {
  // A data-parallel job (torchrun, Slurm or `nnn train --nproc`): rank 0
  // writes the run directory, the others only compute.
  const DistributedRun job =
      asked.hooks.independent ? DistributedRun() : DistributedRun::from_environment();
  std::ostringstream quiet;
  check_restartable(asked);
  const RunOptions options =
      continue_restarted_run(asked, job.restarts(), job.leader(), job.leader() ? log : quiet);
  Session session;
  session.device = options.device;
  session.hooks = options.hooks;
  if (!options.resume.empty()) {
    NNN_CHECK(options.overrides.empty(),
              "overrides cannot change a run being resumed; start a new run instead");
    const RunDirectory dir(options.resume);
    dir.check_resumable();
    session.config = load_experiment(dir.config());
    session.dir = dir;
    session.resuming = true;
  } else {
    session.config = load_experiment(options.config_path, options.overrides);
    if (!options.out.empty()) session.dir = RunDirectory(options.out);
  }
  return train(std::move(session), job, log);
}

}  // namespace nnn
