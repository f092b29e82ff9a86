// c10d behind nnn::Communicator. Built with Gloo when the build found its
// headers (NNN_HAVE_C10D_GLOO); otherwise joining explains what is missing.
#include "nnn/distributed/communicator.h"

#include <fmt/format.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include "nnn/util/error.h"

#ifdef NNN_HAVE_C10D_GLOO
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#ifdef NNN_HAVE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#endif

namespace nnn {

#ifdef NNN_HAVE_C10D_GLOO

namespace {

std::string c10d_message(const std::exception& e) {
  if (const auto* c = dynamic_cast<const c10::Error*>(&e)) return c->what_without_backtrace();
  const std::string what = e.what();
  return what.substr(0, what.find('\n'));
}

// While it lives, what the process writes to stderr goes to a temporary
// file: c10d logs its socket attempts there as raw warnings before it
// throws, and nnn reports the failure as one line of its own. Whatever was
// held back is written out when joining succeeded after all.
class HeldStderr {
 public:
  HeldStderr() : file_(std::tmpfile()) {
    if (file_ == nullptr) return;
    std::fflush(stderr);
    saved_ = dup(STDERR_FILENO);
    if (saved_ < 0 || dup2(fileno(file_), STDERR_FILENO) < 0) restore();
  }
  ~HeldStderr() {
    restore();
    if (file_ != nullptr) std::fclose(file_);
  }
  HeldStderr(const HeldStderr&) = delete;
  HeldStderr& operator=(const HeldStderr&) = delete;
  /// Stops holding back; with `replay`, writes out what was held.
  void release(bool replay) {
    restore();
    if (!replay || file_ == nullptr) return;
    std::rewind(file_);
    char chunk[4096];
    size_t n = 0;
    while ((n = std::fread(chunk, 1, sizeof chunk, file_)) > 0) std::fwrite(chunk, 1, n, stderr);
  }

 private:
  void restore() {
    if (saved_ < 0) return;
    std::fflush(stderr);
    dup2(saved_, STDERR_FILENO);
    close(saved_);
    saved_ = -1;
  }
  std::FILE* file_ = nullptr;
  int saved_ = -1;
};

// Joining runs inside c10d and Gloo, which can block in a read that has no
// deadline (a master that accepts and never answers, a store of another
// protocol) or end the process from a background thread (an exception
// there calls std::terminate, e.g. on a master that answers with garbage).
// While it lives, both end the process with one line of nnn's on the real
// stderr and exit status 1: after `limit`, or at std::terminate.
class JoinGuard {
 public:
  JoinGuard(std::string what, std::string hint, double timeout_seconds) : fd_(dup(STDERR_FILENO)) {
    {
      std::lock_guard<std::mutex> lock(g_mutex);
      g_what = std::move(what);
      g_hint = std::move(hint);
      g_fd = fd_;
    }
    // c10d's own deadlines come first; the guard only ends what has none.
    const auto limit = std::chrono::milliseconds(static_cast<int64_t>(timeout_seconds * 1000)) +
                       std::chrono::seconds(2);
    thread_ = std::thread([this, limit, timeout_seconds] { watch(limit, timeout_seconds); });
    previous_ = std::set_terminate(on_terminate);
  }
  ~JoinGuard() {
    std::set_terminate(previous_);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_ = true;
    }
    wake_.notify_all();
    thread_.join();
    std::lock_guard<std::mutex> lock(g_mutex);
    g_fd = -1;
    if (fd_ >= 0) close(fd_);
  }
  JoinGuard(const JoinGuard&) = delete;
  JoinGuard& operator=(const JoinGuard&) = delete;

 private:
  static void say_and_exit(const std::string& why) {
    const std::string line = "error: " + g_what + " (" + why + ")" + g_hint + "\n";
    if (g_fd >= 0 && ::write(g_fd, line.data(), line.size()) < 0) {
      // Nothing left to report to.
    }
    ::_exit(1);
  }
  [[noreturn]] static void on_terminate() {
    std::string why = "a background thread of c10d failed";
    if (auto current = std::current_exception()) {
      try {
        std::rethrow_exception(current);
      } catch (const std::exception& e) {
        why += ": " + c10d_message(e);
      } catch (...) {
      }
    }
    say_and_exit(why + "; is the master a c10d store of the same LibTorch?");
    std::abort();
  }
  void watch(std::chrono::milliseconds limit, double timeout_seconds) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (wake_.wait_for(lock, limit, [this] { return done_; })) return;
    std::lock_guard<std::mutex> global(g_mutex);
    say_and_exit(
        fmt::format("no answer within {:g} s (dist.timeout): the master accepted the "
                    "connection but never replied as a c10d store",
                    timeout_seconds));
  }

  static inline std::mutex g_mutex;
  static inline std::string g_what;
  static inline std::string g_hint;
  static inline int g_fd = -1;
  int fd_ = -1;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  std::thread thread_;
  std::terminate_handler previous_ = nullptr;
};

struct WorldSizeMismatch : std::runtime_error {
  using std::runtime_error::runtime_error;
};

bool is_loopback(const std::string& host) { return host == "127.0.0.1" || host == "localhost"; }

