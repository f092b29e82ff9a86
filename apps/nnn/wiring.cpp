// `nnn wiring CONFIG [key=value ...] [--dot PATH]`: a wiring's cells, sizes,
// parameters and distance, as the library computes them.
#include <fmt/core.h>

#include <filesystem>
#include <memory>

#include "apps/nnn/command.h"
#include "nnn/config/experiment_config.h"
#include "nnn/util/error.h"
#include "nnn/util/files.h"

namespace nnn::cli {

void add_wiring_command(Commands& commands) {
  struct Options {
    std::string config, dot, svg;
    std::vector<std::string> overrides;
  };
  auto o = std::make_shared<Options>();
  CLI::App* command = commands.add(
      "wiring",
      "Print every cell's in_dim, hidden size, out_dim and parameters, the shortest "
      "input-to-output distance d and the minimum steps; --dot writes Graphviz DOT, --svg "
      "draws it.",
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
        const std::string dot = to_dot(w, m.input_size, m.output_size, m.hidden);
        if (!o->dot.empty()) {
          write_file_atomically(o->dot, dot);
          fmt::print("DOT written to {}\n", o->dot);
        }
        if (!o->svg.empty()) {
          // Graphviz reads a file: the DOT beside the SVG, removed after.
          const std::string source = o->svg + ".dot.tmp";
          write_file_atomically(source, dot);
          const bool rendered = render_dot(source, "svg", o->svg);
          std::filesystem::remove(source);
          NNN_CHECK(rendered,
                    "--svg needs Graphviz's dot, which is not installed (scripts/setup.sh "
                    "installs it; or write --dot and render it elsewhere)");
          fmt::print("SVG written to {}\n", o->svg);
        }
        return 0;
      });
  command->add_option("config", o->config, "The experiment YAML")
      ->required()
      ->check(CLI::ExistingFile);
  add_overrides(command, o->overrides);
  command->add_option("--dot", o->dot, "Write the wiring as Graphviz DOT to this file");
  command->add_option("--svg", o->svg, "Draw the wiring as SVG into this file (Graphviz)");
}

}  // namespace nnn::cli
