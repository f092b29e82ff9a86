// How a run takes its place in a data-parallel job (torchrun, Slurm, `nnn
// train --nproc`): which rank leads, how many threads and which GPU each rank
// gets, which collectives (Gloo or NCCL) the config and device call for, and
// the join that checks that every rank resolved the same config and data.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

#include "nnn/distributed/dist_env.h"
#include "nnn/runtime/device_setting.h"

namespace nnn {

class Communicator;
struct DataSplit;
struct ExperimentConfig;

class DistributedRun {
 public:
  /// Reads the launchers' variables once; none set: a single-process run.
  static DistributedRun from_environment();

  /// Whether this process is one of several ranks.
  bool distributed() const { return job_ && job_->world_size > 1; }
  /// Rank 0 (or a single process) writes the run directory and reports.
  bool leader() const { return !distributed() || job_->rank == 0; }
  int64_t rank() const { return job_ ? job_->rank : 0; }
  /// How often a launcher restarted this job (0: the first attempt).
  int64_t restarts() const { return restarts_; }

  /// `threads` (the config's, resolved) shared by the ranks on this machine
  /// (LOCAL_WORLD_SIZE, or the whole world when the launcher does not say);
  /// at least 1. nnn sets its own threads, so torchrun's OMP_NUM_THREADS=1
  /// leaves no core idle.
  int64_t threads_per_rank(int64_t threads) const;
  /// The device `setting` (auto, cpu, cuda, cuda:N) names for this rank:
  /// one GPU per rank, a CUDA device without an index meaning LOCAL_RANK's
  /// (modulo the GPUs present).
  torch::Device device(const DeviceSetting& setting) const;
  /// Joins the job's collectives (dist.timeout), checks that every rank
  /// resolved the same config and loaded the same data, and says how the
  /// ranks talk on `out`. Only when distributed().
  std::shared_ptr<Communicator> join(const ExperimentConfig& config, const torch::Device& device,
                                     const DataSplit& data, int64_t threads,
                                     std::ostream& out) const;

 private:
  std::optional<DistEnv> job_;
  int64_t restarts_ = 0;
};

/// The collectives a data-parallel run of `config` on `device` uses: true
/// for NCCL (dist.backend nccl, or auto on a CUDA device), false for Gloo;
/// nnn::Error naming the config when the pair cannot work (NCCL on the CPU,
/// Gloo on a GPU, NCCL in a build without it).
bool distributed_on_nccl(const ExperimentConfig& config, const torch::Device& device);
/// The same for a device setting (none: the config's): `nnn train --nproc`
/// asks before it starts any rank.
bool distributed_on_nccl(const ExperimentConfig& config,
                         const std::optional<DeviceSetting>& device);

}  // namespace nnn
