// The benchmark harness behind `nnn bench`: a fixed matrix of workloads
// (wirings, batch sizes, training and inference), timed side by side with the
// machine's sgemm in the same run, with useful-FLOP accounting. Benchmarks
// live here and in apps, never in unit tests.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "nnn/config/experiment_config.h"
#include "nnn/core/wiring.h"

namespace nnn {

struct Workload {
  std::string name;
  Wiring wiring;
  int64_t input_size = 784;
  int64_t output_size = 10;
  int64_t hidden = 64;
  int64_t steps = 4;
  int64_t batch = 256;
};

/// The standard matrix: layered([1,3,1],16,fb) h64 T4; layered([1,4,4,1],16,fb)
/// h64 T6; a one-cell MLP 784-128-10; fully_connected(8,8) h32 T8; each at
/// batch 32 and 256 (or each of `batches`). Input 784, output 10 (MNIST-shaped).
std::vector<Workload> standard_workloads(const std::vector<int64_t>& batches = {256, 32});

/// The model of an experiment config (its wiring, sizes, steps and one
/// hidden size; default activations) at each batch size, named after the
/// config: `nnn bench --model`. nnn::Error naming the file on a config it
/// cannot time.
std::vector<Workload> model_workloads(const std::string& config_path,
                                      const std::vector<int64_t>& batches);

/// The scaling sweep of `nnn bench --sweep`: one axis at a time from a
/// base of layered([1,3,1], 16, feedback) h64 T4 batch 256 (the cells axis:
/// fully_connected(n, 8) h32 T4 batch 256): batch 8 .. 4096, cells 2 .. 64,
/// steps 3 and 4 .. 64, hidden 16 .. 512, by powers of 2.
struct SweepPoint {
  std::string axis;  // "batch", "cells", "steps", "hidden"
  int64_t value = 0;
  Workload workload;
};
std::vector<SweepPoint> sweep_workloads();

/// Useful floating-point operations of one batch: the matrix products the
/// spec needs (the x part of W1 once per frame, messages from step 2 on,
/// W2 every step), forward only or forward + backward (no gradient for x).
/// Every cell at every step; with `loss_from_step` > 1, only the cells each
/// step needs for the predictions from that step on (needed_cells,
/// nnn/core/network_plan.h).
double useful_flops(const Workload& workload, bool training, int64_t loss_from_step = 0);

/// How a workload ran: training (with which backward) or inference, and
/// whether the products went to LibTorch's mm instead of the small-matrix
/// kernels.
struct BenchMode {
  bool training = true;
  bool autograd = false;  // training through autograd (the reference backward)
  bool torch_mm = false;
  bool loss_all = false;   // the loss over the steps t >= d + 1 instead of the last
  bool all_cells = false;  // training computes every cell at every step
  /// "train", "train:autograd" or "infer", then ":loss-all", ":all-cells"
  /// and ":torch-mm" where they apply (the reports' column and bench.json's
  /// "mode").
  std::string label() const;
};

/// How a training workload takes its loss: on the last step or over the
/// steps t >= d + 1, and whether the hand-written backward skips the cells
/// that cannot reach it (train.skip_unreachable).
struct BenchLoss {
  LossSteps steps = LossSteps::kLast;
  bool skip_unreachable = true;
};

struct BenchResult {
  std::string workload;
  BenchMode mode;
  int64_t batch = 0;
  int64_t iterations = 0;
  double samples_per_second = 0.0;
  double ms_per_batch = 0.0;
  double useful_gflops = 0.0;      // achieved useful GFLOP/s
  double fraction_of_sgemm = 0.0;  // useful_gflops / sgemm GFLOP/s
  double fraction_of_peak = 0.0;   // useful_gflops / (FMA peak per core x threads)
  double rss_growth_mb = 0.0;      // resident memory growth over the timed iterations
  double peak_rss_mb = 0.0;        // process high-water mark after the workload
};

/// GFLOP/s of an n x n x n float matrix product on `device` (best of a
/// few), with the BLAS using `threads` threads on the CPU.
double measure_sgemm_gflops(const torch::Device& device, int64_t threads, int64_t n = 1024);

/// Times `workload` (training: forward, cross-entropy as `loss` says,
/// backward, Adam step; inference: forward under InferenceMode) for at least
/// `min_seconds` after a warm-up.
/// On the CPU, `threads` > 1 shares each batch across that many threads
/// (forward_backward / forward_sharded), as training does; `backward` picks
/// the hand-written backward or autograd (train.backward).
BenchResult run_workload(const Workload& workload, bool training, const torch::Device& device,
                         double min_seconds, double sgemm_gflops, int64_t threads = 1,
                         BackwardMode backward = BackwardMode::kAuto, int64_t recompute_every = 0,
                         const BenchLoss& loss = {});

/// The from-scratch baseline's matrix product against LibTorch's on one
/// shape: C [M, N] = op(A) op(B), both single-threaded, GFLOP/s each.
struct MatmulComparison {
  std::string shape;
  double baseline_gflops = 0.0;
  double torch_gflops = 0.0;
};
/// The MNIST-MLP shapes (784-128-10, batch 256): forward X W1, and the
/// backward's X^T dY and dY W1^T, plus the small second layer.
std::vector<MatmulComparison> compare_baseline_matmul(double min_seconds);

/// nnn's product (gemm_into: libxsmm where built with it) against
/// torch::mm_out on one shape of the cells' products, one thread each.
struct SmallGemmResult {
  std::string shape;  // what the product is in a workload
  int64_t m = 0, k = 0, n = 0;
  double torch_us = 0, small_us = 0;          // per product
  double torch_gflops = 0, small_gflops = 0;  // 2mnk / time
};
/// The products of layered[1,3,1] h64 (batch 32 and 128-sample shards,
/// the backward's weight products, the MNIST input projection), each timed
/// for at least `min_seconds` after checking that the two agree.
std::vector<SmallGemmResult> compare_small_gemm(double min_seconds);
void print_small_gemm(const std::vector<SmallGemmResult>& results, std::ostream& out);

/// Resident set size now and the process's high-water mark, in MiB (Linux).
double current_rss_mb();
double peak_rss_mb();

}  // namespace nnn
