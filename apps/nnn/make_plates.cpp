// `nnn make-plates CONFIG|RUNDIR [key=value ...] [--plates N] [--digits K]
// [--frames F] [--seed S] [--out DIR]`.
#include <fmt/core.h>

#include <filesystem>
#include <memory>

#include "apps/nnn/command.h"
#include "nnn/config/experiment_config.h"
#include "nnn/experiments/plates.h"
#include "nnn/runtime/parallel.h"
#include "nnn/train/run_directory.h"

namespace nnn::cli {

void add_make_plates_command(Commands& commands) {
  struct Options {
    std::string source, out = "plates";
    std::vector<std::string> overrides;
    PlateOptions plates;
    int64_t frames = 0;  // 0: the config's data.frames
  };
  auto o = std::make_shared<Options>();
  o->plates.seed = 1;
  CLI::App* command = commands.add(
      "make-plates",
      "Compose K test digits of the config's data into plates and render F frames of each, "
      "degraded as the config's data.degrade says (PGM files, and plates.tsv with the true "
      "readings).",
      [o] {
        const std::string config_path = config_file_of(o->source);
        const ExperimentConfig config = load_experiment(config_path, o->overrides);
        PlateOptions options = o->plates;
        options.frames = o->frames > 0 ? o->frames : config.data.frames.count;
        options.degrade = config.data.frames.degrade;
        configure_threads(1);
        const auto plates = make_plates(config.data, config.seed, options, o->out);
        fmt::print("{} plates of {} digits, {} frames each ({}), from the test digits of '{}':\n",
                   plates.size(), options.digits, options.frames,
                   options.degrade.any() ? "degraded as " + config_path + " says" : "not degraded",
                   to_string(config.data.dataset()));
        for (const auto& plate : plates) {
          fmt::print("  {}  {} .. {}\n", plate.reading, plate.files.front(), plate.files.back());
        }
        fmt::print("truth in {}/plates.tsv; try: nnn predict RUNDIR --plate {} {}/frame_*.pgm\n",
                   o->out, options.digits,
                   std::filesystem::path(plates.front().files.front()).parent_path().string());
        return 0;
      });
  command->add_option("source", o->source, "An experiment YAML or a run directory")
      ->required()
      ->check(CLI::ExistingPath);
  add_overrides(command, o->overrides);
  command->add_option("--plates", o->plates.plates, "How many plates")
      ->check(CLI::Range(1, 100000));
  command->add_option("--digits", o->plates.digits, "Digits per plate (K)")
      ->check(CLI::Range(1, 64));
  command->add_option("--frames", o->frames, "Frames per plate (default: the config's data.frames)")
      ->check(CLI::Range(1, 1000));
  command->add_option("--seed", o->plates.seed, "Seed of the digits and degradations");
  command->add_option("--out", o->out, "Output directory");
}

}  // namespace nnn::cli
