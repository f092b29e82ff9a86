// Launcher variables, checked as hostile input.
#include "nnn/distributed/dist_env.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <utility>
#include <vector>

#include "nnn/util/error.h"

namespace nnn {

namespace {

using Getenv = std::function<const char*(const char*)>;

int64_t number(const Getenv& getenv, const char* name, int64_t low, int64_t high) {
  const char* text = getenv(name);
  NNN_CHECK(text != nullptr, "environment: ", name, " is not set");
  const std::string value(text);
  NNN_CHECK(!value.empty() && value.size() <= 9 &&
                value.find_first_not_of("0123456789") == std::string::npos,
            "environment: ", name, " is ", quoted(value), "; expected a whole number in ", low,
            "..", high);
  const int64_t n = std::stoll(value);
  NNN_CHECK(n >= low && n <= high, "environment: ", name, " is ", n, "; expected ", low, "..",
            high);
  return n;
}

std::optional<int64_t> optional_number(const Getenv& getenv, const char* name, int64_t low,
                                       int64_t high) {
  if (getenv(name) == nullptr) return std::nullopt;
  return number(getenv, name, low, high);
}

// torchrun writes Python's str(bool); launchers by hand write 1/0.
bool flag(const Getenv& getenv, const char* name) {
  const char* text = getenv(name);
  if (text == nullptr) return false;
  const std::string value(text);
  if (value == "True" || value == "true" || value == "1") return true;
  if (value == "False" || value == "false" || value == "0" || value.empty()) return false;
  throw Error("environment: " + std::string(name) + " is " + quoted(value) +
              "; expected True or False");
}

// The first count of Slurm's SLURM_STEP_TASKS_PER_NODE ("2(x3),1" -> 2 on
// the first node); nnn needs only an upper bound for this node's share of
// the cores, so the largest count is taken.
std::optional<int64_t> slurm_tasks_per_node(const Getenv& getenv) {
  const char* text = getenv("SLURM_STEP_TASKS_PER_NODE");
  if (text == nullptr) return std::nullopt;
  const std::string value(text);
  NNN_CHECK(!value.empty() && value.size() <= 256 &&
                value.find_first_not_of("0123456789(x),") == std::string::npos &&
                std::isdigit(static_cast<unsigned char>(value[0])),
            "environment: SLURM_STEP_TASKS_PER_NODE is ", quoted(value),
            "; expected counts such as 2 or 2(x3),1");
  int64_t largest = 0;
  size_t i = 0;
  while (i < value.size()) {
    size_t end = i;
    while (end < value.size() && std::isdigit(static_cast<unsigned char>(value[end]))) ++end;
    if (end > i) {
      NNN_CHECK(end - i <= 6, "environment: SLURM_STEP_TASKS_PER_NODE is ", quoted(value),
                "; a count is too large");
      const int64_t n = std::stoll(value.substr(i, end - i));
      // "(x3)" repeats the count before it: a node count, not a task count.
      const bool repeat = i > 0 && value[i - 1] == 'x';
      if (!repeat) largest = std::max(largest, n);
    }
    i = end + 1;
  }
  NNN_CHECK(largest >= 1 && largest <= kMaxWorldSize, "environment: SLURM_STEP_TASKS_PER_NODE is ",
            quoted(value), "; expected 1..", kMaxWorldSize, " tasks per node");
  return largest;
}

std::string checked_host(const char* variable, const std::string& host) {
  NNN_CHECK(!host.empty() && host.size() <= 253 &&
                host.find_first_of(" \t\n\r/\\'\"") == std::string::npos,
            "environment: ", variable, " is ", quoted(host), "; expected a host name or address");
  return host;
}

}  // namespace

int64_t restart_count_from_environment(const Getenv& getenv) {
  for (const char* name :
       {"TORCHELASTIC_RESTART_COUNT", "SLURM_RESTART_COUNT", "NNN_RESTART_COUNT"}) {
    if (auto n = optional_number(getenv, name, 0, kMaxRestartCount); n) return *n;
  }
  return 0;
}

std::optional<DistEnv> dist_env_from_environment(const Getenv& getenv) {
  DistEnv env;
  const bool torchrun = getenv("RANK") != nullptr || getenv("WORLD_SIZE") != nullptr;
  // Inside srun's tasks: SLURM_STEP_NUM_TASKS is the step's task count. A
  // batch script's own shell has SLURM_PROCID and the allocation's
  // SLURM_NTASKS but no step of tasks: nnn started there is one process.
  const bool slurm =
      !torchrun && getenv("SLURM_PROCID") != nullptr && getenv("SLURM_STEP_NUM_TASKS") != nullptr;
  if (!torchrun && !slurm) return std::nullopt;
  env.source = torchrun ? "torchrun" : "slurm";
  env.restart_count = restart_count_from_environment(getenv);
  if (torchrun) {
    env.world_size = number(getenv, "WORLD_SIZE", 1, kMaxWorldSize);
    env.rank = number(getenv, "RANK", 0, env.world_size - 1);
    env.local_world_size =
        optional_number(getenv, "LOCAL_WORLD_SIZE", 1, env.world_size).value_or(0);
    env.local_rank = optional_number(getenv, "LOCAL_RANK", 0, kMaxWorldSize - 1).value_or(0);
    if (env.local_world_size > 0) {
      NNN_CHECK(env.local_rank < env.local_world_size, "environment: LOCAL_RANK is ",
                env.local_rank, " but LOCAL_WORLD_SIZE is ", env.local_world_size,
                "; expected LOCAL_RANK in 0..", env.local_world_size - 1);
      NNN_CHECK(env.world_size % env.local_world_size == 0, "environment: WORLD_SIZE is ",
                env.world_size, " but LOCAL_WORLD_SIZE is ", env.local_world_size,
                "; torchrun runs the same number of ranks on every node");
      if (auto group = optional_number(getenv, "GROUP_RANK", 0, kMaxWorldSize - 1); group) {
        const int64_t expected = *group * env.local_world_size + env.local_rank;
        NNN_CHECK(env.rank == expected, "environment: RANK is ", env.rank, " but GROUP_RANK ",
                  *group, " x LOCAL_WORLD_SIZE ", env.local_world_size, " + LOCAL_RANK ",
                  env.local_rank, " is ", expected);
      }
    }
    env.agent_store = flag(getenv, "TORCHELASTIC_USE_AGENT_STORE");
    if (const char* id = getenv("TORCHELASTIC_RUN_ID"); id != nullptr) {
      env.run_id = std::string(id).substr(0, 256);
    }
  } else {
    env.world_size = number(getenv, "SLURM_STEP_NUM_TASKS", 1, kMaxWorldSize);
    env.rank = number(getenv, "SLURM_PROCID", 0, env.world_size - 1);
    env.local_rank = optional_number(getenv, "SLURM_LOCALID", 0, kMaxWorldSize - 1).value_or(0);
    env.local_world_size = slurm_tasks_per_node(getenv).value_or(0);
    if (env.local_world_size > 0) {
      NNN_CHECK(env.local_rank < env.local_world_size, "environment: SLURM_LOCALID is ",
                env.local_rank, " but SLURM_STEP_TASKS_PER_NODE allows at most ",
                env.local_world_size, " tasks on a node");
    }
    if (const char* id = getenv("SLURM_JOB_ID"); id != nullptr) {
      env.run_id = std::string(id).substr(0, 64);
    }
  }
  const char* addr = getenv("MASTER_ADDR");
  if (addr == nullptr) {
    NNN_CHECK(env.world_size == 1, "environment: MASTER_ADDR is not set for a job of ",
              env.world_size, " ranks (", env.source == "slurm" ? "SLURM_PROCID" : "RANK",
              " is set); ",
              env.source == "slurm"
                  ? "under Slurm the batch script sets it to the first node's name (see "
                    "docs/distributed.md)"
                  : "a launcher sets it to the address of rank 0's host");
  } else {
    env.master_addr = checked_host("MASTER_ADDR", addr);
  }
  if (env.world_size == 1 && getenv("MASTER_PORT") == nullptr) return env;
  if (getenv("MASTER_PORT") == nullptr) {
    throw Error("environment: MASTER_PORT is not set for a job of " +
                std::to_string(env.world_size) + " ranks" +
                (env.source == "slurm"
                     ? "; under Slurm the batch script sets it (e.g. export MASTER_PORT=29500)"
                     : "; a launcher sets it to the port of the rendezvous"));
  }
  env.master_port = number(getenv, "MASTER_PORT", 1, 65535);
  return env;
}

std::optional<DistEnv> dist_env_from_environment() {
  return dist_env_from_environment([](const char* name) { return std::getenv(name); });
}

namespace {

// A TCP socket bound to 127.0.0.1:port (0: a port the kernel picks), set to
// SO_REUSEADDR when `reuse`; nnn::Error starting with `what` otherwise.
int loopback_socket(int64_t port, bool reuse, const std::string& what) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  NNN_CHECK(fd >= 0, what, ": cannot open a socket: ", std::strerror(errno));
  const int yes = 1;
  if (reuse) ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    const int error = errno;
    ::close(fd);
    throw Error(what + ": " + std::strerror(error));
  }
  return fd;
}

}  // namespace

