// Connections of `nnn serve`: admission per client address, deadlines per
// request, a thread each.
#include "nnn/serve/connections.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "nnn/serve/api.h"

namespace nnn {

namespace {

using Clock = std::chrono::steady_clock;

// How often a waiting connection looks whether the server is stopping.
constexpr auto kStopCheck = std::chrono::milliseconds(100);

std::string address_of(const sockaddr_storage& address, int* port) {
  char text[INET6_ADDRSTRLEN] = "?";
  *port = 0;
  if (address.ss_family == AF_INET) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(address);
    inet_ntop(AF_INET, &a.sin_addr, text, sizeof text);
    *port = ntohs(a.sin_port);
  } else if (address.ss_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(address);
    inet_ntop(AF_INET6, &a.sin6_addr, text, sizeof text);
    *port = ntohs(a.sin6_port);
  }
  return text;
}

std::string peer_of(int fd, int* port) {
  sockaddr_storage address{};
  socklen_t size = sizeof address;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    *port = 0;
    return "?";
  }
  return address_of(address, port);
}

// A connection's socket as httplib reads and writes it: buffered reads that
// end at the current request's deadline, writes bounded per call, and both
// ending when the server stops.
class DeadlineStream : public httplib::Stream {
 public:
  DeadlineStream(int fd, const ConnectionLimits& limits, const std::atomic<socket_t>& listening)
      : fd_(fd), limits_(limits), listening_(listening) {}

  /// Waits up to the idle limit for the next request's first byte; then
  /// its deadline starts. False: the client went idle, left, or the server
  /// is stopping.
  bool next_request() {
    const auto idle = Clock::now() + seconds(limits_.idle_seconds);
    if (begin_ == end_ && !wait(POLLIN, idle)) return false;
    deadline_ = Clock::now() + seconds(limits_.request_seconds);
    return true;
  }
  bool expired() const { return expired_; }

  bool is_readable() const override { return begin_ != end_ || wait(POLLIN, deadline_); }
  // Writes finish even while the server stops (the last reply of a request
  // limit goes out), bounded by the write limit.
  bool is_writable() const override {
    return wait(POLLOUT, Clock::now() + seconds(limits_.write_seconds), false);
  }
  ssize_t read(char* ptr, size_t size) override {
    if (begin_ == end_) {
      if (!wait(POLLIN, deadline_)) {
        expired_ = Clock::now() >= deadline_;
        return -1;
      }
      ssize_t n;
      do {
        n = ::recv(fd_, buffer_, sizeof buffer_, 0);
      } while (n < 0 && errno == EINTR);
      if (n <= 0) return n;
      begin_ = 0;
      end_ = static_cast<size_t>(n);
    }
    const size_t n = std::min(size, end_ - begin_);
    std::copy(buffer_ + begin_, buffer_ + begin_ + n, ptr);
    begin_ += n;
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) return -1;
    ssize_t n;
    do {
      n = ::send(fd_, ptr, size, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n;
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = peer_of(fd_, &port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage address{};
    socklen_t size = sizeof address;
    ip = getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size) == 0
             ? address_of(address, &port)
             : "?";
  }
  socket_t socket() const override { return fd_; }

 private:
  static Clock::duration seconds(double s) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
  }
  // Until `until`, in slices that look whether the server is stopping
  // (then false, when `stop_aware`).
  bool wait(short events, Clock::time_point until, bool stop_aware = true) const {
    while (!stop_aware || listening_.load() != INVALID_SOCKET) {
      const auto left = until - Clock::now();
      if (left <= Clock::duration::zero()) return false;
      const auto slice = std::min<Clock::duration>(left, kStopCheck);
      pollfd p{fd_, events, 0};
      const int ready = ::poll(
          &p, 1, static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(slice).count()));
      if (ready > 0) return (p.revents & (events | POLLHUP | POLLERR)) != 0;
      if (ready < 0 && errno != EINTR) return false;
    }
    return false;
  }

  const int fd_;
  const ConnectionLimits& limits_;
  const std::atomic<socket_t>& listening_;
  Clock::time_point deadline_ = Clock::now();
  bool expired_ = false;
  char buffer_[4096];
  size_t begin_ = 0, end_ = 0;
};

// Sends a whole reply on a connection that is closed next (best effort).
void send_and_close(int fd, const std::string& reply) {
  size_t sent = 0;
  while (sent < reply.size()) {
    const ssize_t n = ::send(fd, reply.data() + sent, reply.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  ::shutdown(fd, SHUT_WR);
  ::close(fd);
}

}  // namespace

GuardedServer::GuardedServer(ConnectionLimits limits, std::function<void(const std::string&)> log)
    : limits_(limits), log_(std::move(log)) {}

bool GuardedServer::admit(const std::string& address) {
  std::lock_guard<std::mutex> lock(mutex_);
  size_t& n = open_[address];
  if (n >= limits_.per_client) return false;
  ++n;
  return true;
}

void GuardedServer::release(const std::string& address) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto it = open_.find(address);
  if (it != open_.end() && --it->second == 0) open_.erase(it);
}

bool GuardedServer::process_and_close_socket(socket_t sock) {
  int port = 0;
  const std::string address = peer_of(sock, &port);
  if (!admit(address)) {
    const std::string message =
        fmt::format("{} connections are open from {}; at most {} per client address",
                    limits_.per_client, address, limits_.per_client);
    const ApiReply reply = error_reply(429, message);
    send_and_close(sock, fmt::format("HTTP/1.1 429 Too Many Requests\r\nContent-Type: {}\r\n"
                                     "Content-Length: {}\r\nConnection: close\r\n\r\n{}",
                                     reply.content_type, reply.body.size(), reply.body));
    log_(fmt::format("{} refused: {}", address, message));
    return true;
  }
  int yes = 1;
  setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  DeadlineStream stream(sock, limits_, svr_sock_);
  for (size_t left = limits_.requests_per_connection; left > 0; --left) {
    if (!stream.next_request()) break;
    bool closed = false;
    const bool ok = process_request(stream, left == 1, closed, nullptr);
    if (stream.expired()) {
      log_(fmt::format("{} closed: a request not complete within {} s of its first byte", address,
                       limits_.request_seconds));
    }
    if (!ok || closed) break;
  }
  release(address);
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return true;
}

void ConnectionThreads::enqueue(std::function<void()> fn) {
  std::unique_lock<std::mutex> lock(mutex_);
  room_.wait(lock, [this] { return running_ < most_ || stopping_; });
  if (stopping_) {
    // Shutting down: no new thread, but the task still runs (here), since
    // it is what closes the connection's socket; dropping it leaked one.
    lock.unlock();
    fn();
    return;
  }
  ++running_;
  std::thread([this, fn = std::move(fn)] {
    fn();
    std::lock_guard<std::mutex> done(mutex_);
    --running_;
    room_.notify_all();
  }).detach();
}

void ConnectionThreads::shutdown() {
  std::unique_lock<std::mutex> lock(mutex_);
  stopping_ = true;
  room_.notify_all();
  room_.wait(lock, [this] { return running_ == 0; });
}

}  // namespace nnn