// torchrun's agent hosts the store with its own torch's c10d; the store
// protocol changed between LibTorch 1.x and 2.x.
std::string agent_hint(const DistEnv& env) {
  if (!env.agent_store) return "";
  return fmt::format(
      "; the store there is torchrun's agent's, and this nnn's c10d (LibTorch {}) must speak "
      "its torch's store protocol: run the nnn built against the torch torchrun comes from "
      "(scripts/build.sh torch2 for .venv-torch2's torchrun), or let rank 0 host the store "
      "(torchrun --rdzv-backend c10d with TORCH_DISABLE_SHARE_RDZV_TCP_STORE=1)",
      TORCH_VERSION);
}

[[noreturn]] void refuse_nccl(int64_t rank) {
  throw Error("distributed rank " + std::to_string(rank) +
              ": dist.backend is nccl, but this nnn was built without c10d NCCL; build the cuda "
              "preset against pip's CUDA LibTorch (scripts/build.sh cuda)");
}

// The collectives' common base: ProcessGroup in LibTorch 1.x, Backend in 2.x.
#if TORCH_VERSION_MAJOR >= 2
using Group = c10d::Backend;
#else
using Group = c10d::ProcessGroup;
#endif

// Gloo on the CPU, or NCCL on this rank's GPU; one TCP store either way.
class C10dCommunicator : public Communicator {
 public:
  C10dCommunicator(const DistEnv& env, double timeout_seconds, bool nccl) : env_(env), nccl_(nccl) {
    const auto timeout = std::chrono::milliseconds(static_cast<int64_t>(timeout_seconds * 1000));
    // A misspelt master name is refused at once, not after the timeout.
    check_resolves(env.master_addr,
                   "distributed rank " + std::to_string(env.rank) + ": MASTER_ADDR");
    const std::string joining = "distributed rank " + std::to_string(env.rank) + " of " +
                                std::to_string(env.world_size) + ": cannot join the job at " +
                                env.master_addr + ":" + std::to_string(env.master_port);
    JoinGuard guard(joining, agent_hint(env), timeout_seconds);
    HeldStderr held;
    try {
      c10d::TCPStoreOptions options;
      options.port = static_cast<uint16_t>(env.master_port);
      // Under torchrun's agent (TORCHELASTIC_USE_AGENT_STORE) the agent
      // already hosts the store on MASTER_PORT: every rank is a client.
      options.isServer = env.rank == 0 && !env.agent_store;
      options.numWorkers = static_cast<int>(env.world_size);
      options.waitWorkers = true;  // clients count themselves in (as PyTorch's do)
      options.timeout = timeout;
#if TORCH_VERSION_MAJOR >= 2
      // A store for ranks on this machine listens on loopback only (c10d
      // alone would listen on every interface). LibTorch 1.x has no way to
      // say so: there it listens on all (docs/distributed.md).
      if (options.isServer && is_loopback(env.master_addr)) {
        options.masterListenFd = listen_on_loopback(env.master_port);
      }
#endif
      auto tcp = c10::make_intrusive<c10d::TCPStore>(env.master_addr, options);
      // The agent's store outlives a restart of the ranks: each attempt
      // keeps its keys apart, as PyTorch's own workers do.
      store_ = c10::make_intrusive<c10d::PrefixStore>(
          "nnn/attempt_" + std::to_string(env.restart_count) + "/", tcp);
      agree_on_world_size();
      if (nccl_) {
        group_ = make_nccl_group(timeout);
        held.release(/*replay=*/true);
        return;
      }
      auto gloo = c10d::ProcessGroupGloo::Options::create();
      gloo->timeout = timeout;
      // The interface GLOO_SOCKET_IFNAME names (as PyTorch reads it); else
      // on one machine the loopback interface, across machines the
      // interface this host's name resolves to.
      const char* interface = std::getenv("GLOO_SOCKET_IFNAME");
      const bool local = is_loopback(env.master_addr);
      gloo->devices.push_back(interface != nullptr && *interface != '\0'
                                  ? c10d::ProcessGroupGloo::createDeviceForInterface(interface)
                              : local ? c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1")
                                      : c10d::ProcessGroupGloo::createDefaultDevice());
      group_ = c10::make_intrusive<c10d::ProcessGroupGloo>(store_, static_cast<int>(env.rank),
                                                           static_cast<int>(env.world_size), gloo);
      held.release(/*replay=*/true);
    } catch (const WorldSizeMismatch& e) {
      held.release(/*replay=*/false);
      throw Error(e.what());
    } catch (const std::exception& e) {
      held.release(/*replay=*/false);
      throw Error(joining + " (" + c10d_message(e) + "); each rank waits up to " +
                  fmt::format("{:g}", timeout_seconds) + " s (dist.timeout) for all " +
                  std::to_string(env.world_size) + " to arrive" + agent_hint(env));
    }
  }

  int64_t rank() const override { return env_.rank; }
  int64_t size() const override { return env_.world_size; }
  bool on_gpu() const override { return nccl_; }

