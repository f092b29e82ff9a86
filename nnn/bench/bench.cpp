// Workloads, FLOP accounting and timing for `nnn bench`.
#include "nnn/bench/bench.h"

#include <ATen/Context.h>
#include <fmt/ostream.h>
#include <sys/resource.h>
#include <torch/cuda.h>
#include <torch/types.h>
#include <torch/version.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <ostream>

#include "nnn/baseline/matrix.h"
#include "nnn/bench/bench_report.h"
#include "nnn/bench/fma_peak.h"
#include "nnn/core/network.h"
#include "nnn/core/network_plan.h"
#include "nnn/kernels/gemm.h"
#include "nnn/runtime/device.h"
#include "nnn/runtime/parallel.h"
#include "nnn/train/trainer.h"
#include "nnn/util/enum_names.h"
#include "nnn/util/files.h"
#include "nnn/util/svg_plot.h"

namespace nnn {

namespace {
using Clock = std::chrono::steady_clock;

void synchronize(const torch::Device& device) {
  if (device.is_cuda()) torch::cuda::synchronize(device.index());
}
}  // namespace

std::vector<Workload> standard_workloads(const std::vector<int64_t>& batches) {
  std::vector<Workload> result;
  for (int64_t batch : batches) {
    result.push_back(
        {"layered[1,3,1]x16 h64 T4", layered({1, 3, 1}, 16, true), 784, 10, 64, 4, batch});
    result.push_back(
        {"layered[1,4,4,1]x16 h64 T6", layered({1, 4, 4, 1}, 16, true), 784, 10, 64, 6, batch});
    result.push_back({"mlp 784-128-10", Wiring(Matrix64{{0}}), 784, 10, 128, 1, batch});
    result.push_back(
        {"fully_connected(8)x8 h32 T8", fully_connected(8, 8, false), 784, 10, 32, 8, batch});
  }
  return result;
}

std::vector<Workload> model_workloads(const std::string& config_path,
                                      const std::vector<int64_t>& batches) {
  const ExperimentConfig config = load_experiment(config_path);
  const ModelConfig& m = config.model;
  NNN_CHECK(m.hidden.size() == 1, config_path,
            ": model.hidden: nnn bench --model times one hidden ", "size for every cell; found ",
            m.hidden.size(), " sizes");
  std::vector<Workload> result;
  for (int64_t batch : batches) {
    result.push_back(
        {config.name, m.wiring, m.input_size, m.output_size, m.hidden.front(), m.steps, batch});
  }
  return result;
}

std::vector<SweepPoint> sweep_workloads() {
  std::vector<SweepPoint> points;
  const Workload base{"", layered({1, 3, 1}, 16, true), 784, 10, 64, 4, 256};
  auto add = [&](const char* axis, int64_t value, Workload w) {
    w.name = fmt::format("{}={} {}", axis, value, w.name);
    points.push_back({axis, value, std::move(w)});
  };
  for (int64_t batch = 8; batch <= 4096; batch *= 2) {
    Workload w = base;
    w.batch = batch;
    w.name = "layered[1,3,1] h64 T4";
    add("batch", batch, w);
  }
  for (int64_t cells = 2; cells <= 64; cells *= 2) {
    Workload w = base;
    w.wiring = fully_connected(cells, 8, false);
    w.hidden = 32;
    w.name = "fully_connected x8 h32 T4 b256";
    add("cells", cells, w);
  }
  for (int64_t steps : {3, 4, 8, 16, 32, 64}) {  // d = 2: at least 3
    Workload w = base;
    w.steps = steps;
    w.name = "layered[1,3,1] h64 b256";
    add("steps", steps, w);
  }
  for (int64_t hidden = 16; hidden <= 512; hidden *= 2) {
    Workload w = base;
    w.hidden = hidden;
    w.name = "layered[1,3,1] T4 b256";
    add("hidden", hidden, w);
  }
  return points;
}

std::string BenchMode::label() const {
  std::string label = !training ? "infer" : autograd ? "train:autograd" : "train";
  if (training && loss_all) label += ":loss-all";
  if (training && all_cells) label += ":all-cells";
  return torch_mm ? label + ":torch-mm" : label;
}

double useful_flops(const Workload& w, bool training, int64_t loss_from_step) {
  const Wiring& wiring = w.wiring;
  // Without a loss step every cell runs at every step (needed_cells from
  // step 1 would still drop the cells that reach no prediction).
  const bool every_cell = loss_from_step <= 1;
  const auto needed =
      every_cell ? std::vector<std::vector<uint8_t>>()
                 : needed_cells(senders_of(wiring), wiring.output(), w.steps, loss_from_step);
  double forward_input = 0.0;  // x @ W1[:D_in], once per frame: no gradient for x
  double forward_rest = 0.0;
  for (int64_t c = 0; c < wiring.size(); ++c) {
    const int64_t x_part = wiring.is_input(c) ? w.input_size : 0;
    const int64_t message_part = wiring.in_dim(c, w.input_size) - x_part;
    const int64_t out = wiring.out_dim(c, w.output_size);
    forward_input += 2.0 * x_part * w.hidden;
    for (int64_t t = 1; t <= w.steps; ++t) {
      if (!every_cell && !needed[static_cast<size_t>(t - 1)][static_cast<size_t>(c)]) continue;
      if (t > 1) forward_rest += 2.0 * message_part * w.hidden;  // zero messages at t = 1
      forward_rest += 2.0 * w.hidden * out;
    }
  }
  const double forward = (forward_input + forward_rest) * static_cast<double>(w.batch);
  if (!training) return forward;
  // Backward: weight and input gradients for every product, weight only for x's.
  return forward + (forward_input + 2.0 * forward_rest) * static_cast<double>(w.batch);
}

double measure_sgemm_gflops(const torch::Device& device, int64_t threads, int64_t n) {
  torch::NoGradGuard no_grad;
  set_blas_threads(threads);
  const auto a = torch::randn({n, n}, torch::TensorOptions().device(device));
  const auto b = torch::randn({n, n}, torch::TensorOptions().device(device));
  auto c = torch::mm(a, b);
  synchronize(device);
  double best = 0.0;
  for (int round = 0; round < 5; ++round) {
    const int reps = device.is_cuda() ? 20 : 3;
    const auto start = Clock::now();
    for (int r = 0; r < reps; ++r) torch::mm_out(c, a, b);
    synchronize(device);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    best = std::max(best, 2.0 * n * n * n * reps / seconds / 1e9);
  }
  set_blas_threads(1);  // back to nnn's setting (see configure_threads)
  return best;
}

std::vector<MatmulComparison> compare_baseline_matmul(double min_seconds) {
  struct Shape {
    const char* name;
    int64_t m, k, n;
    bool ta, tb;
  };
  const Shape shapes[] = {
      {"X W1: [256x784] x [784x128]", 256, 784, 128, false, false},
      {"X^T dY: [784x256] x [256x128]", 784, 256, 128, true, false},
      {"dY W1^T: [256x128] x [128x784]", 256, 128, 784, false, true},
      {"H W2: [256x128] x [128x10]", 256, 128, 10, false, false},
  };
  set_blas_threads(1);
  std::vector<MatmulComparison> result;
  for (const auto& s : shapes) {
    torch::NoGradGuard no_grad;
    const auto a = s.ta ? torch::randn({s.k, s.m}) : torch::randn({s.m, s.k});
    const auto b = s.tb ? torch::randn({s.n, s.k}) : torch::randn({s.k, s.n});
    const baseline::Matrix ba(
        a.size(0), a.size(1),
        std::vector<float>(a.data_ptr<float>(), a.data_ptr<float>() + a.numel()));
    const baseline::Matrix bb(
        b.size(0), b.size(1),
        std::vector<float>(b.data_ptr<float>(), b.data_ptr<float>() + b.numel()));
    const double flops = 2.0 * s.m * s.k * s.n;
    auto rate = [&](const std::function<void()>& fn) {
      fn();
      double best = 0.0;
      for (int round = 0; round < 3; ++round) {
        int64_t reps = 0;
        const auto start = Clock::now();
        double seconds = 0.0;
        while (seconds < min_seconds / 3) {
          fn();
          ++reps;
          seconds = std::chrono::duration<double>(Clock::now() - start).count();
        }
        best = std::max(best, flops * static_cast<double>(reps) / seconds / 1e9);
      }
      return best;
    };
    baseline::Matrix c;
    torch::Tensor tc;
    const auto at = s.ta ? a.t() : a;
    const auto bt = s.tb ? b.t() : b;
    MatmulComparison r;
    r.shape = s.name;
    r.baseline_gflops = rate([&] { baseline::gemm(ba, s.ta, bb, s.tb, c); });
    r.torch_gflops = rate([&] { tc = torch::mm(at, bt); });
    result.push_back(r);
  }
  return result;
}

double current_rss_mb() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1 << 20);
}

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // KiB on Linux
}

