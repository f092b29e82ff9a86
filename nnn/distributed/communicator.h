// The ranks of a data-parallel job talking through PyTorch's c10d: a TCP
// store for the rendezvous at MASTER_ADDR:MASTER_PORT, and Gloo (CPU) or
// NCCL (one GPU per rank, in builds against a CUDA LibTorch that ships it)
// for the collectives. One all-reduce of a flat buffer per training step.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <string>

#include "nnn/distributed/dist_env.h"

namespace nnn {

class Communicator {
 public:
  /// Joins the job described by `env`, waiting up to `timeout_seconds` (the
  /// config's dist.timeout) for all ranks; nnn::Error when this build has no
  /// c10d Gloo, or the rendezvous fails or times out (naming the address, the
  /// timeout and the world size). c10d's own socket warnings are held back
  /// while joining and shown only when the join succeeds.
  /// With `nccl`, the collectives run on NCCL on GPU LOCAL_RANK (modulo the
  /// GPUs present); nnn::Error when this build has no c10d NCCL.
  static std::shared_ptr<Communicator> join(const DistEnv& env, double timeout_seconds = 60,
                                            bool nccl = false);
  /// Whether this build of nnn can train across processes.
  static bool available();
  /// Whether this build has c10d NCCL (the cuda preset).
  static bool nccl_available();

  virtual ~Communicator() = default;
  virtual int64_t rank() const = 0;
  virtual int64_t size() const = 0;
  /// Whether the collectives run on a GPU (NCCL) rather than the CPU (Gloo).
  virtual bool on_gpu() const = 0;
  /// In place: the sum over ranks (every rank gets it). CPU tensors under
  /// Gloo; under NCCL tensors on the rank's GPU (CPU ones travel there).
  virtual void all_reduce_sum(torch::Tensor& tensor) = 0;
  /// In place: rank `root`'s tensor on every rank.
  virtual void broadcast(torch::Tensor& tensor, int64_t root) = 0;
  /// Every rank gives `value` under `what`; an nnn::Error on every rank when
  /// one differs from rank 0's, naming the first such rank.
  virtual void check_same(const std::string& what, const std::string& value) = 0;
};

}  // namespace nnn
