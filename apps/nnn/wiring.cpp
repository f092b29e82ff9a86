// `nnn wiring CONFIG [key=value ...] [--dot PATH]`: a wiring's cells, sizes,
// parameters and distance, as the library computes them.
#include <fmt/core.h>

#include <memory>

#include "apps/nnn/command.h"
#include "nnn/config/experiment_config.h"
#include "nnn/util/files.h"

namespace nnn::cli {

void add_wiring_command(Commands& commands) {
  struct Options {
    std::string config, dot;
    std::vector<std::string> overrides;
  };
  auto o = std::make_shared<Options>();
  CLI::App* command = commands.add(
      "wiring",
      "Print every cell's in_dim, hidden size, out_dim and parameters, the shortest "
      "input-to-output distance d and the minimum steps; with --dot, write Graphviz DOT.",
      [o] {
        const ExperimentConfig config = load_experiment(o->config, o->overrides);
        const ModelConfig& m = config.model;
        const Wiring& w = m.wiring;
        fmt::print("{}: {} cells, {} edges, {} channels; input size {}, output size {}\n",
                   o->config, w.size(), w.edge_count(), w.channel_count(), m.input_size,
                   m.output_size);
        fmt::print("{:>5} {:>7} {:>7} {:>7} {:>10}  role\n", "cell", "in_dim", "hidden", "out_dim",
                   "params");
        for (int64_t c = 0; c < w.size(); ++c) {
          std::string role = w.is_input(c) ? "input " : "";
          if (c == w.output()) role += "output";
          fmt::print("{:5d} {:7d} {:7d} {:7d} {:10d}  {}\n", c, w.in_dim(c, m.input_size),
                     m.hidden_size(c), w.out_dim(c, m.output_size), m.cell_parameters(c), role);
        }
        fmt::print(
            "parameters: {}\nd (shortest input-to-output path): {}\nminimum steps: {} "
            "(configured: {})\n",
            m.parameter_count(), w.distance(), w.distance() + 1, m.steps);
        if (!o->dot.empty()) {
          write_file_atomically(o->dot, to_dot(w, m.input_size, m.output_size, m.hidden));
          fmt::print("DOT written to {} (render: dot -Tsvg {} -o wiring.svg)\n", o->dot, o->dot);
        }
        return 0;
      });
  command->add_option("config", o->config, "The experiment YAML")
      ->required()
      ->check(CLI::ExistingFile);
  add_overrides(command, o->overrides);
  command->add_option("--dot", o->dot, "Write the wiring as Graphviz DOT to this file");
}

}  // namespace nnn::cli
