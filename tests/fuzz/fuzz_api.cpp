// The web demo's API handler (nnn/serve/api.h), the Label tab's routes
// included (over a stand-in desk): a request in, a reply out,
// no sockets. Input: "METHOD PATH[?QUERY]\nCONTENT-TYPE\nBODY". The runs are
// stand-ins (no LibTorch) that check what the handler promises to pass
// them: 784 finite pixels in [0, 1] per digit, 1 to 64 frames of the same
// 1 to 12 digits, frame counts within the run's limit, test digits that
// exist. Promises of the handler: it never throws, never answers 5xx, every
// reply of an /api path is one JSON value, every error is {"error": one
// line}, a 405 says which methods are allowed.
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "nnn/serve/api.h"
#include "nnn/serve/label_service.h"
#include "nnn/serve/served_run.h"
#include "nnn/serve/training_service.h"
#include "nnn/util/error.h"

namespace {

using nnn::DemoLimits;
using nnn::Json;

void require_digit(const std::vector<float>& pixels) {
  NNN_FUZZ_REQUIRE(pixels.size() == 784, "a digit of other than 784 pixels reached the run");
  for (float v : pixels) {
    NNN_FUZZ_REQUIRE(std::isfinite(v) && v >= 0 && v <= 1, "a pixel off [0, 1] reached the run");
  }
}

// A run with `steps` steps of a sequence feed and `tests` test digits.
class StandInRun : public nnn::ServedRun {
 public:
  StandInRun(std::string name, int64_t steps, int64_t tests)
      : name_(std::move(name)), steps_(steps), tests_(tests) {
    info_ = {
        {"steps", steps}, {"parameters", 1234}, {"feed", "sequence"}, {"wiring", {{"cells", 3}}}};
    if (tests == 0) error_ = "data.path: no test digits (stand-in)";
  }
  const std::string& name() const override { return name_; }
  const Json& info() const override { return info_; }
  int64_t test_count() const override { return tests_; }
  const std::string& test_data_error() const override { return error_; }
  int64_t default_frames() const override { return 1; }
  int64_t max_frames() const override { return steps_; }

  Json predict(const nnn::DigitFrames& frames, bool plate) override {
    NNN_FUZZ_REQUIRE(
        !frames.empty() && static_cast<int64_t>(frames.size()) <= DemoLimits::kMaxFrames,
        "a frame count off 1..64 reached predict");
    const size_t k = frames[0].size();
    NNN_FUZZ_REQUIRE(k >= 1 && static_cast<int64_t>(k) <= DemoLimits::kMaxPlateDigits,
                     "a digit count off 1..12 reached predict");
    for (const auto& frame : frames) {
      NNN_FUZZ_REQUIRE(frame.size() == k, "frames of different digit counts reached predict");
      for (const auto& digit : frame) require_digit(digit);
    }
    // Like the trained runs: a sequence feed reads at most one frame a step.
    if (static_cast<int64_t>(frames.size()) > steps_) {
      throw nnn::Error(std::to_string(frames.size()) + " frames for " + std::to_string(steps_) +
                       " steps");
    }
    return {{"run", name_}, {"frames", frames.size()}, {"digits", k}, {"plate", plate}};
  }
  Json trace(const std::vector<float>& digit) override {
    require_digit(digit);
    return {{"run", name_}, {"edges", Json::array()}};
  }
  Json frames(const std::vector<float>& clean, int64_t count, uint64_t seed) override {
    require_digit(clean);
    NNN_FUZZ_REQUIRE(count >= 1 && count <= steps_,
                     "a frame count off 1..max_frames reached frames");
    return {{"frames", count}, {"seed", seed}};
  }
  std::vector<float> test_digit(int64_t index, int64_t* label) const override {
    NNN_FUZZ_REQUIRE(index >= 0 && index < tests_,
                     "a test digit that does not exist was asked for");
    *label = index % 10;
    return std::vector<float>(784, static_cast<float>(index) / static_cast<float>(tests_));
  }
  // Labels are index % 10, as test_digit() says.
  std::vector<int64_t> test_class_counts() const override {
    std::vector<int64_t> counts;
    for (int64_t c = 0; c < 10 && tests_ > 0; ++c) counts.push_back((tests_ - c + 9) / 10);
    return counts;
  }
  int64_t test_index_of_class(int64_t cls, int64_t nth) const override {
    NNN_FUZZ_REQUIRE(cls >= 0 && cls < 10 && nth >= 0 && cls + 10 * nth < tests_,
                     "a test digit of a class that does not have it was asked for");
    return cls + 10 * nth;
  }
  Json plate(int64_t digits, int64_t count, uint64_t seed) override {
    NNN_FUZZ_REQUIRE(tests_ > 0, "a plate was asked of a run without test digits");
    NNN_FUZZ_REQUIRE(digits >= 1 && digits <= DemoLimits::kMaxPlateDigits,
                     "a digit count off 1..12 reached plate");
    NNN_FUZZ_REQUIRE(count >= 1 && count <= steps_,
                     "a frame count off 1..max_frames reached plate");
    return {{"digits", digits}, {"frames", count}, {"seed", seed}};
  }
  Json lesions() override {
    NNN_FUZZ_REQUIRE(tests_ > 0, "lesions asked of a run without test digits");
    return {{"samples", tests_}, {"edges", Json::array()}};
  }