BenchResult run_workload(const Workload& w, bool training, const torch::Device& device,
                         double min_seconds, double sgemm_gflops, int64_t threads,
                         BackwardMode backward, int64_t recompute_every, const BenchLoss& loss) {
  WorkerPool pool(device.is_cpu() ? threads : 1);
  torch::manual_seed(0);
  NNN model(NNNOptions(w.wiring, w.input_size, w.output_size, w.steps).hidden({w.hidden}));
  model->to(device);
  const auto x = torch::randn({w.batch, w.input_size}, torch::TensorOptions().device(device));
  const auto y = torch::randint(0, w.output_size, {w.batch},
                                torch::TensorOptions().dtype(torch::kLong).device(device));
  TrainConfig adam;
  adam.optimizer = OptimizerKind::kAdam;
  adam.lr = 1e-3;
  FlatOptimizer optimizer(adam);
  StepOptions options;
  options.pool = &pool;
  options.backward = backward;
  options.recompute_every = recompute_every;
  options.loss_steps = loss.steps;
  options.skip_unreachable = loss.skip_unreachable;
  auto one = [&] {
    if (training) {
      const auto step = forward_backward(model, x, y, options);
      optimizer.step(model->flat_parameters(), step.grad);
    } else {
      c10::InferenceMode guard;
      const auto out = forward_sharded(model, x, &pool);
    }
  };
  for (int i = 0; i < 5; ++i) one();  // warm-up: allocator caches, lazy init
  synchronize(device);
  const double rss_before = current_rss_mb();
  int64_t iterations = 0;
  const auto start = Clock::now();
  double seconds = 0.0;
  while (seconds < min_seconds || iterations < 10) {
    one();
    ++iterations;
    if (iterations % 10 == 0) {
      synchronize(device);
      seconds = std::chrono::duration<double>(Clock::now() - start).count();
    }
  }
  BenchResult r;
  r.workload = w.name;
  r.mode.training = training;
  r.mode.autograd = training && backward == BackwardMode::kAutograd;
  r.mode.loss_all = loss.steps == LossSteps::kAll;
  // What the run had to compute: with the skip, the loss's cells only.
  const bool skipped = training && skips_unreachable(model, options);
  r.mode.all_cells = training && !r.mode.autograd && !skipped;
  const int64_t from = skipped ? first_loss_step(loss.steps, model->distance(), w.steps) : 0;
  r.batch = w.batch;
  r.iterations = iterations;
  r.samples_per_second = static_cast<double>(iterations * w.batch) / seconds;
  r.ms_per_batch = 1e3 * seconds / static_cast<double>(iterations);
  r.useful_gflops =
      useful_flops(w, training, from) * static_cast<double>(iterations) / seconds / 1e9;
  r.fraction_of_sgemm = sgemm_gflops > 0 ? r.useful_gflops / sgemm_gflops : 0.0;
  r.rss_growth_mb = current_rss_mb() - rss_before;
  r.peak_rss_mb = peak_rss_mb();
  return r;
}

