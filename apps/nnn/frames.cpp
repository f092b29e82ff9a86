// `nnn frames NNN_CONFIG MLP_CONFIG [key=value ...] [--out DIR] [--seeds N]
// [--no-baselines]`.
#include <iostream>
#include <memory>

#include "apps/nnn/command.h"
#include "nnn/experiments/frames_compare.h"

namespace nnn::cli {

void add_frames_command(Commands& commands) {
  struct Options {
    std::string nnn_config, mlp_config, out;
    std::vector<std::string> overrides;
    int64_t seeds = 0;
    bool no_baselines = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* command = commands.add(
      "frames",
      "The blurry-frames comparison on the same fixed test frames: MLP on one frame, on the "
      "pixel average (of all frames, and of 1..F frames), per frame with outputs averaged; NNN "
      "fed one frame per step and one frame at every step; GRU and LSTM readers of the NNN's "
      "size. Writes frames.md, frames.json and frames.svg; with --seeds, one comparison per "
      "seed and frames_seeds.md (mean, range, paired tests).",
      [o] {
        if (o->seeds > 0) {
          run_frames_seeds(o->nnn_config, o->mlp_config, o->overrides, o->seeds, o->out, std::cout,
                           !o->no_baselines);
        } else {
          run_frames_comparison(o->nnn_config, o->mlp_config, o->overrides, o->out, std::cout,
                                !o->no_baselines);
        }
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
  command
      ->add_option("--seeds", o->seeds,
                   "Run seeds 0..N-1, each in OUT/seedS (finished ones are read), then "
                   "frames_seeds.md")
      ->check(CLI::Range(1, 100))
      ->needs("--out");
  command->add_flag("--no-baselines", o->no_baselines,
                    "Leave out the GRU, LSTM and random-frame-count average MLP runs");
}

}  // namespace nnn::cli
