// `nnn bench`: the standard workloads beside the machine's sgemm, or the
// from-scratch matrix product beside LibTorch's (--baseline).
#include <iostream>
#include <memory>

#include "apps/nnn/command.h"
#include "nnn/bench/bench.h"
#include "nnn/bench/bench_report.h"
#include "nnn/util/error.h"

namespace nnn::cli {

void add_bench_command(Commands& commands) {
  auto o = std::make_shared<BenchOptions>();
  auto small_gemm = std::make_shared<bool>(false);
  auto device = std::make_shared<std::string>("auto");
  CLI::App* command = commands.add(
      "bench",
      "Time the standard workloads (training and inference) beside the machine's sgemm in the "
      "same run; print a table, optionally write JSON.",
      [o, small_gemm, device] {
        o->device = DeviceSetting::parse(*device);
        if (*small_gemm) {
          print_small_gemm(compare_small_gemm(o->seconds), std::cout);
          return 0;
        }
        run_bench(*o, std::cout);
        return 0;
      });
  command->add_flag("--small-gemm", *small_gemm,
                    "Time nnn's products (libxsmm's small-matrix kernels where nnn was built with "
                    "libxsmm) against LibTorch's (one thread) on the shapes of the workloads' "
                    "cells");
  command->add_option("--device", *device, "auto, cpu, cuda or cuda:N")->check(device_setting());
  command->add_option("--threads", o->threads, "Cores to share each batch (0: all)")
      ->check(CLI::Range(0, 4096));
  command->add_option("--seconds", o->seconds, "Minimum timed seconds per workload")
      ->check(finite_number())
      ->check(CLI::Range(0.01, 3600.0));
  command->add_option("--json", o->json, "Also write the results as JSON to this file");
  command->add_option("--only", o->only, "Only the workloads whose name contains this text");
  command
      ->add_option("--model", o->model,
                   "Time this experiment config's model (its wiring, sizes, steps and one hidden "
                   "size) instead of the standard workloads")
      ->check(CLI::ExistingFile);
  command
      ->add_option("--batch", o->batches,
                   "Batch sizes to run every workload at (default 256 and 32); repeat or "
                   "separate with commas, e.g. --batch 1024,4096")
      ->delimiter(',')
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 20));
  command->add_flag("--baseline", o->baseline,
                    "The from-scratch matrix product against LibTorch's (1 thread each) on the "
                    "MNIST-MLP shapes");
  command->add_option("--sweep", o->sweep,
                      "Run the scaling sweep instead (training samples/s against batch 8..4096, "
                      "cells 2..64, steps 3..64 and hidden 16..512, beside what the useful FLOPs "
                      "allow at the sgemm rate) and plot it to this SVG file");
  command->add_flag("--flush-denormal", o->flush_denormal, "Flush denormal floats to zero");
  command
      ->add_option("--backward", o->backward,
                   "How training differentiates: auto, manual (hand-written), autograd, or both "
                   "(each workload trained both ways, side by side)")
      ->check(CLI::IsMember({"auto", "manual", "autograd", "both"}));
  command
      ->add_option("--recompute-every", o->recompute_every,
                   "The hand-written backward recomputes segments of this many steps instead of "
                   "keeping every step's activations (0: keep them)")
      ->check(CLI::Range(int64_t{0}, int64_t{100000}));
  command
      ->add_option("--gemm", o->gemm,
                   "The products of the no-grad forward and the hand-written backward: small "
                   "(libxsmm where nnn was built with it), torch (LibTorch's mm), or both (each "
                   "run both ways, side by side)")
      ->check(CLI::IsMember({"small", "torch", "both"}));
  command
      ->add_option("--loss", o->loss,
                   "Training's loss: last (cross-entropy on the last step) or all (the mean over "
                   "the steps t >= d + 1)")
      ->check(CLI::IsMember({"last", "all"}));
  command
      ->add_option("--skip-unreachable", o->skip_unreachable,
                   "Training skips the cells and steps that cannot reach the loss "
                   "(train.skip_unreachable): on, off, or both (side by side)")
      ->check(CLI::IsMember({"on", "off", "both"}));
}

}  // namespace nnn::cli
