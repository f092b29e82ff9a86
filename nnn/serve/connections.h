// The life of `nnn serve`'s connections, on top of Debian's cpp-httplib
// (a compiled library: its accept loop and limits cannot be changed, so the
// connections are served here, with httplib parsing and routing each
// request):
// - a thread per connection, at most `threads` at once (ConnectionThreads);
// - at most `per_client` open connections per client address; one more is
//   answered 429 and closed before anything is read;
// - a deadline for each request: from its first byte, its request line,
//   headers and body must arrive within `request_seconds`, however slowly
//   the bytes trickle in (httplib's own timeout is per read: a byte a
//   second never trips it); an idle keep-alive connection is closed after
//   `idle_seconds`.
// Private to nnn/serve: included by server.cpp only.
#pragma once

#include <httplib.h>

#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace nnn {

struct ConnectionLimits {
  size_t per_client = 32;
  double request_seconds = 30.0;
  double idle_seconds = 5.0;  // between requests, and before the first
  double write_seconds = 5.0;
  size_t requests_per_connection = 100000;
};

class GuardedServer : public httplib::Server {
 public:
  /// `log` receives one line per refused connection.
  GuardedServer(ConnectionLimits limits, std::function<void(const std::string&)> log);

 private:
  // Called by httplib's accept loop (on the connection's own thread) for
  // each accepted socket; serves it and closes it.
  bool process_and_close_socket(socket_t sock) override;
  bool admit(const std::string& address);
  void release(const std::string& address);

  const ConnectionLimits limits_;
  std::function<void(const std::string&)> log_;
  std::mutex mutex_;
  std::map<std::string, size_t> open_;
};

/// A thread per connection, at most `most` at once: slow clients hold only
/// their own threads, never the ones that answer everybody else; past
/// `most`, connections wait for a thread.
class ConnectionThreads : public httplib::TaskQueue {
 public:
  explicit ConnectionThreads(size_t most) : most_(most) {}
  ~ConnectionThreads() override { shutdown(); }
  void enqueue(std::function<void()> fn) override;
  void shutdown() override;

 private:
  const size_t most_;
  std::mutex mutex_;
  std::condition_variable room_;
  size_t running_ = 0;
  bool stopping_ = false;
};

}  // namespace nnn
