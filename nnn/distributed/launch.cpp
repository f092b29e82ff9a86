// fork + exec of /proc/self/exe per rank; waitpid for all of them.
#include "nnn/distributed/launch.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <thread>

#include "nnn/distributed/dist_env.h"
#include "nnn/util/error.h"

namespace nnn {

namespace {

volatile std::sig_atomic_t g_terminate = 0;
extern "C" void on_terminate(int) { g_terminate = 1; }

std::string how_it_ended(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    return std::string("was killed by signal ") + std::to_string(WTERMSIG(status)) + " (" +
           strsignal(WTERMSIG(status)) + ")";
  }
  return "ended with wait status " + std::to_string(status);
}

}  // namespace

namespace {

// One attempt: `nproc` ranks at a fresh port; "" when every rank ended well,
// else how the first failing rank ended. `status0` gets rank 0's status.
std::string run_attempt(int64_t nproc, const std::vector<std::string>& argv, std::ostream& log,
                        int64_t attempt, int64_t max_restarts, int& status0) {
  const int64_t port = free_local_port();
  log << "distributed: " << nproc << " ranks, rendezvous at 127.0.0.1:" << port;
  if (max_restarts > 0) log << " (attempt " << attempt + 1 << " of " << max_restarts + 1 << ")";
  log << "\n";
  log.flush();
  const pid_t launcher = ::getpid();
  std::vector<pid_t> pids;
  for (int64_t rank = 0; rank < nproc; ++rank) {
    const pid_t pid = ::fork();
    if (pid < 0) {
      const int error = errno;
      for (pid_t p : pids) ::kill(p, SIGKILL);
      throw Error(std::string("cannot start rank ") + std::to_string(rank) + ": " +
                  std::strerror(error));
    }
    if (pid == 0) {
      // A launcher that dies (SIGKILL included) takes its ranks with it.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != launcher) ::_exit(1);  // it died before prctl
      ::setenv("RANK", std::to_string(rank).c_str(), 1);
      ::setenv("LOCAL_RANK", std::to_string(rank).c_str(), 1);
      ::setenv("GROUP_RANK", "0", 1);
      ::setenv("WORLD_SIZE", std::to_string(nproc).c_str(), 1);
      ::setenv("LOCAL_WORLD_SIZE", std::to_string(nproc).c_str(), 1);
      ::setenv("MASTER_ADDR", "127.0.0.1", 1);
      ::setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
      ::setenv("NNN_RESTART_COUNT", std::to_string(attempt).c_str(), 1);
      ::setenv("NNN_MAX_RESTARTS", std::to_string(max_restarts).c_str(), 1);
      // Rank 0 hosts the store itself: no torchrun agent variables leak in.
      ::unsetenv("TORCHELASTIC_USE_AGENT_STORE");
      ::unsetenv("TORCHELASTIC_RESTART_COUNT");
      ::unsetenv("TORCHELASTIC_MAX_RESTARTS");
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::execv("/proc/self/exe", args.data());
      ::_exit(127);
    }
    pids.push_back(pid);
  }
  bool forwarded = false;
  std::vector<int> statuses(pids.size(), -1);
  const auto signal_running = [&](int signal) {
    for (size_t i = 0; i < pids.size(); ++i) {
      if (statuses[i] == -1) ::kill(pids[i], signal);
    }
  };
  size_t running = pids.size();
  std::string failure;
  auto stop_time = std::chrono::steady_clock::time_point::max();
  while (running > 0) {
    int status = 0;
    if (g_terminate && !forwarded) {
      forwarded = true;
      signal_running(SIGINT);
    }
    const pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid <= 0) {
      if (std::chrono::steady_clock::now() > stop_time) signal_running(SIGKILL);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    for (size_t i = 0; i < pids.size(); ++i) {
      if (pids[i] != pid) continue;
      statuses[i] = status;
      --running;
      const bool ok = WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 130);
      if (!ok && failure.empty()) {
        failure = "rank " + std::to_string(i) + " of " + std::to_string(nproc) + " " +
                  how_it_ended(status);
        signal_running(SIGTERM);
        stop_time = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      }
    }
  }
  status0 = statuses[0];
  return failure;
}

}  // namespace

int launch_local_workers(int64_t nproc, const std::vector<std::string>& argv, std::ostream& log,
                         int64_t max_restarts) {
  NNN_CHECK(nproc >= 1 && nproc <= kMaxWorldSize, "--nproc is ", nproc, "; expected 1..",
            kMaxWorldSize);
  NNN_CHECK(max_restarts >= 0 && max_restarts <= kMaxLocalRestarts, "--max-restarts is ",
            max_restarts, "; expected 0..", kMaxLocalRestarts);
  NNN_CHECK(!argv.empty(), "launch_local_workers: no program");
  // Ctrl-C reaches every rank (one process group); the launcher only waits.
  // SIGTERM (a scheduler cancelling the job) is passed on as SIGINT, so the
  // ranks stop together after a batch and rank 0 saves a checkpoint.
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction previous {};
  ::sigaction(SIGINT, &ignore, &previous);
  struct sigaction terminate {};
  terminate.sa_handler = on_terminate;
  struct sigaction previous_term {};
  ::sigaction(SIGTERM, &terminate, &previous_term);
  std::string failure;
  int status0 = 0;
  for (int64_t attempt = 0;; ++attempt) {
    failure = run_attempt(nproc, argv, log, attempt, max_restarts, status0);
    // A job stopped on purpose (SIGTERM to the launcher) is not restarted.
    if (failure.empty() || attempt >= max_restarts || g_terminate) break;
    log << "distributed: " << failure << "; restarting all ranks (restart " << attempt + 1 << " of "
        << max_restarts << "), they continue from the run's last checkpoint\n";
    log.flush();
  }
  ::sigaction(SIGINT, &previous, nullptr);
  ::sigaction(SIGTERM, &previous_term, nullptr);
  NNN_CHECK(failure.empty(), "distributed run failed: ", failure,
            max_restarts > 0 ? " after " + std::to_string(max_restarts) + " restart(s)" : "",
            "; the other ranks were stopped (the last checkpoint stays)");
  return WEXITSTATUS(status0);
}

}  // namespace nnn