namespace {

// The scaling sweep: training samples/s against each axis, beside what the
// useful FLOPs would allow at the run's sgemm rate; the SVG has one panel
// per axis, both axes logarithmic and labelled in their units.
void run_sweep(const BenchOptions& o, const torch::Device& device, int64_t threads, double sgemm,
               std::ostream& out) {
  fmt::print(out, "{:<7} {:>6} {:>12} {:>14} {:>9} {:>10} {:>9}\n", "axis", "value", "samples/s",
             "at sgemm rate", "of sgemm", "RSS grow", "peak RSS");
  nlohmann::ordered_json report = nlohmann::ordered_json::array();
  std::vector<svg::Panel> panels;
  const std::vector<SweepPoint> points = sweep_workloads();
  for (const char* axis : {"batch", "cells", "steps", "hidden"}) {
    svg::Panel panel{axis, axis, "training samples/s", {}};
    panel.x_log = panel.y_log = true;
    svg::Series measured, expected;
    measured.label = "measured";
    expected.label = "the useful FLOPs at the sgemm rate";
    expected.dashed = true;
    for (const SweepPoint& p : points) {
      if (p.axis != axis) continue;
      if (!o.only.empty() && p.workload.name.find(o.only) == std::string::npos) continue;
      const auto r = run_workload(p.workload, /*training=*/true, device, o.seconds, sgemm, threads,
                                  BackwardMode::kAuto, o.recompute_every);
      const double ideal =
          sgemm * 1e9 / (useful_flops(p.workload, true) / static_cast<double>(p.workload.batch));
      fmt::print(out, "{:<7} {:>6} {:>12.0f} {:>14.0f} {:>8.1f}% {:>8.1f}MB {:>7.0f}MB\n", axis,
                 p.value, r.samples_per_second, ideal, 100 * r.fraction_of_sgemm, r.rss_growth_mb,
                 r.peak_rss_mb);
      out.flush();
      measured.x.push_back(static_cast<double>(p.value));
      measured.y.push_back(r.samples_per_second);
      expected.x.push_back(static_cast<double>(p.value));
      expected.y.push_back(ideal);
      report.push_back({{"axis", axis},
                        {"value", p.value},
                        {"workload", p.workload.name},
                        {"samples_per_s", r.samples_per_second},
                        {"samples_per_s_at_sgemm", ideal},
                        {"fraction_of_sgemm", r.fraction_of_sgemm},
                        {"rss_growth_mb", r.rss_growth_mb},
                        {"peak_rss_mb", r.peak_rss_mb}});
    }
    panel.series = {measured, expected};
    panels.push_back(std::move(panel));
  }
  write_file_atomically(
      o.sweep, svg::line_charts(fmt::format("Training throughput as work grows ({}, {} threads, "
                                            "sgemm {:.0f} GFLOP/s)",
                                            describe_device(device), threads, sgemm),
                                panels));
  fmt::print(out, "plot written to {}\n", o.sweep);
  if (!o.json.empty()) {
    write_file_atomically(o.json, report.dump(2) + "\n");
    fmt::print(out, "JSON written to {}\n", o.json);
  }
}

// The BLAS LibTorch's CPU products run on, as its build configuration
// names it (BLAS_INFO): OpenBLAS, MKL, ...
std::string blas_library() {
  const std::string config = at::show_config();
  const size_t at = config.find("BLAS_INFO=");
  if (at == std::string::npos) return "its BLAS";
  const size_t begin = at + 10;
  std::string name = config.substr(begin, config.find_first_of(", \n", begin) - begin);
  if (name == "open") return "OpenBLAS";
  if (name == "mkl") return "MKL";
  if (name == "generic") {
    // The system's libblas (Debian's LibTorch): the library loaded for it.
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line)) {
      if (line.find("libopenblas") != std::string::npos) return "OpenBLAS (the system's libblas)";
      if (line.find("libblis") != std::string::npos) return "BLIS (the system's libblas)";
      if (line.find("libmkl") != std::string::npos) return "MKL (the system's libblas)";
    }
    return "the system's libblas";
  }
  return name.empty() ? "its BLAS" : name;
}

}  // namespace

