// Where this process stands in a data-parallel job, read from the variables
// that launchers set: torchrun's worker contract (RANK, WORLD_SIZE,
// LOCAL_RANK, LOCAL_WORLD_SIZE, GROUP_RANK, MASTER_ADDR, MASTER_PORT,
// TORCHELASTIC_USE_AGENT_STORE, TORCHELASTIC_RESTART_COUNT,
// TORCHELASTIC_RUN_ID), Slurm's srun (SLURM_PROCID, SLURM_STEP_NUM_TASKS,
// SLURM_LOCALID, SLURM_STEP_TASKS_PER_NODE,
// SLURM_RESTART_COUNT, with MASTER_ADDR and MASTER_PORT given by the batch
// script) and `nnn train --nproc N` (torchrun's names plus
// NNN_RESTART_COUNT). Torch-free.
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
  /// Ranks on this machine; 0 when the launcher did not say (nnn then
  /// assumes all of them share this machine when it divides the cores).
  int64_t local_world_size = 0;
  std::string master_addr = "127.0.0.1";
  int64_t master_port = 0;
  std::string source;  // "torchrun" or "slurm": which variables said so
  /// torchrun's agent hosts the TCP store at MASTER_ADDR:MASTER_PORT and
  /// every rank joins it as a client (TORCHELASTIC_USE_AGENT_STORE=True);
  /// otherwise rank 0 hosts it.
  bool agent_store = false;
  /// How often the launcher restarted this job (torchrun's
  /// TORCHELASTIC_RESTART_COUNT, Slurm's SLURM_RESTART_COUNT after a
  /// requeue, nnn's own NNN_RESTART_COUNT): a restarted job continues the
  /// run it finds in its run directory.
  int64_t restart_count = 0;
  std::string run_id;  // TORCHELASTIC_RUN_ID, or Slurm's job id; may be empty
};

/// Largest world a job may announce.
inline constexpr int64_t kMaxWorldSize = 4096;
/// Largest restart count a launcher may announce.
inline constexpr int64_t kMaxRestartCount = 1000000;

/// The job this process belongs to, or nothing when no launcher variables are
/// set (a plain single-process run). `getenv` is injectable for tests.
/// Incomplete or inconsistent sets are refused, never guessed: every error
/// names the variable, what it holds and what was expected (a rank outside
/// [0, WORLD_SIZE), a malformed number, a port outside 1..65535, RANK
/// without WORLD_SIZE, a job of several ranks without MASTER_ADDR or
/// MASTER_PORT, LOCAL_RANK not below LOCAL_WORLD_SIZE, ...).
std::optional<DistEnv> dist_env_from_environment(
    const std::function<const char*(const char*)>& getenv);
std::optional<DistEnv> dist_env_from_environment();

/// How often a launcher restarted this job: torchrun's
/// TORCHELASTIC_RESTART_COUNT, Slurm's SLURM_RESTART_COUNT (a requeued
/// job), nnn's own NNN_RESTART_COUNT; 0 when none is set. Also for a job of
/// one process (a requeued single-task batch job).
int64_t restart_count_from_environment(const std::function<const char*(const char*)>& getenv);

/// A TCP port on 127.0.0.1 free at the moment of asking, outside the
/// kernel's ephemeral range when one is free there (a client that connects
/// before the server listens cannot then connect to itself on it).
int64_t free_local_port();

/// Connections a loopback listener queues.
inline constexpr int kLoopbackBacklog = 128;
/// A socket listening on 127.0.0.1:port (SO_REUSEADDR), for a store that
/// must not be reachable from other machines; nnn::Error naming the port.
int listen_on_loopback(int64_t port);

/// Checks that `host` resolves to an address at once (getaddrinfo), so that
/// a misspelt master name is refused before any waiting; nnn::Error naming
/// `variable` and the resolver's answer otherwise.
void check_resolves(const std::string& host, const std::string& variable);

}  // namespace nnn
