// `nnn bench` as one call: the standard workloads (or the from-scratch
// matrix product) timed beside the machine's sgemm, printed as a table and
// optionally written as JSON. Torch-free header, for apps.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "nnn/runtime/device_setting.h"

namespace nnn {

struct BenchOptions {
  DeviceSetting device;          // auto | cpu | cuda | cuda:N
  int64_t threads = 0;           // cores sharing each batch (0: all)
  double seconds = 2.0;          // minimum timed seconds per workload
  std::vector<int64_t> batches;  // batch sizes (empty: 256 and 32)
  std::string only;              // only workloads whose name contains this
  std::string model;  // time this experiment config's model instead (empty: the standard matrix)
  std::string json;   // also write the results here (empty: no)
  std::string sweep;  // run the scaling sweep instead, plot to this SVG (empty: no)
  bool baseline = false;        // the from-scratch matmul against LibTorch's instead
  bool flush_denormal = false;  // flush denormal floats to zero
  /// How training steps differentiate: auto | manual | autograd, or both
  /// (each workload trained with the hand-written backward, then autograd).
  std::string backward = "auto";
  /// train.recompute_every for the hand-written backward (0: keep every step).
  int64_t recompute_every = 0;
  /// The products of the no-grad forward and the hand-written backward:
  /// small (libxsmm where built with it), torch (LibTorch's mm), or both.
  std::string gemm = "small";
  /// Training's loss: last (the last step) or all (the steps t >= d + 1).
  std::string loss = "last";
  /// Training skips the cells that cannot reach the loss: on, off, or both
  /// (each workload trained both ways, side by side).
  std::string skip_unreachable = "on";
};

/// Runs the benchmark (or the scaling sweep) and prints its table to `out`.
void run_bench(const BenchOptions& options, std::ostream& out);

}  // namespace nnn
