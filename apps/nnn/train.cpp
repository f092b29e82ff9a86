// `nnn train CONFIG [key=value ...] [--out DIR] [--nproc N]` and `nnn train --resume RUNDIR`.
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <memory>

#include "apps/nnn/command.h"
#include "nnn/config/experiment_config.h"
#include "nnn/distributed/dist_env.h"
#include "nnn/distributed/launch.h"
#include "nnn/train/distributed_run.h"
#include "nnn/train/memory_estimate.h"
#include "nnn/train/run.h"

namespace nnn::cli {

namespace {

// Faults for the shell tests (tests/train/*.sh, tests/apps/disk_full_test.sh):
// NNN_TEST_KILL_AT_BATCH=N kills this process (SIGKILL) after N batches of
// its session, not in a restarted attempt, and only on rank
// NNN_TEST_KILL_RANK when that is set; NNN_TEST_INTERRUPT_AT_BATCH=N raises
// SIGINT after N batches. Empty when none is set.
std::function<void(int64_t, int64_t, bool)> faults_from_environment() {
  const auto number = [](const char* name) {
    const char* text = std::getenv(name);
    return text != nullptr ? std::atoll(text) : int64_t{-1};
  };
  const int64_t kill_at = number("NNN_TEST_KILL_AT_BATCH");
  const int64_t interrupt_at = number("NNN_TEST_INTERRUPT_AT_BATCH");
  const int64_t kill_rank = number("NNN_TEST_KILL_RANK");
  if (kill_at < 0 && interrupt_at < 0) return {};
  return [=](int64_t batches, int64_t rank, bool restarted) {
    if (batches == kill_at && !restarted && (kill_rank < 0 || rank == kill_rank)) {
      std::raise(SIGKILL);
    }
    if (batches == interrupt_at) std::raise(SIGINT);
  };
}
}  // namespace

void add_train_command(Commands& commands) {
  struct Options {
    std::string config, out, resume, device;
    std::vector<std::string> overrides;
    int64_t nproc = 1;
    int64_t max_restarts = 0;
  };
  auto o = std::make_shared<Options>();
  CLI::App* command = commands.add(
      "train",
      "Train an experiment into a run directory (config.yaml, metrics.jsonl, metrics.csv, "
      "checkpoint.pt, weights.pt, summary.json), or resume an interrupted run exactly where "
      "its checkpoint left it.",
      [o] {
        if (o->resume.empty() == o->config.empty()) {
          throw UsageError("nnn train: give a CONFIG to start a run, or --resume RUNDIR");
        }
        if (!o->resume.empty() && (!o->overrides.empty() || !o->out.empty())) {
          throw UsageError("nnn train --resume: overrides and --out cannot change a run");
        }
        if (o->max_restarts > 0 && o->nproc <= 1) {
          throw UsageError("nnn train: --max-restarts restarts the ranks of --nproc N (N >= 2)");
        }
        if (o->max_restarts > 0 && o->resume.empty() && o->out.empty()) {
          throw UsageError(
              "nnn train: --max-restarts needs --out DIR, so that restarted ranks find the run");
        }
        if (o->nproc > 1) {
          check_local_ranks("train", o->nproc, "torchrun or Slurm to train");
          // A config that does not load is reported once, not by every rank.
          if (!o->config.empty()) {
            const ExperimentConfig config = load_experiment(o->config, o->overrides);
            check_memory(config);
            distributed_on_nccl(config, device_option(o->device));
          }
          // The same command once per rank, without --nproc.
          std::vector<std::string> argv = {"nnn", "train"};
          if (!o->config.empty()) argv.push_back(o->config);
          for (const auto& setting : o->overrides) argv.push_back(setting);
          for (const auto& [flag, value] : {std::pair<const char*, std::string>{"--out", o->out},
                                            {"--resume", o->resume},
                                            {"--device", o->device}}) {
            if (!value.empty()) argv.insert(argv.end(), {flag, value});
          }
          return launch_local_workers(o->nproc, argv, std::cout, o->max_restarts);
        }
        RunOptions options;
        options.config_path = o->config;
        options.resume = o->resume;
        options.overrides = o->overrides;
        options.out = o->out;
        options.device = device_option(o->device);
        options.hooks.progress_bar = ::isatty(STDOUT_FILENO) == 1;
        options.hooks.after_batch = faults_from_environment();
        const RunResult result = run_training(options, std::cout);
        if (!result.completed) return kExitInterrupted;
        // What to do next, on rank 0 only (the others print nothing).
        const auto job = dist_env_from_environment();
        if (!job || job->rank == 0) {
          fmt::print(
              "next: nnn eval {0}   (per-step accuracy)   nnn serve {0}   (watch it think "
              "in the browser)\n",
              result.dir);
        }
        return 0;
      });
  command->add_option("config", o->config, "The experiment YAML")->check(CLI::ExistingFile);
  add_overrides(command, o->overrides);
  command->add_option("--out", o->out, "The run directory (default runs/<name>-<time>)");
  command->add_option("--resume", o->resume, "Continue the run in this directory")
      ->check(run_directory());
  command
      ->add_option("--device", o->device,
                   "Train on this device (auto, cpu, cuda, cuda:N) instead of the config's; "
                   "also when resuming (a checkpoint from any device loads)")
      ->check(device_setting());
  command
      ->add_option("--nproc", o->nproc,
                   "Train data-parallel in N local processes (c10d Gloo on 127.0.0.1); the same "
                   "run as one process: one run directory, the same batches and metrics")
      ->check(CLI::Range(int64_t{1}, int64_t{4096}));
  command
      ->add_option("--max-restarts", o->max_restarts,
                   "With --nproc: when a rank fails, restart all ranks up to N times; they "
                   "continue from the run's last checkpoint (as under torchrun --max-restarts)")
      ->check(CLI::Range(int64_t{0}, kMaxLocalRestarts));
}

}  // namespace nnn::cli