void run_bench(const BenchOptions& o, std::ostream& out) {
  if (o.flush_denormal) at::globalContext().setFlushDenormal(true);
  const torch::Device device = resolve_device(o.device);
  const int64_t threads = configure_threads(o.threads);
  if (o.baseline) {
    fmt::print(out, "{:<34} {:>14} {:>14} {:>7}\n", "shape (MNIST MLP, batch 256)", "baseline GF/s",
               "LibTorch GF/s", "ratio");
    for (const auto& r : compare_baseline_matmul(o.seconds)) {
      fmt::print(out, "{:<34} {:>14.1f} {:>14.1f} {:>6.0f}%\n", r.shape, r.baseline_gflops,
                 r.torch_gflops, 100 * r.baseline_gflops / r.torch_gflops);
    }
    return;
  }
  // A config it cannot time fails before anything is measured.
  const std::vector<int64_t> batches =
      o.batches.empty() ? std::vector<int64_t>{256, 32} : o.batches;
  const auto workloads =
      o.model.empty() ? standard_workloads(batches) : model_workloads(o.model, batches);
  const double sgemm = measure_sgemm_gflops(device, threads);
  const std::string reference =
      device.is_cuda() ? std::string("cuBLAS") : "LibTorch's mm on " + blas_library();
  // The CPU's own limit: what one core's FMA units do, times the threads.
  const FmaPeak fma = device.is_cpu() ? measure_fma_peak() : FmaPeak{};
  const double peak = fma.gflops * static_cast<double>(threads);
  fmt::print(out,
             "device {}, {} threads, LibTorch {}; nnn's products: {}\nreference: sgemm 1024^3 "
             "floats, {}, best of 5 rounds: {:.1f} GFLOP/s\n",
             describe_device(device), threads, TORCH_VERSION, gemm_backend(), reference, sgemm);
  if (device.is_cpu()) {
    fmt::print(out, "cpu {}; FMA peak {:.1f} GFLOP/s per core ({}), x {} threads = {:.1f}\n",
               cpu_model_name(), fma.gflops, fma.isa, threads, peak);
  }
  if (!o.sweep.empty()) {
    run_sweep(o, device, threads, sgemm, out);
    return;
  }
  fmt::print(out, "{:<30} {:>14} {:>6} {:>12} {:>9} {:>12} {:>8} {:>8} {:>10} {:>9}\n", "workload",
             "mode", "batch", "samples/s", "ms/batch", "useful GF/s", "of sgemm", "of peak",
             "RSS grow", "peak RSS");
  nlohmann::ordered_json report;
  report["machine"] = {{"device", describe_device(device)},
                       {"threads", threads},
                       {"libtorch", TORCH_VERSION},
                       {"products", gemm_backend()},
                       {"sgemm_gflops", sgemm},
                       {"cpu", device.is_cpu() ? cpu_model_name() : ""},
                       {"fma_isa", fma.isa},
                       {"fma_peak_gflops_per_core", fma.gflops}};
  report["results"] = nlohmann::ordered_json::array();
  // (training, backward, small products) runs per workload; autograd's
  // products are LibTorch's whatever --gemm says.
  struct Run {
    bool training;
    BackwardMode backward;
    bool small;
    bool skip = true;
  };
  std::vector<std::pair<bool, BackwardMode>> modes;
  if (o.backward == "both") {
    modes = {{true, BackwardMode::kManual}, {true, BackwardMode::kAutograd}};
  } else {
    modes = {{true, enum_from_name<BackwardMode>(backward_mode_names(), o.backward, "--backward")}};
  }
  modes.push_back({false, BackwardMode::kAuto});
  std::vector<Run> runs;
  for (const auto& [training, backward] : modes) {
    const bool direct = !training || backward != BackwardMode::kAutograd;
    for (bool skip : {true, false}) {
      if (!training && !skip) continue;
      if (training && (skip ? o.skip_unreachable == "off" : o.skip_unreachable == "on")) continue;
      if (o.gemm != "torch" || !direct) runs.push_back({training, backward, true, skip});
      if (o.gemm != "small" && direct) runs.push_back({training, backward, false, skip});
    }
  }
  BenchLoss loss;
  loss.steps = enum_from_name<LossSteps>(loss_steps_names(), o.loss, "--loss");
  const bool small_before = use_small_gemm_kernels(true);
  for (const auto& workload : workloads) {
    if (!o.only.empty() && workload.name.find(o.only) == std::string::npos) continue;
    for (const auto& run : runs) {
      use_small_gemm_kernels(run.small);
      loss.skip_unreachable = run.skip;
      auto r = run_workload(workload, run.training, device, o.seconds, sgemm, threads, run.backward,
                            o.recompute_every, loss);
      use_small_gemm_kernels(true);
      r.mode.torch_mm = !run.small;
      r.fraction_of_peak = peak > 0 ? r.useful_gflops / peak : 0.0;
      fmt::print(out,
                 "{:<30} {:>14} {:>6} {:>12.0f} {:>9.3f} {:>12.2f} {:>7.1f}% {:>7.1f}% {:>8.1f}MB "
                 "{:>7.0f}MB\n",
                 r.workload, r.mode.label(), r.batch, r.samples_per_second, r.ms_per_batch,
                 r.useful_gflops, 100 * r.fraction_of_sgemm, 100 * r.fraction_of_peak,
                 r.rss_growth_mb, r.peak_rss_mb);
      out.flush();
      report["results"].push_back({{"workload", r.workload},
                                   {"mode", r.mode.label()},
                                   {"batch", r.batch},
                                   {"iterations", r.iterations},
                                   {"samples_per_s", r.samples_per_second},
                                   {"ms_per_batch", r.ms_per_batch},
                                   {"useful_gflops", r.useful_gflops},
                                   {"fraction_of_sgemm", r.fraction_of_sgemm},
                                   {"fraction_of_peak", r.fraction_of_peak},
                                   {"rss_growth_mb", r.rss_growth_mb},
                                   {"peak_rss_mb", r.peak_rss_mb}});
    }
  }
  use_small_gemm_kernels(small_before);
  // The reference again: a machine under load moves it, and the fractions
  // above are only as good as it.
  const double sgemm_after = measure_sgemm_gflops(device, threads);
  report["machine"]["sgemm_gflops_after"] = sgemm_after;
  fmt::print(out,
             "of sgemm: useful GF/s (the FLOPs of the cells' products it computed, forward and "
             "backward, nothing else)\nas a share of the sgemm reference; small products that stay "
             "in cache can pass 100%.\nof peak: the same as a share of the FMA peak per core times "
             "the threads (the CPU's limit).\nThe reference measured again after the rows: {:.1f} "
             "GFLOP/s ({:+.0f}% "
             "from the first).\n",
             sgemm_after, 100 * (sgemm_after / sgemm - 1));
  if (!o.json.empty()) {
    write_file_atomically(o.json, report.dump(2) + "\n");
    fmt::print(out, "JSON written to {}\n", o.json);
  }
}

