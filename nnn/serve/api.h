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
//   GET  /api/runs/RUN/lesions     each edge cut and each cell silenced: accuracy per step
//
// The Label tab (on with `nnn serve --label-out DATASET`; label_service.h):
//
//   GET  /api/videos               the served folder's videos, the open ones, the dataset
//   POST /api/videos?name=FILE     a video file's bytes (video/*, application/octet-stream;
//                                  up to LabelLimits::kMaxUpload): opened, its info
//   POST /api/videos/open          JSON {"name": a listed video}: opened, its info
//   GET  /api/videos/ID/frames/N   frame N (1-based) as a PNG
//   POST /api/videos/ID/track      JSON {"keys": [{"frame": N, "box": [x, y, w, h]}, ...],
//                                  "digits": K, "frames": F, "tracker": "nnn"}
//   POST /api/videos/ID/label      the same with "plate": "6892": the K samples saved
//
// The Training tab (training_service.h):
//
//   GET  /api/training             the runs: name, status, epochs done and planned
//   GET  /api/training/run?name=N  one run's curves: per epoch the losses, the
//                                  per-step test accuracy, lr, samples/s
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

#include "nnn/serve/label_service.h"
#include "nnn/serve/training_service.h"

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

  /// `labels`: the Label tab's desk (nullptr: labelling is off, its routes
  /// 404); `training`: the Training tab's runs (nullptr: its routes 404).
  explicit DemoApi(std::vector<std::unique_ptr<ServedRun>> runs,
                   std::unique_ptr<LabelService> labels = nullptr,
                   std::unique_ptr<TrainingService> training = nullptr);
  ~DemoApi();
  /// Never throws: every failure is a reply with an error status.
  ApiReply handle(const ApiRequest& request) const;
  size_t run_count() const { return runs_.size(); }
  /// The largest body a request to `path` may have: kMaxBody, or
  /// LabelLimits::kMaxUpload for a video upload when labelling is on.
  size_t max_body(const std::string& method, const std::string& path) const;

 private:
  std::vector<std::unique_ptr<ServedRun>> runs_;
  std::unique_ptr<LabelService> labels_;
  std::unique_ptr<TrainingService> training_;
};

/// A JSON error reply: {"error": message}.
ApiReply error_reply(int status, const std::string& message);

}  // namespace nnn