 private:
  std::string name_, error_;
  int64_t steps_, tests_;
  Json info_;
};

// A labelling desk holding one open video "1" of 8 frames, serving the
// folder video "clip.mp4"; it checks what the API promises to pass it.
class StandInDesk : public nnn::LabelService {
 public:
  Json listing() const override { return {{"videos", {"clip.mp4"}}, {"open", Json::array()}}; }
  std::optional<Json> open_served(const std::string& name) override {
    if (name != "clip.mp4") return std::nullopt;
    return Json{{"id", "1"}, {"frames", kFrames}};
  }
  Json open_upload(const std::string& bytes, const std::string& name) override {
    NNN_FUZZ_REQUIRE(!bytes.empty() && bytes.size() <= nnn::LabelLimits::kMaxUpload,
                     "an empty or oversized upload reached the desk");
    NNN_FUZZ_REQUIRE(name.size() <= 200, "an upload name over 200 characters reached the desk");
    // Like the real desk: bytes that are not a video are refused.
    throw nnn::Error("the uploaded video: not a video file (stand-in)");
  }
  std::optional<nnn::LabelVideo> video(const std::string& id) const override {
    if (id != "1") return std::nullopt;
    return nnn::LabelVideo{"1", kFrames, 320, 240};
  }
  std::string frame_png(const std::string& id, int64_t frame) const override {
    NNN_FUZZ_REQUIRE(id == "1" && frame >= 0 && frame < kFrames,
                     "a frame off the video reached frame_png");
    return "PNG";
  }
  Json track(const std::string& id, const nnn::LabelRequest& request) override {
    require(id, request, false);
    return {{"steps", kFrames}};
  }
  Json save(const std::string& id, const nnn::LabelRequest& request) override {
    require(id, request, true);
    return {{"samples", request.plate.size()}};
  }

