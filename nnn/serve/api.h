// The HTTP API of `nnn serve`, independent of the HTTP library: a request
// (method, path, query, body) in, a status and a body out. The page's
// assets are served here too. Routes (RUN: a run's index or name):
//
//   GET  /                         the page (also /app.js, /style.css)
//   GET  /api/runs                 every run: index, name, steps, cells, parameters
//   GET  /api/runs/RUN             DemoRun::info()
//   GET  /api/runs/RUN/digits/I    test digit I: {"label", "pixels" [784]}
//   POST /api/runs/RUN/predict     JSON {"pixels": [784]} or {"frames": [FRAME, ...]}
//                                  (FRAME: [784], or [[784] x K] for a plate), or
//                                  an 8-bit PGM body (?plate=K: a strip of K digits)
//   POST /api/runs/RUN/trace       JSON {"pixels": [784]} or a PGM body
//   POST /api/runs/RUN/frames      JSON {"index": I | "pixels": [784], "frames": F, "seed": S}
//   POST /api/runs/RUN/plate       JSON {"digits": K, "frames": F, "seed": S}
//
// Errors: a JSON body {"error": "..."} with 400 (malformed JSON, wrong
// sizes, numbers that are not finite or off [0, 1]), 404 (unknown path,
// run or test digit), 405 (wrong method), 409 (the run's test digits could
// not be loaded), 413 (body over the limit), 415 (a body neither JSON nor
// PGM), 500 (anything else, translated to one line). No request names a
// file: runs are the ones the server was started with.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace nnn {

class ServedRun;  // served_run.h

struct ApiRequest {
  std::string method;  // GET, POST, ...
  std::string path;    // without the query
  std::map<std::string, std::string> query;
  std::string content_type;  // without parameters (";charset=...")
  std::string body;
  std::string allow;  // 405: the methods the path takes (the Allow header)
};

struct ApiReply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::string allow;  // 405: the methods the path takes (the Allow header)
};

class DemoApi {
 public:
  /// Largest request body accepted (larger: 413).
  static constexpr size_t kMaxBody = size_t{8} << 20;
  /// Deepest JSON nesting accepted (a plate's frames need 3).
  static constexpr int kMaxJsonDepth = 8;

  explicit DemoApi(std::vector<std::unique_ptr<ServedRun>> runs);
  ~DemoApi();
  /// Never throws: every failure is a reply with an error status.
  ApiReply handle(const ApiRequest& request) const;
  size_t run_count() const { return runs_.size(); }

 private:
  std::vector<std::unique_ptr<ServedRun>> runs_;
};

/// A JSON error reply: {"error": message}.
ApiReply error_reply(int status, const std::string& message);

}  // namespace nnn