namespace {

// Microseconds per call of `f`, over at least `min_seconds` after a warm-up.
template <typename F>
double time_us(F&& f, double min_seconds) {
  for (int i = 0; i < 50; ++i) f();
  int64_t calls = 0;
  const auto start = Clock::now();
  double seconds = 0;
  while (seconds < min_seconds) {
    for (int i = 0; i < 100; ++i) f();
    calls += 100;
    seconds = std::chrono::duration<double>(Clock::now() - start).count();
  }
  return 1e6 * seconds / static_cast<double>(calls);
}

}  // namespace

std::vector<SmallGemmResult> compare_small_gemm(double min_seconds) {
  NNN_CHECK(min_seconds > 0, "small-gemm bench: seconds must be > 0");
  configure_threads(1);  // LibTorch's and OpenBLAS's kernels on one thread, as nnn runs them
  // layered [1,3,1] x16 h64 T4 (cells reading 16-48 channels, sending 16-58)
  // at batch 32 and at the 128-sample shards of batch 256 on 2 cores; and
  // the hand-written backward's weight products over T = 4 steps.
  struct Shape {
    const char* what;
    int64_t m, k, n;
  };
  const Shape shapes[] = {
      {"messages x W1m, batch 32", 32, 48, 64},     {"h x W2, batch 32", 32, 64, 58},
      {"dz x W2^T, batch 32", 32, 58, 64},          {"messages x W1m, batch 128", 128, 48, 64},
      {"h x W2, batch 128", 128, 64, 58},           {"dz x W2^T, batch 128", 128, 58, 64},
      {"H^T x dZ over 4 steps of 32", 64, 128, 58}, {"H^T x dZ over 4 steps of 128", 64, 512, 58},
      {"x x W1x, batch 128 (MNIST)", 128, 784, 64}};
  torch::manual_seed(0);
  std::vector<SmallGemmResult> results;
  for (const Shape& s : shapes) {
    const auto a = torch::randn({s.m, s.k});
    const auto b = torch::randn({s.k, s.n});
    auto c = torch::empty({s.m, s.n});
    gemm_into(c, a, b, 0);
    NNN_CHECK(torch::allclose(c, torch::mm(a, b), 1e-4, 1e-4),
              "small-gemm bench: nnn's product and LibTorch's disagree on ", s.what);
    SmallGemmResult r;
    r.shape = s.what;
    r.m = s.m;
    r.k = s.k;
    r.n = s.n;
    r.torch_us = time_us([&] { torch::mm_out(c, a, b); }, min_seconds);
    r.small_us = time_us([&] { gemm_into(c, a, b, 0); }, min_seconds);
    const double flop = 2.0 * static_cast<double>(s.m * s.n * s.k);
    r.torch_gflops = flop / r.torch_us / 1e3;
    r.small_gflops = flop / r.small_us / 1e3;
    results.push_back(r);
  }
  return results;
}

void print_small_gemm(const std::vector<SmallGemmResult>& results, std::ostream& out) {
  fmt::print(out, "{:<32} {:>14} {:>16} {:>16} {:>7}\n", "product (one thread)", "m x k x n",
             "torch::mm_out", gemm_backend(), "ratio");
  for (const auto& r : results) {
    fmt::print(out, "{:<32} {:>14} {:>7.2f} us {:>4.0f}GF {:>7.2f} us {:>4.0f}GF {:>6.2f}x\n",
               r.shape, fmt::format("{}x{}x{}", r.m, r.k, r.n), r.torch_us, r.torch_gflops,
               r.small_us, r.small_gflops, r.torch_us / r.small_us);
  }
}

}  // namespace nnn