 private:
  static constexpr int64_t kFrames = 8;
  static void require(const std::string& id, const nnn::LabelRequest& r, bool save) {
    NNN_FUZZ_REQUIRE(id == "1", "a video that is not open reached the desk");
    NNN_FUZZ_REQUIRE(r.digits >= 1 && r.digits <= 12, "a digit count off 1..12 reached the desk");
    NNN_FUZZ_REQUIRE(r.frames >= 1 && r.frames <= kFrames, "a sample frame count off 1..F");
    NNN_FUZZ_REQUIRE(!r.tracker.empty() && r.tracker.size() <= 16, "a tracker name off 1..16");
    if (save || !r.plate.empty()) {
      NNN_FUZZ_REQUIRE(static_cast<int64_t>(r.plate.size()) == r.digits,
                       "a plate whose length is not the digit count reached the desk");
      for (char c : r.plate) NNN_FUZZ_REQUIRE(c >= '0' && c <= '9', "a plate that is not digits");
    }
    for (size_t i = 0; i < r.keys.size(); ++i) {
      const nnn::LabelKey& k = r.keys[i];
      NNN_FUZZ_REQUIRE(k.frame >= 0 && k.frame < kFrames, "a key frame off the video");
      NNN_FUZZ_REQUIRE(i == 0 || k.frame > r.keys[i - 1].frame, "key frames out of order");
      NNN_FUZZ_REQUIRE(std::isfinite(k.x) && std::isfinite(k.y) && std::isfinite(k.w) &&
                           std::isfinite(k.h) && k.w > 0 && k.h > 0,
                       "a key box that is not finite or has no area");
    }
  }
};

// The Training tab's source: one run, "runs/a".
class StandInTraining : public nnn::TrainingService {
 public:
  Json runs() const override { return {{"runs", {{{"name", "runs/a"}}}}}; }
  std::optional<Json> curves(const std::string& name) const override {
    NNN_FUZZ_REQUIRE(!name.empty() && name.size() <= 4096, "a run name off 1..4096 characters");
    if (name != "runs/a") return std::nullopt;
    return Json{{"name", name}, {"rows", Json::array()}};
  }
};

const nnn::DemoApi& api() {
  static const nnn::DemoApi instance = [] {
    std::vector<std::unique_ptr<nnn::ServedRun>> runs;
    runs.push_back(std::make_unique<StandInRun>("digits", 4, 10));
    runs.push_back(std::make_unique<StandInRun>("no-data", 64, 0));
    return nnn::DemoApi(std::move(runs), std::make_unique<StandInDesk>(),
                        std::make_unique<StandInTraining>());
  }();
  return instance;
}

// "METHOD PATH?a=1&b=2\nTYPE\nBODY" as httplib hands it over (query split,
// not decoded).
nnn::ApiRequest request_of(const std::string& input) {
  nnn::ApiRequest request;
  const size_t line1 = input.find('\n');
  const std::string first = input.substr(0, line1);
  const size_t space = first.find(' ');
  request.method = first.substr(0, space);
  std::string target = space == std::string::npos ? "" : first.substr(space + 1);
  const size_t mark = target.find('?');
  if (mark != std::string::npos) {
    std::string query = target.substr(mark + 1);
    target.resize(mark);
    size_t start = 0;
    while (start <= query.size()) {
      const size_t amp = std::min(query.find('&', start), query.size());
      const std::string pair = query.substr(start, amp - start);
      const size_t eq = pair.find('=');
      request.query[pair.substr(0, eq)] = eq == std::string::npos ? "" : pair.substr(eq + 1);
      start = amp + 1;
    }
  }
  request.path = target;
  if (line1 == std::string::npos) return request;
  const size_t line2 = input.find('\n', line1 + 1);
  request.content_type = input.substr(line1 + 1, line2 - line1 - 1);
  if (line2 != std::string::npos) request.body = input.substr(line2 + 1);
  return request;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const nnn::ApiRequest request =
      request_of(std::string(reinterpret_cast<const char*>(data), size));
  const nnn::ApiReply reply = api().handle(request);
  const int s = reply.status;
  NNN_FUZZ_REQUIRE(s == 200 || s == 400 || s == 404 || s == 405 || s == 409 || s == 413 || s == 415,
                   "a status off the documented ones (5xx: the handler failed)");
  NNN_FUZZ_REQUIRE(!reply.body.empty(), "an empty reply");
  NNN_FUZZ_REQUIRE(s != 405 || !reply.allow.empty(), "a 405 without Allow");
  if (reply.content_type != "application/json") {
    NNN_FUZZ_REQUIRE(s == 200, "an error reply that is not JSON");
    return 0;  // one of the page's files
  }
  const Json json = Json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
  NNN_FUZZ_REQUIRE(!json.is_discarded() && json.is_object(), "a reply that is not a JSON object");
  if (s >= 400) {
    NNN_FUZZ_REQUIRE(json.size() == 1 && json.contains("error") && json["error"].is_string(),
                     "an error reply that is not {\"error\": text}");
    nnn_fuzz::require_one_line(json["error"].get<std::string>());
  }
  return 0;
}
