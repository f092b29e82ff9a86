// fork + exec of /proc/self/exe per rank; waitpid for all of them.
#include "nnn/dist/launch.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <thread>

#include "nnn/dist/dist_env.h"
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

int launch_local_workers(int64_t nproc, const std::vector<std::string>& argv, std::ostream& log) {
  NNN_CHECK(nproc >= 1 && nproc <= kMaxWorldSize, "--nproc is ", nproc, "; expected 1..",
            kMaxWorldSize);
  NNN_CHECK(!argv.empty(), "launch_local_workers: no program");
  const int64_t port = free_local_port();
  log << "distributed: " << nproc << " ranks, rendezvous at 127.0.0.1:" << port << "\n";
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
      ::setenv("WORLD_SIZE", std::to_string(nproc).c_str(), 1);
      ::setenv("LOCAL_WORLD_SIZE", std::to_string(nproc).c_str(), 1);
      ::setenv("MASTER_ADDR", "127.0.0.1", 1);
      ::setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::execv("/proc/self/exe", args.data());
      ::_exit(127);
    }
    pids.push_back(pid);
  }
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
  ::sigaction(SIGINT, &previous, nullptr);
  ::sigaction(SIGTERM, &previous_term, nullptr);
  NNN_CHECK(failure.empty(), "distributed run failed: ", failure,
            "; the other ranks were stopped (the last checkpoint stays)");
  return WEXITSTATUS(statuses[0]);
}

}  // namespace nnn
