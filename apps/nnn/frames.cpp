// `nnn frames NNN_CONFIG MLP_CONFIG [key=value ...] [--out DIR]`.
#include <iostream>
#include <memory>

#include "apps/nnn/command.h"
#include "nnn/experiments/frames_compare.h"

namespace nnn::cli {

void add_frames_command(Commands& commands) {
  struct Options {
    std::string nnn_config, mlp_config, out;
    std::vector<std::string> overrides;
  };
  auto o = std::make_shared<Options>();
  CLI::App* command = commands.add(
      "frames",
      "The blurry-frames comparison on the same fixed test frames: MLP on one frame, on the "
      "pixel average, per frame with outputs averaged; NNN fed one frame per step and one "
      "frame at every step. Writes frames.md, frames.json and frames.svg.",
      [o] {
        run_frames_comparison(o->nnn_config, o->mlp_config, o->overrides, o->out, std::cout);
        return 0;
      });
  command->add_option("nnn_config", o->nnn_config, "The NNN experiment YAML")
      ->required()
      ->check(CLI::ExistingFile);
  command->add_option("mlp_config", o->mlp_config, "The MLP experiment YAML (one cell, 1 step)")
      ->required()
      ->check(CLI::ExistingFile);
  add_overrides(command, o->overrides)
      ->description("Settings applied to both configs, e.g. train.epochs=5 data.frames=4");
  command->add_option("--out", o->out, "Output directory (default runs/<name>-frames-<time>)");
}

}  // namespace nnn::cli
