// The `nnn` command: parses arguments, loads the experiment config, calls the
// library and reports. Subcommands: train, wiring, info.
#include <fmt/core.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "nnn/nnn.h"

namespace {

constexpr const char* kUsage = R"(usage: nnn <command> [options]

commands:
  train CONFIG [--save-weights PATH]
        Train the experiment's NNN; print per-epoch loss and per-step accuracy.
  wiring CONFIG [--dot PATH]
        Print the cells' dims, hidden sizes, parameters, d and the minimum
        steps; write the wiring as Graphviz DOT (default: <config name>.dot).
  info  Print versions, threads and whether CUDA is available.
  help  Show this message.

Run 'nnn <command> --help' for a command's options.
)";

// Positional arguments and --flag VALUE pairs; unknown flags are errors.
struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> flags;
  bool help = false;
};

Args parse_args(int argc, char** argv, int first, const std::vector<std::string>& known_flags) {
  Args args;
  for (int i = first; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      args.help = true;
    } else if (arg.rfind("--", 0) == 0) {
      NNN_CHECK(std::find(known_flags.begin(), known_flags.end(), arg) != known_flags.end(),
                "unknown option '", arg, "' for 'nnn ", argv[1], "'; see 'nnn ", argv[1],
                " --help'");
      NNN_CHECK(i + 1 < argc, "option ", arg, " needs a value");
      args.flags[arg] = argv[++i];
    } else {
      args.positional.push_back(arg);
    }
  }
  return args;
}

std::string format_percent(const std::vector<double>& values) {
  std::string out;
  for (double v : values) out += fmt::format("{:6.2f}", 100.0 * v);
  return out;
}

int cmd_train(int argc, char** argv) {
  const Args args = parse_args(argc, argv, 2, {"--save-weights"});
  if (args.help || args.positional.size() != 1) {
    std::cout << "usage: nnn train CONFIG [--save-weights PATH]\n";
    return args.help ? 0 : 2;
  }
  const nnn::ExperimentConfig config = nnn::load_experiment(args.positional[0]);
  const int64_t threads = nnn::set_threads(config.threads);
  const torch::Device device = nnn::resolve_device(config.device);
  torch::manual_seed(config.seed);
  const nnn::DataSplit data = nnn::load_data(config.data, config.seed);
  const nnn::Dataset& train_set = data.train;
  const nnn::Dataset& test_set = data.test;
  nnn::NNN model(nnn::to_options(config.model));
  model->to(device);
  fmt::print("{}: {} cells, {} parameters, d = {}, {} steps, device {}, {} threads\n", config.name,
             config.model.wiring.size(), model->parameter_count(), model->distance(),
             config.model.steps, nnn::describe_device(device), threads);
  fmt::print("data: {} train / {} test samples, {} classes\n", train_set.size(), test_set.size(),
             train_set.classes);
  const int width = static_cast<int>(6 * config.model.steps);
  fmt::print("{:>5} {:>9} {:>9}  {:<{}}  {:<{}}\n", "epoch", "loss", "test loss",
             "train acc % per step", width, "test acc % per step", width);
  const auto reports =
      nnn::train(model, train_set, &test_set, config, device, [](const nnn::EpochReport& r) {
        fmt::print("{:5d} {:9.4f} {:9.4f}  {}  {}   ({:.1f} s, {:.0f} samples/s)\n", r.epoch,
                   r.train_loss, r.test.loss, format_percent(r.train_accuracy),
                   format_percent(r.test.accuracy), r.seconds, r.samples_per_second);
        std::fflush(stdout);
      });
  const auto final_eval =
      nnn::evaluate(model, train_set, 1024, nnn::parse_loss_steps(config.loss.steps), device);
  fmt::print("final training accuracy at the last step: {:.2f}%; test: {:.2f}%\n",
             100.0 * final_eval.accuracy.back(), 100.0 * reports.back().test.accuracy.back());
  if (args.flags.count("--save-weights")) {
    nnn::save_weights(*model, args.flags.at("--save-weights"));
    fmt::print("weights written to {}\n", args.flags.at("--save-weights"));
  }
  return 0;
}

int cmd_wiring(int argc, char** argv) {
  const Args args = parse_args(argc, argv, 2, {"--dot"});
  if (args.help || args.positional.size() != 1) {
    std::cout << "usage: nnn wiring CONFIG [--dot PATH]\n";
    return args.help ? 0 : 2;
  }
  const std::string& path = args.positional[0];
  const nnn::ExperimentConfig config = nnn::load_experiment(path);
  const auto& m = config.model;
  const auto& w = m.wiring;
  fmt::print("{}: {} cells, {} edges, {} channels; input size {}, output size {}\n", path, w.size(),
             w.edge_count(), w.channel_count(), m.input_size, m.output_size);
  fmt::print("{:>5} {:>7} {:>7} {:>7} {:>10}  role\n", "cell", "in_dim", "hidden", "out_dim",
             "params");
  int64_t total = 0;
  for (int64_t c = 0; c < w.size(); ++c) {
    const int64_t in = w.in_dim(c, m.input_size);
    const int64_t hidden = m.hidden.size() == 1 ? m.hidden[0] : m.hidden[static_cast<size_t>(c)];
    const int64_t out = w.out_dim(c, m.output_size);
    const int64_t params = in * hidden + hidden + hidden * out + out;
    total += params;
    std::string role;
    if (w.is_input(c)) role += "input ";
    if (c == w.output()) role += "output";
    fmt::print("{:5d} {:7d} {:7d} {:7d} {:10d}  {}\n", c, in, hidden, out, params, role);
  }
  const int64_t d = w.distance();
  fmt::print(
      "parameters: {}\nd (shortest input-to-output path): {}\nminimum steps: {} "
      "(configured: {})\n",
      total, d, d + 1, m.steps);
  const std::string dot = args.flags.count("--dot")
                              ? args.flags.at("--dot")
                              : std::filesystem::path(path).stem().string() + ".dot";
  nnn::write_file_atomically(dot, nnn::to_dot(w, m.input_size, m.output_size, m.hidden));
  fmt::print("DOT written to {} (render: dot -Tsvg {} -o wiring.svg)\n", dot, dot);
  return 0;
}

int cmd_info() {
  fmt::print("nnn 0.1.0\nLibTorch {}\nintra-op threads: {} (cores: {})\n", TORCH_VERSION,
             torch::get_num_threads(), std::thread::hardware_concurrency());
  fmt::print("CUDA available: {}", torch::cuda::is_available() ? "yes" : "no");
  if (torch::cuda::is_available()) fmt::print(", {} device(s)", torch::cuda::device_count());
  fmt::print("\ndevice auto -> {}\n", nnn::describe_device(nnn::resolve_device("auto")));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string command = argc > 1 ? argv[1] : "help";
    if (command == "train") return cmd_train(argc, argv);
    if (command == "wiring") return cmd_wiring(argc, argv);
    if (command == "info") return cmd_info();
    if (command == "help" || command == "--help" || command == "-h") {
      std::cout << kUsage;
      return argc > 1 ? 0 : 2;
    }
    std::cerr << "error: unknown command '" << command << "'\n" << kUsage;
    return 2;
  } catch (const nnn::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
  } catch (const c10::Error& e) {
    std::cerr << "error: " << e.what_without_backtrace() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
  }
  return 1;
}
