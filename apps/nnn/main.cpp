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

#include <unistd.h>

#include "nnn/baseline/value.h"
#include "nnn/bench/bench.h"
#include "nnn/data/plates.h"
#include "nnn/nnn.h"
#include "nnn/train/compare.h"
#include "nnn/train/frames_compare.h"
#include "nnn/train/predict.h"
#include "nnn/util/json.h"
#include "nnn/version.h"

namespace {

constexpr const char* kUsage = R"(usage: nnn <command> [options]

commands:
  train CONFIG [key=value ...] [--out DIR]
        Train the experiment into a run directory (default runs/<name>-<time>):
        config.yaml, metrics.jsonl, metrics.csv, checkpoint.pt, weights.pt,
        summary.json. Overrides use dotted keys: train.lr=0.01 model.steps=6.
  train --resume RUNDIR
        Continue an interrupted run exactly where its checkpoint left it.
  eval RUNDIR [--data test|train|IMAGES:LABELS] [--json]
        Per-step accuracy, top-3, confidence and calibration error (ECE) of
        a run's weights (frame runs: on their fixed degraded frames).
  wiring CONFIG [key=value ...] [--dot PATH]
        Print the cells' dims, hidden sizes, parameters, d and the minimum
        steps; write the wiring as Graphviz DOT (default: <config name>.dot).
  bench [--device D] [--threads N] [--seconds S] [--json PATH] [--only TEXT] [--batch N]
        Time the standard workloads (training and inference) beside the
        machine's sgemm; print a table, write JSON.
  compare CONFIG [key=value ...] [--out DIR] [--classic LR]
        Train the config's NNN, a LibTorch MLP with a matched parameter count
        and the from-scratch MLP on the same data, epochs, batch and seed;
        print and write compare.md / compare.json. --classic LR adds the
        first tutorials' per-sample sigmoid/MSE network (SGD at LR).
  frames NNN_CONFIG MLP_CONFIG [key=value ...] [--out DIR]
        The blurry-frames comparison on the same fixed test frames: MLP on one
        frame, MLP on the pixel average, MLP per frame with outputs averaged,
        NNN fed one frame per step, NNN fed one frame at every step; writes
        frames.md, frames.json and the plot frames.svg.
  predict RUNDIR [--plate K] [--top N] IMAGE [IMAGE ...]
        Read a digit from frames (8-bit PGM, one file per frame) with a
        trained run: per step (or per frame count), the top N digits with
        probabilities. --plate K: each image is a strip of K digits; prints
        the most likely K-digit readings with their joint probabilities.
  make-plates CONFIG|RUNDIR [--plates N] [--digits K] [--frames F] [--seed S] [--out DIR]
        Compose K test digits of the config's data into plates and render F
        frames of each, degraded as the config's data.degrade says (PGM files
        and plates.tsv with the true readings).
  bench --baseline
        The from-scratch matrix product against LibTorch's (1 thread each)
        on the MNIST-MLP shapes.
  micrograd-demo [--dot PATH]
        The tanh neuron of the micrograd lecture on the scalar Value engine:
        print the gradients, write the expression graph as DOT (and SVG/PNG
        when Graphviz's dot is installed).
  info  Print versions, threads and whether CUDA is available.
  help  Show this message.

Run 'nnn <command> --help' for a command's options.
)";

// Positional arguments, key=value overrides, --flag VALUE pairs and
// value-less switches; unknown flags are errors.
struct Args {
  std::vector<std::string> positional;
  std::vector<std::string> overrides;
  std::map<std::string, std::string> flags;
  bool help = false;
  bool has(const std::string& flag) const { return flags.count(flag) > 0; }
};

