// `nnn train --nproc N`: N local worker processes of the same program, one
// rendezvous on 127.0.0.1 at a free port, waited for as one run. Torch-free.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace nnn {

/// Most restarts `launch_local_workers` accepts.
inline constexpr int64_t kMaxLocalRestarts = 100;

/// Starts `nproc` copies of the program `argv[0]` with the arguments `argv`
/// and RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, GROUP_RANK=0,
/// MASTER_ADDR=127.0.0.1 and MASTER_PORT set (a free port, reported on
/// `log`), and waits for them. Like `torchrun --max-restarts`, a job whose
/// rank fails is stopped and started again as a whole, up to `max_restarts`
/// times, with NNN_RESTART_COUNT set to the attempt (the ranks then continue
/// their run directory's last checkpoint by themselves).
/// SIGTERM to the launcher reaches the ranks as SIGINT (they stop together
/// and checkpoint); a launcher killed outright takes its ranks with it.
/// When one fails, the others are stopped (SIGTERM, then SIGKILL after 10 s)
/// and an nnn::Error names the rank and how it ended. Returns the exit
/// status all ranks shared (0, or 130 when they were interrupted).
int launch_local_workers(int64_t nproc, const std::vector<std::string>& argv, std::ostream& log,
                         int64_t max_restarts = 0);

}  // namespace nnn
