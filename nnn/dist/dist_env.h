// Where this process stands in a data-parallel job, read from the variables
// that launchers set: torchrun (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR,
// MASTER_PORT), Slurm's srun (SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID,
// with MASTER_ADDR and MASTER_PORT given by the batch script) and
// `nnn train --nproc N`. Torch-free.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace nnn {

struct DistEnv {
  int64_t rank = 0;
  int64_t world_size = 1;
  int64_t local_rank = 0;
  std::string master_addr = "127.0.0.1";
  int64_t master_port = 0;
  std::string source;  // "torchrun" or "slurm": which variables said so
};

/// Largest world a job may announce.
inline constexpr int64_t kMaxWorldSize = 4096;

/// The job this process belongs to, or nothing when no launcher variables are
/// set (a plain single-process run). `getenv` is injectable for tests.
/// Errors name the variable, what it holds and what was expected: a rank
/// outside [0, WORLD_SIZE), a malformed number, a port outside 1..65535,
/// RANK without WORLD_SIZE, Slurm without MASTER_ADDR.
std::optional<DistEnv> dist_env_from_environment(
    const std::function<const char*(const char*)>& getenv);
std::optional<DistEnv> dist_env_from_environment();

/// A TCP port on 127.0.0.1 free at the moment of asking (the kernel picks it).
int64_t free_local_port();

}  // namespace nnn