Args parse_args(int argc, char** argv, const std::vector<std::string>& valued,
                const std::vector<std::string>& switches = {}) {
  Args args;
  const std::string command = argv[1];
  auto known = [](const std::vector<std::string>& list, const std::string& flag) {
    return std::find(list.begin(), list.end(), flag) != list.end();
  };
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      args.help = true;
    } else if (arg.rfind("--", 0) == 0) {
      if (known(switches, arg)) {
        args.flags[arg] = "";
        continue;
      }
      NNN_CHECK(known(valued, arg), "unknown option '", arg, "' for 'nnn ", command, "'; see 'nnn ",
                command, " --help'");
      NNN_CHECK(i + 1 < argc, "option ", arg, " needs a value");
      args.flags[arg] = argv[++i];
    } else if (arg.find('=') != std::string::npos) {
      args.overrides.push_back(arg);
    } else {
      args.positional.push_back(arg);
    }
  }
  return args;
}

int cmd_train(int argc, char** argv) {
  const Args args = parse_args(argc, argv, {"--out", "--resume"});
  const bool resume = args.has("--resume");
  if (args.help || (resume ? !args.positional.empty() : args.positional.size() != 1)) {
    std::cout << "usage: nnn train CONFIG [key=value ...] [--out DIR]\n"
                 "       nnn train --resume RUNDIR\n";
    return args.help ? 0 : 2;
  }
  nnn::RunOptions options;
  if (resume) {
    options.resume = args.flags.at("--resume");
  } else {
    options.config_path = args.positional[0];
  }
  options.overrides = args.overrides;
  if (args.has("--out")) options.out = args.flags.at("--out");
  options.progress_bar = ::isatty(STDOUT_FILENO) == 1;
  const nnn::RunResult result = nnn::run_training(options, std::cout);
  return result.completed ? 0 : 130;
}

int cmd_eval(int argc, char** argv) {
  const Args args = parse_args(argc, argv, {"--data"}, {"--json"});
  if (args.help || args.positional.size() != 1 || !args.overrides.empty()) {
    std::cout << "usage: nnn eval RUNDIR [--data test|train|IMAGES:LABELS] [--json]\n";
    return args.help ? 0 : 2;
  }
  const std::string data = args.has("--data") ? args.flags.at("--data") : "test";
  const nnn::Evaluation e = nnn::evaluate_run(args.positional[0], data);
  if (args.has("--json")) {
    nnn::json::Object o;
    o.add("run", args.positional[0]).add("data", data).add("samples", e.samples);
    o.add("loss", e.loss).add("accuracy", e.accuracy).add("top3", e.top3);
    o.add("confidence", e.confidence).add("ece", e.ece);
    std::cout << o.str() << "\n";
    return 0;
  }
  fmt::print("{} on {} ({} samples), loss {:.4f}\n{}", args.positional[0], data, e.samples, e.loss,
             nnn::evaluation_table(e));
  return 0;
}

