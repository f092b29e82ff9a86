// `nnn serve`'s HTTP server (Debian's cpp-httplib) in front of a DemoApi:
// binds, serves until stopped, a request limit or a time limit, and logs.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>

namespace nnn {

class DemoApi;

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 8080;              // 0: any free port (bind() returns it)
  int64_t max_requests = 0;     // stop after this many requests (0: no limit)
  double max_seconds = 0.0;     // stop after this long (0: no limit)
  bool log_requests = false;    // one line per request on `log` (errors are always logged)
  int threads = 256;            // connections served at once, each on a thread of its own
  int client_connections = 32;  // open connections per client address (one more: 429)
  double request_seconds = 30;  // from a request's first byte to its last (then closed)
};

class DemoServer {
 public:
  DemoServer(const DemoApi& api, ServeOptions options, std::ostream& log);
  ~DemoServer();
  DemoServer(const DemoServer&) = delete;
  DemoServer& operator=(const DemoServer&) = delete;

  /// Binds host:port; returns the port (the chosen one for port 0). Errors
  /// name the address and why (in use, cannot resolve).
  int bind();
  /// Serves until stop(), the request limit or the time limit; returns the
  /// number of requests answered.
  int64_t run();
  /// Stops run() from any thread (also from a signal-watching thread).
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nnn
