// `nnn bench`: the standard workloads beside the machine's sgemm, or the
// from-scratch matrix product beside LibTorch's (--baseline).
#include <ATen/Context.h>
#include <fmt/core.h>
#include <torch/version.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "apps/nnn/command.h"
#include "nnn/bench/bench.h"
#include "nnn/core/device.h"
#include "nnn/core/parallel.h"
#include "nnn/util/files.h"

namespace nnn::cli {

namespace {

struct Options {
  std::string device = "auto", json, only;
  int64_t threads = 0;
  double seconds = 2.0;
  std::vector<int64_t> batches;
  bool baseline = false, flush_denormal = false;
};

int run_baseline(const Options& o) {
  fmt::print("{:<34} {:>14} {:>14} {:>7}\n", "shape (MNIST MLP, batch 256)", "baseline GF/s",
             "LibTorch GF/s", "ratio");
  for (const auto& r : compare_baseline_matmul(o.seconds)) {
    fmt::print("{:<34} {:>14.1f} {:>14.1f} {:>6.0f}%\n", r.shape, r.baseline_gflops, r.torch_gflops,
               100 * r.baseline_gflops / r.torch_gflops);
  }
  return 0;
}

int run_bench(const Options& o) {
  if (o.flush_denormal) at::globalContext().setFlushDenormal(true);
  const torch::Device device = resolve_device(o.device);
  const int64_t threads = configure_threads(o.threads);
  if (o.baseline) return run_baseline(o);
  const double sgemm = measure_sgemm_gflops(device, threads);
  fmt::print("device {}, {} threads, LibTorch {}; sgemm 1024^3: {:.1f} GFLOP/s\n",
             describe_device(device), threads, TORCH_VERSION, sgemm);
  fmt::print("{:<30} {:>5} {:>6} {:>12} {:>9} {:>12} {:>8} {:>10} {:>9}\n", "workload", "mode",
             "batch", "samples/s", "ms/batch", "useful GF/s", "of sgemm", "RSS grow", "peak RSS");
  nlohmann::ordered_json report;
  report["machine"] = {{"device", describe_device(device)},
                       {"threads", threads},
                       {"libtorch", TORCH_VERSION},
                       {"sgemm_gflops", sgemm}};
  report["results"] = nlohmann::ordered_json::array();
  const auto workloads = o.batches.empty() ? standard_workloads() : standard_workloads(o.batches);
  for (const auto& workload : workloads) {
    if (!o.only.empty() && workload.name.find(o.only) == std::string::npos) continue;
    for (bool training : {true, false}) {
      const auto r = run_workload(workload, training, device, o.seconds, sgemm, threads);
      fmt::print(
          "{:<30} {:>5} {:>6} {:>12.0f} {:>9.3f} {:>12.2f} {:>7.1f}% {:>8.1f}MB {:>7.0f}MB\n",
          r.workload, r.mode, r.batch, r.samples_per_second, r.ms_per_batch, r.useful_gflops,
          100 * r.fraction_of_sgemm, r.rss_growth_mb, r.peak_rss_mb);
      std::fflush(stdout);
      report["results"].push_back({{"workload", r.workload},
                                   {"mode", r.mode},
                                   {"batch", r.batch},
                                   {"iterations", r.iterations},
                                   {"samples_per_s", r.samples_per_second},
                                   {"ms_per_batch", r.ms_per_batch},
                                   {"useful_gflops", r.useful_gflops},
                                   {"fraction_of_sgemm", r.fraction_of_sgemm},
                                   {"rss_growth_mb", r.rss_growth_mb},
                                   {"peak_rss_mb", r.peak_rss_mb}});
    }
  }
  if (!o.json.empty()) {
    write_file_atomically(o.json, report.dump(2) + "\n");
    fmt::print("JSON written to {}\n", o.json);
  }
  return 0;
}

}  // namespace

void add_bench_command(Commands& commands) {
  auto o = std::make_shared<Options>();
  CLI::App* command = commands.add(
      "bench",
      "Time the standard workloads (training and inference) beside the machine's sgemm in the "
      "same run; print a table, optionally write JSON.",
      [o] { return run_bench(*o); });
  command->add_option("--device", o->device, "auto, cpu, cuda or cuda:N");
  command->add_option("--threads", o->threads, "Cores to share each batch (0: all)")
      ->check(CLI::Range(0, 4096));
  command->add_option("--seconds", o->seconds, "Minimum timed seconds per workload")
      ->check(CLI::Range(0.01, 3600.0));
  command->add_option("--json", o->json, "Also write the results as JSON to this file");
  command->add_option("--only", o->only, "Only the workloads whose name contains this text");
  command
      ->add_option("--batch", o->batches,
                   "Batch sizes to run every workload at (default 256 and 32); repeat or "
                   "separate with commas, e.g. --batch 1024,4096")
      ->delimiter(',')
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 20));
  command->add_flag("--baseline", o->baseline,
                    "The from-scratch matrix product against LibTorch's (1 thread each) on the "
                    "MNIST-MLP shapes");
  command->add_flag("--flush-denormal", o->flush_denormal, "Flush denormal floats to zero");
}

}  // namespace nnn::cli
