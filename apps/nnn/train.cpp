// `nnn train CONFIG [key=value ...] [--out DIR]` and `nnn train --resume RUNDIR`.
#include <unistd.h>

#include <iostream>
#include <memory>

#include "apps/nnn/command.h"
#include "nnn/train/run.h"

namespace nnn::cli {

void add_train_command(Commands& commands) {
  struct Options {
    std::string config, out, resume, device;
    std::vector<std::string> overrides;
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
        RunOptions options;
        options.config_path = o->config;
        options.resume = o->resume;
        options.overrides = o->overrides;
        options.out = o->out;
        options.device = o->device;
        options.progress_bar = ::isatty(STDOUT_FILENO) == 1;
        return run_training(options, std::cout).completed ? 0 : kExitInterrupted;
      });
  command->add_option("config", o->config, "The experiment YAML")->check(CLI::ExistingFile);
  add_overrides(command, o->overrides);
  command->add_option("--out", o->out, "The run directory (default runs/<name>-<time>)");
  command->add_option("--resume", o->resume, "Continue the run in this directory")
      ->check(run_directory());
  command->add_option("--device", o->device,
                      "Train on this device (auto, cpu, cuda, cuda:N) instead of the config's; "
                      "also when resuming (a checkpoint from any device loads)");
}

}  // namespace nnn::cli
