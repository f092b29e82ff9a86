// Launcher variables, checked as hostile input.
#include "nnn/dist/dist_env.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "nnn/util/error.h"

namespace nnn {

namespace {

int64_t number(const std::function<const char*(const char*)>& getenv, const char* name, int64_t low,
               int64_t high) {
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

}  // namespace

std::optional<DistEnv> dist_env_from_environment(
    const std::function<const char*(const char*)>& getenv) {
  DistEnv env;
  const bool torchrun = getenv("RANK") != nullptr || getenv("WORLD_SIZE") != nullptr;
  const bool slurm = !torchrun && getenv("SLURM_PROCID") != nullptr &&
                     getenv("SLURM_NTASKS") != nullptr && getenv("MASTER_PORT") != nullptr;
  if (!torchrun && !slurm) return std::nullopt;
  const char* rank = torchrun ? "RANK" : "SLURM_PROCID";
  const char* world = torchrun ? "WORLD_SIZE" : "SLURM_NTASKS";
  const char* local = torchrun ? "LOCAL_RANK" : "SLURM_LOCALID";
  env.source = torchrun ? "torchrun" : "slurm";
  env.world_size = number(getenv, world, 1, kMaxWorldSize);
  env.rank = number(getenv, rank, 0, env.world_size - 1);
  env.local_rank = getenv(local) != nullptr ? number(getenv, local, 0, kMaxWorldSize - 1) : 0;
  const char* addr = getenv("MASTER_ADDR");
  if (addr == nullptr) {
    NNN_CHECK(env.world_size == 1 || torchrun,
              "environment: MASTER_ADDR is not set; under Slurm "
              "set it to the first node's name (see README, 'Distributed training')");
  } else {
    const std::string a(addr);
    NNN_CHECK(
        !a.empty() && a.size() <= 253 && a.find_first_of(" \t\n\r/\\'\"") == std::string::npos,
        "environment: MASTER_ADDR is ", quoted(a), "; expected a host name or address");
    env.master_addr = a;
  }
  env.master_port = number(getenv, "MASTER_PORT", 1, 65535);
  return env;
}

std::optional<DistEnv> dist_env_from_environment() {
  return dist_env_from_environment([](const char* name) { return std::getenv(name); });
}

int64_t free_local_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  NNN_CHECK(fd >= 0, "cannot open a socket to find a free port: ", std::strerror(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  const int error = errno;
  ::close(fd);
  NNN_CHECK(ok, "cannot find a free port on 127.0.0.1: ", std::strerror(error));
  return ntohs(address.sin_port);
}

}  // namespace nnn