namespace {

// The kernel's ephemeral ports (net.ipv4.ip_local_port_range), or Linux's
// default range when the file cannot be read or makes no sense.
std::pair<int64_t, int64_t> ephemeral_ports() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  int64_t low = 0, high = 0;
  if (in >> low >> high && low >= 1 && low <= high && high <= 65535) return {low, high};
  return {32768, 60999};
}

}  // namespace

int64_t free_local_port() {
  const std::string what = "cannot find a free port on 127.0.0.1";
  // Outside the ephemeral range first: a rank that connects before the
  // store listens could otherwise be given that very port as its own source
  // port and connect to itself (TCP self-connect), and the store's listen
  // then fails with "address already in use".
  const auto [low, high] = ephemeral_ports();
  std::vector<int64_t> ranges;  // pairs: first, last
  if (low > 10000) ranges.insert(ranges.end(), {10000, low - 1});
  if (high < 65535) ranges.insert(ranges.end(), {high + 1, 65535});
  std::mt19937_64 random(std::random_device{}());
  for (int attempt = 0; attempt < 64 && !ranges.empty(); ++attempt) {
    const size_t r = 2 * (random() % (ranges.size() / 2));
    const int64_t port =
        ranges[r] +
        static_cast<int64_t>(random() % static_cast<uint64_t>(ranges[r + 1] - ranges[r] + 1));
    try {
      ::close(loopback_socket(port, /*reuse=*/false, what));
      return port;
    } catch (const Error&) {
      // taken: try another
    }
  }
  const int fd = loopback_socket(0, /*reuse=*/false, what);  // any port the kernel gives
  sockaddr_in address{};
  socklen_t length = sizeof address;
  const bool ok = ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  const int error = errno;
  ::close(fd);
  NNN_CHECK(ok, what, ": ", std::strerror(error));
  return ntohs(address.sin_port);
}

int listen_on_loopback(int64_t port) {
  const std::string what = "cannot listen on 127.0.0.1:" + std::to_string(port);
  const int fd = loopback_socket(port, /*reuse=*/true, what);
  if (::listen(fd, kLoopbackBacklog) != 0) {
    const int error = errno;
    ::close(fd);
    throw Error(what + ": " + std::strerror(error));
  }
  return fd;
}

void check_resolves(const std::string& host, const std::string& variable) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int status = ::getaddrinfo(host.c_str(), nullptr, &hints, &found);
  if (found != nullptr) ::freeaddrinfo(found);
  NNN_CHECK(status == 0, variable, " is ", quoted(host), ", which does not resolve to an address (",
            ::gai_strerror(status), ")");
}

}  // namespace nnn