  void all_reduce_sum(torch::Tensor& tensor) override {
    run("all-reduce", [&] {
      std::vector<torch::Tensor> tensors = {on_group_device(tensor)};
      group_->allreduce(tensors)->wait();
      if (!tensors[0].is_same(tensor)) tensor.copy_(tensors[0]);
    });
  }

  void broadcast(torch::Tensor& tensor, int64_t root) override {
    run("broadcast", [&] {
      std::vector<torch::Tensor> tensors = {on_group_device(tensor)};
      c10d::BroadcastOptions options;
      options.rootRank = root;
      group_->broadcast(tensors, options)->wait();
      if (!tensors[0].is_same(tensor)) tensor.copy_(tensors[0]);
    });
  }

  // Ranks launched with different world sizes would meet inside Gloo's
  // rendezvous and fail there with its internal assertion text.
  void agree_on_world_size() {
    const std::string key = "world_size";
    const std::string mine = std::to_string(env_.world_size);
    if (env_.rank == 0) {
      store_->set(key, std::vector<uint8_t>(mine.begin(), mine.end()));
      return;
    }
    const auto theirs = store_->get(key);
    const std::string rank0(theirs.begin(), theirs.end());
    if (rank0 != mine) {
      throw WorldSizeMismatch("distributed rank " + std::to_string(env_.rank) +
                              ": this rank was launched with a world of " + mine +
                              " ranks (WORLD_SIZE or SLURM_STEP_NUM_TASKS) but rank 0 with " +
                              quoted(rank0, 12) + "; every rank must be started for the same job");
    }
  }

  void check_same(const std::string& what, const std::string& value) override {
    std::string differing;
    run("exchange of " + what, [&] {
      const std::string prefix = "nnn/check/" + what + "/";
      store_->set(prefix + std::to_string(env_.rank),
                  std::vector<uint8_t>(value.begin(), value.end()));
      const auto reference = store_->get(prefix + "0");
      for (int64_t r = 1; r < env_.world_size && differing.empty(); ++r) {
        if (store_->get(prefix + std::to_string(r)) != reference) differing = std::to_string(r);
      }
    });
    NNN_CHECK(differing.empty(), "distributed: rank ", differing, "'s ", what,
              " differs from rank 0's; every rank must run the same config on the same data");
  }

 private:
  template <typename Body>
  void run(const std::string& what, Body&& body) {
    try {
      body();
    } catch (const std::exception& e) {
      throw Error("distributed rank " + std::to_string(env_.rank) + ": " + what +
                  " failed; a peer process probably died (" + c10d_message(e) + ")");
    }
  }

  // NCCL reduces tensors on this rank's GPU; Gloo the CPU's. Small CPU
  // sums (evaluation counts, the loss) travel through a device copy.
  torch::Tensor on_group_device(const torch::Tensor& tensor) const {
    if (!nccl_) {
      NNN_CHECK(tensor.is_cpu(), "distributed: c10d Gloo reduces CPU tensors, got one on ",
                tensor.device().str());
      return tensor;
    }
    return tensor.is_cuda() && tensor.device().index() == device_.index() ? tensor
                                                                          : tensor.to(device_);
  }

#ifdef NNN_HAVE_C10D_NCCL
  c10::intrusive_ptr<Group> make_nccl_group(std::chrono::milliseconds timeout) {
    const int64_t devices = static_cast<int64_t>(torch::cuda::device_count());
    NNN_CHECK(devices > 0, "distributed rank ", env_.rank,
              ": dist.backend is nccl but this machine has no CUDA device");
    device_ = torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(env_.local_rank % devices));
    auto options = c10d::ProcessGroupNCCL::Options::create();
    options->timeout = timeout;
    return c10::make_intrusive<c10d::ProcessGroupNCCL>(store_, static_cast<int>(env_.rank),
                                                       static_cast<int>(env_.world_size), options);
  }
#else
  c10::intrusive_ptr<Group> make_nccl_group(std::chrono::milliseconds) {
    refuse_nccl(env_.rank);  // join() refuses first; kept for the type system
  }
#endif

  DistEnv env_;
  bool nccl_ = false;
  torch::Device device_ = torch::kCPU;
  c10::intrusive_ptr<c10d::Store> store_;
  c10::intrusive_ptr<Group> group_;
};

}  // namespace

bool Communicator::available() { return true; }

bool Communicator::nccl_available() {
#ifdef NNN_HAVE_C10D_NCCL
  return true;
#else
  return false;
#endif
}

std::shared_ptr<Communicator> Communicator::join(const DistEnv& env, double timeout_seconds,
                                                 bool nccl) {
  if (nccl && !nccl_available()) refuse_nccl(env.rank);
  return std::make_shared<C10dCommunicator>(env, timeout_seconds, nccl);
}

#else

bool Communicator::available() { return false; }
bool Communicator::nccl_available() { return false; }

std::shared_ptr<Communicator> Communicator::join(const DistEnv& env, double, bool) {
  throw Error("distributed rank " + std::to_string(env.rank) +
              ": this nnn was built without c10d Gloo; install libgloo-dev (scripts/setup.sh) "
              "and build again");
}

#endif

}  // namespace nnn
