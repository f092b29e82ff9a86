// `nnn sweep CONFIG key=v1,v2 [key2=...] [--seeds N] [--out DIR]`.
#include <filesystem>
#include <iostream>
#include <memory>

#include "apps/nnn/command.h"
#include "nnn/experiments/sweep.h"

namespace nnn::cli {

void add_sweep_command(Commands& commands) {
  struct Options {
    std::string config, out;
    std::vector<std::string> axes;
    int64_t seeds = 1;
  };
  auto o = std::make_shared<Options>();
  CLI::App* command = commands.add(
      "sweep",
      "Train every combination of the given settings (a grid) for N seeds, each in its own run "
      "directory under one folder, then write sweep.md and sweep.csv: per-step test accuracy, "
      "mean and range over seeds, the best marked. Running it again resumes: finished runs are "
      "kept, interrupted ones continue.",
      [o] {
        SweepOptions options;
        options.config_path = o->config;
        options.seeds = o->seeds;
        options.out =
            o->out.empty() ? "sweeps/" + std::filesystem::path(o->config).stem().string() : o->out;
        for (const auto& axis : o->axes) options.axes.push_back(parse_sweep_axis(axis));
        const auto rows = run_sweep(options, std::cout);
        std::cout << "\n"
                  << sweep_markdown(rows, options.axes) << "written: " << options.out
                  << "/sweep.md, " << options.out << "/sweep.csv\n";
        return 0;
      });
  command->add_option("config", o->config, "The experiment YAML")
      ->required()
      ->check(CLI::ExistingFile);
  command->add_option("axes", o->axes, "Swept settings: dotted.key=value1,value2,...")->required();
  command->add_option("--seeds", o->seeds, "Seeds per combination (config seed, +1, ...)")
      ->check(CLI::Range(int64_t{1}, int64_t{1000}));
  command->add_option("--out", o->out, "The sweep folder (default sweeps/<config name>)");
}

}  // namespace nnn::cli
