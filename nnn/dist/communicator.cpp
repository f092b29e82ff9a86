// c10d behind nnn::Communicator. Built with Gloo when the build found its
// headers (NNN_HAVE_C10D_GLOO); otherwise joining explains what is missing.
#include "nnn/dist/communicator.h"

#include <fmt/format.h>

#include "nnn/util/error.h"

#ifdef NNN_HAVE_C10D_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
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

class GlooCommunicator : public Communicator {
 public:
  GlooCommunicator(const DistEnv& env, double timeout_seconds) : env_(env) {
    const auto timeout = std::chrono::milliseconds(static_cast<int64_t>(timeout_seconds * 1000));
    HeldStderr held;
    try {
      c10d::TCPStoreOptions options;
      options.port = static_cast<uint16_t>(env.master_port);
      options.isServer = env.rank == 0;
      options.numWorkers = static_cast<int>(env.world_size);
      options.waitWorkers = true;
      options.timeout = timeout;
      store_ = c10::make_intrusive<c10d::TCPStore>(env.master_addr, options);
      auto gloo = c10d::ProcessGroupGloo::Options::create();
      gloo->timeout = timeout;
      // The interface GLOO_SOCKET_IFNAME names (as PyTorch reads it); else
      // on one machine the loopback interface, across machines the
      // interface this host's name resolves to.
      const char* interface = std::getenv("GLOO_SOCKET_IFNAME");
      const bool local = env.master_addr == "127.0.0.1" || env.master_addr == "localhost";
      gloo->devices.push_back(interface != nullptr && *interface != '\0'
                                  ? c10d::ProcessGroupGloo::createDeviceForInterface(interface)
                              : local ? c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1")
                                      : c10d::ProcessGroupGloo::createDefaultDevice());
      group_ = c10::make_intrusive<c10d::ProcessGroupGloo>(store_, static_cast<int>(env.rank),
                                                           static_cast<int>(env.world_size), gloo);
      held.release(/*replay=*/true);
    } catch (const std::exception& e) {
      held.release(/*replay=*/false);
      throw Error("distributed rank " + std::to_string(env.rank) + " of " +
                  std::to_string(env.world_size) + ": cannot join the job at " + env.master_addr +
                  ":" + std::to_string(env.master_port) + " (" + c10d_message(e) +
                  "); each rank waits up to " + fmt::format("{:g}", timeout_seconds) +
                  " s (dist.timeout) for all " + std::to_string(env.world_size) + " to arrive");
    }
  }

  int64_t rank() const override { return env_.rank; }
  int64_t size() const override { return env_.world_size; }

  void all_reduce_sum(torch::Tensor& tensor) override {
    run("all-reduce", [&] {
      std::vector<torch::Tensor> tensors = {tensor};
      group_->allreduce(tensors)->wait();
    });
  }

  void broadcast(torch::Tensor& tensor, int64_t root) override {
    run("broadcast", [&] {
      std::vector<torch::Tensor> tensors = {tensor};
      c10d::BroadcastOptions options;
      options.rootRank = root;
      group_->broadcast(tensors, options)->wait();
    });
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

  DistEnv env_;
  c10::intrusive_ptr<c10d::TCPStore> store_;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group_;
};

}  // namespace

bool Communicator::available() { return true; }

std::shared_ptr<Communicator> Communicator::join(const DistEnv& env, double timeout_seconds) {
  return std::make_shared<GlooCommunicator>(env, timeout_seconds);
}

#else

bool Communicator::available() { return false; }

std::shared_ptr<Communicator> Communicator::join(const DistEnv& env, double) {
  throw Error("distributed rank " + std::to_string(env.rank) +
              ": this nnn was built without c10d Gloo; install libgloo-dev (scripts/setup.sh) "
              "and build again");
}

#endif

}  // namespace nnn