int cmd_wiring(int argc, char** argv) {
  const Args args = parse_args(argc, argv, {"--dot"});
  if (args.help || args.positional.size() != 1) {
    std::cout << "usage: nnn wiring CONFIG [key=value ...] [--dot PATH]\n";
    return args.help ? 0 : 2;
  }
  const std::string& path = args.positional[0];
  const nnn::ExperimentConfig config = nnn::load_experiment(path, args.overrides);
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

int cmd_bench(int argc, char** argv) {
  const Args args =
      parse_args(argc, argv, {"--device", "--threads", "--seconds", "--json", "--only", "--batch"},
                 {"--flush-denormal", "--baseline"});
  if (args.has("--flush-denormal")) at::globalContext().setFlushDenormal(true);
  if (args.help || !args.positional.empty() || !args.overrides.empty()) {
    std::cout << "usage: nnn bench [--device auto|cpu|cuda] [--threads N] [--seconds S] "
                 "[--json PATH] [--only TEXT] [--batch N]\n";
    return args.help ? 0 : 2;
  }
  auto number = [&](const char* flag, double fallback) {
    if (!args.has(flag)) return fallback;
    try {
      return std::stod(args.flags.at(flag));
    } catch (const std::exception&) {
      throw nnn::Error(std::string(flag) + " expects a number; got '" + args.flags.at(flag) + "'");
    }
  };
  const torch::Device device =
      nnn::resolve_device(args.has("--device") ? args.flags.at("--device") : "auto");
  const int64_t threads = nnn::configure_threads(static_cast<int64_t>(number("--threads", 0)));
  const double seconds = number("--seconds", 2.0);
  if (args.has("--baseline")) {
    fmt::print("{:<34} {:>14} {:>14} {:>7}\n", "shape (MNIST MLP, batch 256)", "baseline GF/s",
               "LibTorch GF/s", "ratio");
    for (const auto& r : nnn::compare_baseline_matmul(seconds)) {
      fmt::print("{:<34} {:>14.1f} {:>14.1f} {:>6.0f}%\n", r.shape, r.baseline_gflops,
                 r.torch_gflops, 100 * r.baseline_gflops / r.torch_gflops);
    }
    return 0;
  }
  const double sgemm = nnn::measure_sgemm_gflops(device, threads);
  fmt::print("device {}, {} threads, LibTorch {}; sgemm 1024^3: {:.1f} GFLOP/s\n",
             nnn::describe_device(device), threads, TORCH_VERSION, sgemm);
  fmt::print("{:<30} {:>5} {:>6} {:>12} {:>9} {:>12} {:>8} {:>10} {:>9}\n", "workload", "mode",
             "batch", "samples/s", "ms/batch", "useful GF/s", "of sgemm", "RSS grow", "peak RSS");
  std::string rows;
  for (const auto& workload : nnn::standard_workloads()) {
    if (args.has("--only") && workload.name.find(args.flags.at("--only")) == std::string::npos)
      continue;
    for (bool training : {true, false}) {
      const auto r = nnn::run_workload(workload, training, device, seconds, sgemm, threads);
      fmt::print(
          "{:<30} {:>5} {:>6} {:>12.0f} {:>9.3f} {:>12.2f} {:>7.1f}% {:>8.1f}MB {:>7.0f}MB\n",
          r.workload, r.mode, r.batch, r.samples_per_second, r.ms_per_batch, r.useful_gflops,
          100 * r.fraction_of_sgemm, r.rss_growth_mb, r.peak_rss_mb);
      std::fflush(stdout);
      nnn::json::Object o;
      o.add("workload", r.workload).add("mode", r.mode).add("batch", r.batch);
      o.add("iterations", r.iterations).add("samples_per_s", r.samples_per_second);
      o.add("ms_per_batch", r.ms_per_batch).add("useful_gflops", r.useful_gflops);
      o.add("fraction_of_sgemm", r.fraction_of_sgemm).add("rss_growth_mb", r.rss_growth_mb);
      o.add("peak_rss_mb", r.peak_rss_mb);
      rows += (rows.empty() ? "" : ",\n  ") + o.str();
    }
  }
  if (args.has("--json")) {
    nnn::json::Object header;
    header.add("device", nnn::describe_device(device)).add("threads", threads);
    header.add("libtorch", TORCH_VERSION).add("sgemm_gflops", sgemm);
    const std::string text =
        "{\"machine\": " + header.str() + ",\n \"results\": [\n  " + rows + "\n]}\n";
    nnn::write_file_atomically(args.flags.at("--json"), text);
    fmt::print("JSON written to {}\n", args.flags.at("--json"));
  }
  return 0;
}

int cmd_compare(int argc, char** argv) {
  const Args args = parse_args(argc, argv, {"--out", "--classic"});
  if (args.help || args.positional.size() != 1) {
    std::cout << "usage: nnn compare CONFIG [key=value ...] [--out DIR] [--classic LR]\n";
    return args.help ? 0 : 2;
  }
  double classic_lr = 0.0;
  if (args.has("--classic")) {
    const std::string& text = args.flags.at("--classic");
    char* end = nullptr;
    classic_lr = std::strtod(text.c_str(), &end);
    NNN_CHECK(end != text.c_str() && *end == '\0' && classic_lr > 0,
              "--classic expects a learning rate > 0; got '", text, "'");
  }
  nnn::run_comparison(args.positional[0], args.overrides,
                      args.has("--out") ? args.flags.at("--out") : "", std::cout, classic_lr);
  return 0;
}

int cmd_frames(int argc, char** argv) {
  const Args args = parse_args(argc, argv, {"--out"});
  if (args.help || args.positional.size() != 2) {
    std::cout << "usage: nnn frames NNN_CONFIG MLP_CONFIG [key=value ...] [--out DIR]\n"
                 "  Overrides apply to both configs (e.g. train.epochs=5 data.frames=4).\n";
    return args.help ? 0 : 2;
  }
  nnn::run_frames_comparison(args.positional[0], args.positional[1], args.overrides,
                             args.has("--out") ? args.flags.at("--out") : "", std::cout);
  return 0;
}

int64_t integer_flag(const Args& args, const char* flag, int64_t fallback) {
  if (!args.has(flag)) return fallback;
  const std::string& text = args.flags.at(flag);
  char* end = nullptr;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  NNN_CHECK(end != text.c_str() && *end == '\0', flag, " expects an integer; got '", text, "'");
  return value;
}

int cmd_predict(int argc, char** argv) {
  const Args args = parse_args(argc, argv, {"--plate", "--top"});
  if (args.help || args.positional.size() < 2 || !args.overrides.empty()) {
    std::cout << "usage: nnn predict RUNDIR [--plate K] [--top N] IMAGE [IMAGE ...]\n"
                 "  IMAGEs are 8-bit PGM frames of one digit (or, with --plate K, of a strip\n"
                 "  of K digits), in the order they were taken.\n";
    return args.help ? 0 : 2;
  }
  const int64_t plate = integer_flag(args, "--plate", 0);
  const int64_t top = integer_flag(args, "--top", 3);
  NNN_CHECK(plate >= 0, "--plate expects K >= 1; got ", plate);
  NNN_CHECK(top >= 1, "--top expects N >= 1; got ", top);
  const std::vector<std::string> files(args.positional.begin() + 1, args.positional.end());
  const auto frames = nnn::read_frames(files, plate);
  nnn::configure_threads(1);
  nnn::LoadedRun run = nnn::load_run(args.positional[0]);
  const auto rows = nnn::predict_frames(run, frames);
  fmt::print("{} frame(s), model {} (feed: {}, {} steps, d = {})\n", files.size(), run.config.name,
             nnn::to_string(run.config.data.frames.feed), run.config.model.steps,
             run.model->distance());
  std::cout << (plate > 0 ? nnn::format_plate_rows(rows, top) : nnn::format_digit_rows(rows, top));
  return 0;
}

int cmd_make_plates(int argc, char** argv) {
  const Args args = parse_args(argc, argv, {"--plates", "--digits", "--frames", "--seed", "--out"});
  if (args.help || args.positional.size() != 1) {
    std::cout << "usage: nnn make-plates CONFIG|RUNDIR [key=value ...] [--plates N] [--digits K] "
                 "[--frames F] [--seed S] [--out DIR]\n";
    return args.help ? 0 : 2;
  }
  std::string config_path = args.positional[0];
  if (std::filesystem::is_directory(config_path)) {
    config_path = (std::filesystem::path(config_path) / nnn::RunFiles::kConfig).string();
  }
  const nnn::ExperimentConfig config = nnn::load_experiment(config_path, args.overrides);
  nnn::DataConfig clean = config.data;
  clean.normalize = "unit";
  clean.frames = nnn::FrameOptions{};
  nnn::configure_threads(1);
  const nnn::DataSplit data = nnn::load_data(clean, config.seed);
  nnn::PlateOptions options;
  options.plates = integer_flag(args, "--plates", options.plates);
  options.digits = integer_flag(args, "--digits", options.digits);
  options.frames = integer_flag(args, "--frames", config.data.frames.count);
  options.seed = static_cast<uint64_t>(integer_flag(args, "--seed", 1));
  options.degrade = config.data.frames.degrade;
  const std::string out = args.has("--out") ? args.flags.at("--out") : "plates";
  const auto& source = data.test.size() > 0 ? data.test : data.train;
  const auto plates = nnn::make_plates(source.inputs, source.labels, options, out);
  fmt::print("{} plates of {} digits, {} frames each ({}), from the test digits of '{}':\n",
             plates.size(), options.digits, options.frames,
             options.degrade.any() ? "degraded as " + config_path + " says" : "not degraded",
             config.data.dataset);
  for (const auto& plate : plates) {
    fmt::print("  {}  {} .. {}\n", plate.reading, plate.files.front(), plate.files.back());
  }
  fmt::print(
      "truth in {}/plates.tsv; try: nnn predict RUNDIR --plate {} {}\n", out, options.digits,
      std::filesystem::path(plates.front().files.front()).parent_path().string() + "/frame_*.pgm");
  return 0;
}

int cmd_micrograd_demo(int argc, char** argv) {
  const Args args = parse_args(argc, argv, {"--dot"});
  if (args.help || !args.positional.empty() || !args.overrides.empty()) {
    std::cout << "usage: nnn micrograd-demo [--dot PATH]\n";
    return args.help ? 0 : 2;
  }
  using nnn::baseline::Value;
  Value x1(2.0, "x1"), x2(0.0, "x2"), w1(-3.0, "w1"), w2(1.0, "w2"), b(6.7, "b");
  Value x1w1 = (x1 * w1).label("x1*w1");
  Value x2w2 = (x2 * w2).label("x2*w2");
  Value n = (x1w1 + x2w2 + b).label("n");
  Value o = n.tanh().label("o");
  o.backward();
  fmt::print("o = tanh(x1*w1 + x2*w2 + b) = {:.6f}\n", o.data());
  for (const Value* v : {&x1, &w1, &x2, &w2, &b, &n}) {
    fmt::print("  d o / d {:<3} = {:+.6f}\n", v->label(), v->grad());
  }
  // tanh written out: (e^{2n} - 1) / (e^{2n} + 1), the same gradients.
  Value y1(2.0, "x1"), y2(0.0, "x2"), v1(-3.0, "w1"), v2(1.0, "w2"), c(6.7, "b");
  Value e = (Value(2.0) * (y1 * v1 + y2 * v2 + c)).exp().label("e");
  Value o2 = ((e - Value(1.0)) / (e + Value(1.0))).label("o");
  o2.backward();
  fmt::print(
      "with tanh as (e^2n - 1)/(e^2n + 1): o = {:.6f}, d o/d x1 = {:+.6f}, d o/d w1 = "
      "{:+.6f}\n",
      o2.data(), y1.grad(), v1.grad());
  const std::string dot = args.has("--dot") ? args.flags.at("--dot") : "micrograd.dot";
  nnn::write_file_atomically(dot, o.to_dot());
  fmt::print("graph written to {}\n", dot);
  if (std::system("command -v dot >/dev/null 2>&1") == 0) {
    const std::string stem = dot.substr(0, dot.rfind('.'));
    for (const char* format : {"svg", "png"}) {
      const std::string command =
          fmt::format("dot -T{} '{}' -o '{}.{}'", format, dot, stem, format);
      if (std::system(command.c_str()) == 0) fmt::print("rendered {}.{}\n", stem, format);
    }
  } else {
    fmt::print("(install graphviz to render it: dot -Tsvg {} -o micrograd.svg)\n", dot);
  }
  return 0;
}

int cmd_info() {
  fmt::print(
      "nnn {}\nLibTorch {}\ncores: {} (nnn runs single-threaded kernels, one batch shard per "
      "core)\n",
      nnn::kVersion, TORCH_VERSION, std::thread::hardware_concurrency());
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
    if (command == "eval") return cmd_eval(argc, argv);
    if (command == "wiring") return cmd_wiring(argc, argv);
    if (command == "info") return cmd_info();
    if (command == "bench") return cmd_bench(argc, argv);
    if (command == "micrograd-demo") return cmd_micrograd_demo(argc, argv);
    if (command == "compare") return cmd_compare(argc, argv);
    if (command == "frames") return cmd_frames(argc, argv);
    if (command == "predict") return cmd_predict(argc, argv);
    if (command == "make-plates") return cmd_make_plates(argc, argv);
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
