// The HTTP side of `nnn serve`.
#include "nnn/serve/server.h"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "nnn/serve/api.h"
#include "nnn/serve/connections.h"
#include "nnn/util/error.h"

namespace nnn {

namespace {

// Limits on what a request may bring before its body is read. Debian's
// cpp-httplib is a compiled library, so its CPPHTTPLIB_* macros cannot be
// changed here: these are checked in the pre-routing handler instead.
constexpr size_t kMaxHeaderFields = 64;
constexpr size_t kMaxHeaderBytes = size_t{32} << 10;
// Connections the kernel queues before the accept loop takes them.
constexpr int kListenBacklog = 1024;

// Why a request is refused before its body is read, with its status; 0
// when it may go on.
std::pair<int, std::string> refusal(const httplib::Request& req, const DemoApi& api) {
  size_t bytes = 0;
  for (const auto& [name, value] : req.headers) bytes += name.size() + value.size() + 4;
  if (req.headers.size() > kMaxHeaderFields || bytes > kMaxHeaderBytes) {
    return {431, fmt::format("{} header fields of {} bytes; at most {} fields of {} bytes in all",
                             req.headers.size(), bytes, kMaxHeaderFields, kMaxHeaderBytes)};
  }
  const std::string encoding = req.get_header_value("Content-Encoding");
  if (!encoding.empty() && encoding != "identity") {
    return {415, "Content-Encoding " + quoted(encoding, 40) +
                     " is not accepted; send the body uncompressed (identity)"};
  }
  if (req.has_header("Transfer-Encoding")) {
    return {411, "Transfer-Encoding " + quoted(req.get_header_value("Transfer-Encoding"), 40) +
                     " is not accepted; send the body with a Content-Length"};
  }
  if (req.has_header("Content-Length")) {
    const std::string length = req.get_header_value("Content-Length");
    if (length.empty() || length.find_first_not_of("0123456789") != std::string::npos) {
      return {400, "Content-Length " + quoted(length, 40) + " is not a number of bytes"};
    }
    const size_t most = api.max_body(req.method, req.path);
    if (length.size() > 19 || std::stoull(length) > most) {
      return {413, fmt::format("the body has {} bytes; at most {}", length.substr(0, 24), most)};
    }
  }
  if (req.ranges.size() > 1) {
    return {416,
            fmt::format("{} ranges asked for; at most one range is served", req.ranges.size())};
  }
  return {0, ""};
}

}  // namespace

struct DemoServer::Impl {
  Impl(const DemoApi& a, ServeOptions o, std::ostream& l)
      : api(a),
        options(std::move(o)),
        log(l),
        server(limits(options), [this](const std::string& line) {
          std::lock_guard<std::mutex> lock(log_mutex);
          log << line << std::endl;
        }) {}
  const DemoApi& api;
  ServeOptions options;
  std::ostream& log;
  std::mutex log_mutex;
  GuardedServer server;
  std::atomic<int64_t> requests{0};
  std::mutex stop_mutex;
  std::condition_variable stop_signal;
  bool stopped = false;
  int port = -1;
  socket_t listening = INVALID_SOCKET;

  void answer(const httplib::Request& req, httplib::Response& res) {
    const auto start = std::chrono::steady_clock::now();
    ApiRequest request;
    request.method = req.method;
    request.path = req.path;
    for (const auto& [key, value] : req.params) request.query[key] = value;
    std::string type = req.get_header_value("Content-Type");
    type = type.substr(0, type.find(';'));
    while (!type.empty() && type.back() == ' ') type.pop_back();
    request.content_type = type;
    request.body = req.body;
    const ApiReply reply = api.handle(request);
    res.status = reply.status;
    if (!reply.allow.empty()) res.set_header("Allow", reply.allow);
    res.set_header("Cache-Control", "no-store");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_content(reply.body, reply.content_type.c_str());
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    const int64_t n = ++requests;
    if (options.log_requests || reply.status >= 400) {
      std::string line = fmt::format("{} {} {} {} {:.1f} ms", req.remote_addr, req.method,
                                     quoted(req.path, 80), reply.status, ms);
      if (reply.status >= 400) line += " " + reply.body;
      std::lock_guard<std::mutex> lock(log_mutex);
      log << line << std::endl;
    }
    if (options.max_requests > 0 && n >= options.max_requests) request_stop();
  }

  // An error answered before the API saw the request (httplib's own, or a
  // refusal before the body is read): a JSON body, and one log line.
  void refuse(const httplib::Request& req, httplib::Response& res, int status,
              const std::string& message) {
    const ApiReply reply = error_reply(status, message);
    res.status = status;
    res.set_content(reply.body, reply.content_type.c_str());
    std::lock_guard<std::mutex> lock(log_mutex);
    log << req.remote_addr << " " << req.method << " " << quoted(req.path, 80) << " " << status
        << " " << reply.body << std::endl;
  }

  static ConnectionLimits limits(const ServeOptions& o) {
    NNN_CHECK(o.client_connections >= 1 && o.client_connections <= 4096,
              "serve: connections per client must be 1 to 4096; got ", o.client_connections);
    NNN_CHECK(
        std::isfinite(o.request_seconds) && o.request_seconds > 0 && o.request_seconds <= 3600,
        "serve: the request timeout must be more than 0 and at most 3600 s; got ",
        o.request_seconds);
    ConnectionLimits l;
    l.per_client = static_cast<size_t>(o.client_connections);
    l.request_seconds = o.request_seconds;
    return l;
  }

  void request_stop() {
    {
      std::lock_guard<std::mutex> lock(stop_mutex);
      stopped = true;
    }
    stop_signal.notify_all();
    server.stop();
  }
};

DemoServer::DemoServer(const DemoApi& api, ServeOptions options, std::ostream& log)
    : impl_(std::make_unique<Impl>(api, std::move(options), log)) {
  Impl& s = *impl_;
  NNN_CHECK(s.options.threads >= 1 && s.options.threads <= 4096,
            "serve: threads must be 1 to 4096; got ", s.options.threads);
  const auto most = static_cast<size_t>(s.options.threads);
  s.server.new_task_queue = [most] { return new ConnectionThreads(most); };
  // SO_REUSEADDR only: httplib's default also sets SO_REUSEPORT, with which a
  // second server binds a port already in use and silently shares it.
  s.server.set_socket_options([&s](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    s.listening = sock;
  });
  // Replies go out at once: without TCP_NODELAY a keep-alive client waits
  // for the delayed ACK (~40 ms per request, measured with wrk).
  s.server.set_tcp_nodelay(true);
  s.server.set_payload_max_length(std::max(api.max_body("POST", "/api/videos"), DemoApi::kMaxBody));
  // Bodies are bounded while they arrive: what a request announces is
  // checked before httplib reads its body (compressed or chunked bodies
  // would be expanded or buffered whole first).
  s.server.set_pre_routing_handler([&s](const httplib::Request& req, httplib::Response& res) {
    const auto [status, message] = refusal(req, s.api);
    if (status == 0) return httplib::Server::HandlerResponse::Unhandled;
    res.set_header("Connection", "close");  // the unread body must not become a request
    s.refuse(req, res, status, message);
    return httplib::Server::HandlerResponse::Handled;
  });
  auto handler = [&s](const httplib::Request& req, httplib::Response& res) { s.answer(req, res); };
  // Every path and method reaches the API, which routes and answers 404 and 405.
  const char* any = ".*";
  s.server.Get(any, handler);
  s.server.Post(any, handler);
  s.server.Put(any, handler);
  s.server.Delete(any, handler);
  s.server.Patch(any, handler);
  s.server.Options(any, handler);
  // What httplib answers itself (a body over the limit, a bad request line)
  // gets a JSON body too.
  s.server.set_error_handler([&s](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    const std::string message = res.status == 413
                                    ? fmt::format("the body is over the limit of {} bytes",
                                                  s.api.max_body(req.method, req.path))
                                    : fmt::format("HTTP {}", res.status);
    s.refuse(req, res, res.status, message);
  });
  s.server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        const ApiReply reply = error_reply(500, "internal error");
        res.status = 500;
        res.set_content(reply.body, reply.content_type.c_str());
      });
}

DemoServer::~DemoServer() { stop(); }

int DemoServer::bind() {
  Impl& s = *impl_;
  NNN_CHECK(s.options.port >= 0 && s.options.port <= 65535,
            "serve: the port must be 0 to 65535; got ", s.options.port);
  errno = 0;
  if (s.options.port == 0) {
    s.port = s.server.bind_to_any_port(s.options.host);
  } else {
    s.port = s.server.bind_to_port(s.options.host, s.options.port) ? s.options.port : -1;
  }
  const int error = errno;
  // Debian's compiled cpp-httplib listens with a backlog of 5: under a burst
  // of connections (an attack, or many clients at once) the kernel drops
  // SYNs and an honest client waits a second for its retransmission. Listen
  // again on the same socket with a real backlog.
  if (s.port > 0 && s.listening != INVALID_SOCKET) ::listen(s.listening, kListenBacklog);
  NNN_CHECK(s.port > 0, "serve: cannot listen on ", quoted(s.options.host, 64), " port ",
            s.options.port, error != 0 ? std::string(" (") + std::strerror(error) + ")" : "",
            ": is another server using it, or is the host not an address of this machine? Pick "
            "another with --host/--port (--port 0: any free port)");
  return s.port;
}

int64_t DemoServer::run() {
  Impl& s = *impl_;
  NNN_CHECK(s.port > 0, "serve: run() before bind()");
  std::thread timer;
  if (s.options.max_seconds > 0) {
    timer = std::thread([&s] {
      std::unique_lock<std::mutex> lock(s.stop_mutex);
      const auto limit = std::chrono::duration<double>(s.options.max_seconds);
      if (!s.stop_signal.wait_for(lock, limit, [&s] { return s.stopped; })) {
        lock.unlock();
        s.request_stop();
      }
    });
  }
  {
    std::lock_guard<std::mutex> lock(s.stop_mutex);
    if (s.stopped) return 0;
  }
  s.server.listen_after_bind();
  {
    std::lock_guard<std::mutex> lock(s.stop_mutex);
    s.stopped = true;
  }
  s.stop_signal.notify_all();
  if (timer.joinable()) timer.join();
  return s.requests.load();
}

void DemoServer::stop() {
  if (impl_) impl_->request_stop();
}

}  // namespace nnn
