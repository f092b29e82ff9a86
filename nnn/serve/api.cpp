// Routing, request parsing and error replies of the demo API.
#include "nnn/serve/api.h"

#include <cmath>
#include <limits>

#include "nnn/core/user_message.h"
#include "nnn/data/digit_image.h"
#include "nnn/data/image_file.h"
#include "nnn/data/pgm.h"
#include "nnn/serve/assets.h"
#include "nnn/serve/label_service.h"
#include "nnn/serve/served_run.h"
#include "nnn/util/error.h"
#include "nnn/util/numbers.h"

namespace nnn {

namespace {

constexpr size_t kPixels = 28 * 28;

// An error that is the request's fault, with its status.
struct HttpError : Error {
  HttpError(int s, const std::string& message, std::string allowed = "")
      : Error(message), status(s), allow(std::move(allowed)) {}
  int status;
  std::string allow;  // a 405's Allow header
};

[[noreturn]] void fail(int status, const std::string& message) { throw HttpError(status, message); }

// 405 unless the request uses `method` (HEAD may stand for GET).
void require_method(const ApiRequest& request, const std::string& method) {
  if (request.method == method || (method == "GET" && request.method == "HEAD")) return;
  throw HttpError(405, "use " + method + " for " + request.path,
                  method == "GET" ? "GET, HEAD" : method);
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 1;
  while (start <= path.size()) {
    const size_t end = path.find('/', start);
    const size_t stop = end == std::string::npos ? path.size() : end;
    if (stop > start) parts.push_back(path.substr(start, stop - start));
    start = stop + 1;
  }
  return parts;
}

// The deepest nesting of [ and { outside strings.
int json_depth(const std::string& body) {
  int depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
      if (deepest > DemoApi::kMaxJsonDepth) return deepest;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

// The Content-Types an image body may have.
bool is_image_type(const std::string& type) {
  return type == "image/png" || type == "image/jpeg" || type == "image/bmp" ||
         type == "image/x-portable-graymap";
}

Json parse_json_body(const ApiRequest& request) {
  if (request.content_type != "application/json") {
    fail(415,
         "expected a JSON body (Content-Type: application/json) or an image (image/png, "
         "image/jpeg, image/bmp, image/x-portable-graymap); got " +
             (request.content_type.empty() ? std::string("none")
                                           : quoted(request.content_type, 40)));
  }
  if (json_depth(request.body) > DemoApi::kMaxJsonDepth) {
    fail(400, "malformed JSON: nested deeper than " + std::to_string(DemoApi::kMaxJsonDepth));
  }
  Json json;
  try {
    json = Json::parse(request.body);
  } catch (const nlohmann::json::parse_error& e) {
    fail(400, "malformed JSON at byte " + std::to_string(e.byte) + " of the body");
  } catch (const nlohmann::json::exception&) {
    fail(400, "malformed JSON: a number out of range (e.g. 1e999: not a finite number)");
  }
  if (!json.is_object()) fail(400, "expected a JSON object");
  return json;
}

// 784 (or `size`) numbers in [0, 1]; `where` names them in errors.
std::vector<float> pixel_array(const Json& json, const std::string& where, size_t size = kPixels) {
  if (!json.is_array())
    fail(400, where + ": expected an array of " + std::to_string(size) + " numbers");
  if (json.size() != size) {
    fail(400, where + ": expected " + std::to_string(size) + " pixels (28x28), got " +
                  std::to_string(json.size()));
  }
  std::vector<float> pixels(size);
  for (size_t i = 0; i < size; ++i) {
    const Json& v = json[i];
    if (!v.is_number()) fail(400, where + "[" + std::to_string(i) + "]: expected a number");
    const double d = v.get<double>();
    if (!std::isfinite(d)) fail(400, where + "[" + std::to_string(i) + "]: not a finite number");
    if (d < 0 || d > 1) {
      fail(400, where + "[" + std::to_string(i) + "]: expected a number in [0, 1], got " +
                    std::to_string(d));
    }
    pixels[i] = static_cast<float>(d);
  }
  return pixels;
}

// An integer member in [lo, hi], or `fallback` when absent.
int64_t integer(const Json& json, const std::string& key, int64_t fallback, int64_t lo,
                int64_t hi) {
  if (!json.contains(key)) return fallback;
  const Json& v = json.at(key);
  const bool whole =
      v.is_number_integer() ||
      (v.is_number_float() && std::isfinite(v.get<double>()) &&
       std::floor(v.get<double>()) == v.get<double>() && std::fabs(v.get<double>()) < 9e15);
  if (!whole) fail(400, "\"" + key + "\": expected an integer");
  const double d =
      v.is_number_unsigned() ? static_cast<double>(v.get<uint64_t>()) : v.get<double>();
  if (d < static_cast<double>(lo) || d > static_cast<double>(hi)) {
    fail(400, "\"" + key + "\": expected " + std::to_string(lo) + " to " + std::to_string(hi) +
                  ", got " +
                  (v.is_number_unsigned() ? std::to_string(v.get<uint64_t>())
                                          : std::to_string(v.get<int64_t>())));
  }
  return v.is_number_unsigned() ? static_cast<int64_t>(v.get<uint64_t>()) : v.get<int64_t>();
}

// A decimal integer in [lo, hi] given as text; `what` names it in errors.
int64_t integer_text(const std::string& text, const std::string& what, int64_t lo, int64_t hi) {
  if (text.empty() || text.size() > 9 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    fail(400, what + ": expected an integer, got " + quoted(text, 20));
  }
  const int64_t v = std::stoll(text);
  if (v < lo || v > hi) {
    fail(400,
         what + ": expected " + std::to_string(lo) + " to " + std::to_string(hi) + ", got " + text);
  }
  return v;
}

int64_t query_integer(const ApiRequest& request, const std::string& key, int64_t fallback,
                      int64_t lo, int64_t hi) {
  const auto it = request.query.find(key);
  return it == request.query.end() ? fallback : integer_text(it->second, "query " + key, lo, hi);
}

// The frames of a predict request: a PGM body or JSON pixels/frames.
DigitFrames request_frames(const ApiRequest& request, bool* plate) {
  const int64_t k = query_integer(request, "plate", 0, 1, DemoLimits::kMaxPlateDigits);
  *plate = k > 0;
  if (is_image_type(request.content_type)) {
    // A bad image is an nnn::Error naming the body: handle() answers 400.
    // Its format is told by its bytes (decode_image), not by the type.
    const std::string name = "the request body";
    return {frame_digits(decode_image(request.body, name), k, name)};
  }
  const Json json = parse_json_body(request);
  if (json.contains("pixels")) return {{pixel_array(json.at("pixels"), "pixels")}};
  if (!json.contains("frames")) fail(400, "expected \"pixels\" [784] or \"frames\" [[784], ...]");
  const Json& frames = json.at("frames");
  if (!frames.is_array() || frames.empty() ||
      frames.size() > static_cast<size_t>(DemoLimits::kMaxFrames)) {
    fail(400,
         "frames: expected an array of 1 to " + std::to_string(DemoLimits::kMaxFrames) + " frames");
  }
  DigitFrames out;
  for (size_t f = 0; f < frames.size(); ++f) {
    const Json& frame = frames[f];
    const std::string where = "frames[" + std::to_string(f) + "]";
    if (!frame.is_array() || frame.empty()) fail(400, where + ": expected an array");
    std::vector<std::vector<float>> digits;
    if (frame[0].is_array()) {  // a plate: K digits
      if (frame.size() > static_cast<size_t>(DemoLimits::kMaxPlateDigits)) {
        fail(400, where + ": at most " + std::to_string(DemoLimits::kMaxPlateDigits) + " digits");
      }
      for (size_t d = 0; d < frame.size(); ++d) {
        digits.push_back(pixel_array(frame[d], where + "[" + std::to_string(d) + "]"));
      }
      *plate = true;
    } else {
      digits.push_back(pixel_array(frame, where));
    }
    if (!out.empty() && digits.size() != out[0].size()) {
      fail(400, where + ": " + std::to_string(digits.size()) + " digits, but frames[0] has " +
                    std::to_string(out[0].size()));
    }
    out.push_back(std::move(digits));
  }
  return out;
}

// JSON text; bytes that are not UTF-8 (a request's path, a run's directory
// name) become U+FFFD instead of an exception.
std::string json_text(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

ApiReply json_reply(const Json& json) { return {200, "application/json", json_text(json), ""}; }

ApiReply run_reply(ServedRun& run, const std::vector<std::string>& parts, const ApiRequest& request,
                   size_t index) {
  const auto require = [&](const char* method) { require_method(request, method); };
  if (parts.size() == 3) {
    require("GET");
    Json info = run.info();
    info["index"] = index;
    return json_reply(info);
  }
  const std::string& what = parts[3];
  if (what == "digits" && parts.size() == 5) {
    require("GET");
    if (run.test_count() == 0) fail(409, run.test_data_error());
    const int64_t i = integer_text(parts[4], "test digit", 0, 999999999);
    if (i >= run.test_count()) {
      fail(404, "test digit " + std::to_string(i) + " does not exist; the run has " +
                    std::to_string(run.test_count()));
    }
    int64_t label = 0;
    const auto pixels = run.test_digit(i, &label);
    return json_reply({{"index", i}, {"label", label}, {"pixels", pixels_json(pixels)}});
  }
  if (parts.size() != 4) fail(404, "no such endpoint: " + quoted(request.path, 80));
  if (what == "lesions") {
    require("GET");
    if (run.test_count() == 0) fail(409, run.test_data_error());
    return json_reply(run.lesions());
  }
  if (what == "predict") {
    require("POST");
    bool plate = false;
    const DigitFrames frames = request_frames(request, &plate);
    return json_reply(run.predict(frames, plate));
  }
  if (what == "trace") {
    require("POST");
    bool plate = false;
    const DigitFrames frames = request_frames(request, &plate);
    if (frames.size() != 1 || frames[0].size() != 1) {
      fail(400, "trace reads one digit in one frame");
    }
    return json_reply(run.trace(frames[0][0]));
  }
  if (what == "frames") {
    require("POST");
    const Json json = parse_json_body(request);
    const int64_t count = integer(json, "frames", run.default_frames(), 1, run.max_frames());
    const auto seed = static_cast<uint64_t>(integer(json, "seed", 0, 0, int64_t{1} << 53));
    std::vector<float> clean;
    Json label = nullptr, digit = nullptr;
    if (json.contains("pixels")) {
      clean = pixel_array(json.at("pixels"), "pixels");
    } else if (json.contains("index") || json.contains("class")) {
      if (run.test_count() == 0) fail(409, run.test_data_error());
      int64_t i = 0;
      if (json.contains("class")) {
        const std::vector<int64_t> counts = run.test_class_counts();
        const auto classes = static_cast<int64_t>(counts.size());
        const int64_t c = integer(json, "class", 0, 0, classes - 1);
        const int64_t n = counts[static_cast<size_t>(c)];
        if (n == 0) fail(404, "class " + std::to_string(c) + " has no test digits");
        i = run.test_index_of_class(c, integer(json, "nth", 0, 0, n - 1));
      } else {
        i = integer(json, "index", 0, 0, run.test_count() - 1);
      }
      int64_t l = 0;
      clean = run.test_digit(i, &l);
      label = l;
      digit = i;
    } else {
      fail(400, "expected \"class\" (and \"nth\"), \"index\" (a test digit) or \"pixels\" [784]");
    }
    Json out = run.frames(clean, count, seed);
    out["label"] = label;
    out["index"] = digit;
    return json_reply(out);
  }
  if (what == "plate") {
    require("POST");
    const Json json = parse_json_body(request);
    if (run.test_count() == 0) fail(409, run.test_data_error());
    const int64_t digits = integer(json, "digits", 4, 1, DemoLimits::kMaxPlateDigits);
    const int64_t count = integer(json, "frames", run.default_frames(), 1, run.max_frames());
    const auto seed = static_cast<uint64_t>(integer(json, "seed", 0, 0, int64_t{1} << 53));
    return json_reply(run.plate(digits, count, seed));
  }
  fail(404, "no such endpoint: " + quoted(request.path, 80));
}

// A finite number member within +-1e6; `where` names it in errors.
double coordinate(const Json& v, const std::string& where) {
  if (!v.is_number()) fail(400, where + ": expected a number");
  const double d = v.get<double>();
  if (!std::isfinite(d) || std::fabs(d) > 1e6) {
    fail(400, where + ": expected a finite number within +-1e6");
  }
  return d;
}

// The Label tab's request: keys, digits, frames, tracker and (`save`) plate.
LabelRequest label_request(const ApiRequest& request, const LabelVideo& video, bool save) {
  const Json json = parse_json_body(request);
  LabelRequest out;
  if (json.contains("tracker")) {
    const Json& t = json.at("tracker");
    if (!t.is_string() || t.get<std::string>().empty() || t.get<std::string>().size() > 16) {
      fail(400, "\"tracker\": expected a tracker's name (nnn, csrt, kcf or mil)");
    }
    out.tracker = t.get<std::string>();
  }
  if (json.contains("plate")) {
    const Json& p = json.at("plate");
    if (!p.is_string() || p.get<std::string>().empty() || p.get<std::string>().size() > 12 ||
        !all_digits(p.get<std::string>())) {
      fail(400, "\"plate\": expected the plate's reading, 1 to 12 digits 0-9" +
                    (p.is_string() ? ", got " + quoted(p.get<std::string>(), 20) : std::string()));
    }
    out.plate = p.get<std::string>();
  } else if (save) {
    fail(400, "\"plate\": the plate's reading is needed to save its digits");
  }
  const int64_t plate_digits = static_cast<int64_t>(out.plate.size());
  out.digits =
      integer(json, "digits", plate_digits > 0 ? plate_digits : 4, 1, DemoLimits::kMaxPlateDigits);
  if (plate_digits > 0 && out.digits != plate_digits) {
    fail(400, "\"digits\" is " + std::to_string(out.digits) + " but the plate " +
                  quoted(out.plate, 20) + " has " + std::to_string(plate_digits));
  }
  const int64_t most = std::min<int64_t>(LabelLimits::kMaxSampleFrames, video.frames);
  out.frames = integer(json, "frames", std::min<int64_t>(6, most), 1, most);
  if (json.contains("keys")) {
    const Json& keys = json.at("keys");
    if (!keys.is_array() || keys.size() > static_cast<size_t>(video.frames)) {
      fail(400, "\"keys\": expected an array of at most " + std::to_string(video.frames) +
                    " boxes (one per frame)");
    }
    for (size_t i = 0; i < keys.size(); ++i) {
      const std::string where = "keys[" + std::to_string(i) + "]";
      const Json& key = keys[i];
      if (!key.is_object() || !key.contains("frame") || !key.contains("box")) {
        fail(400, where + ": expected {\"frame\": N, \"box\": [x, y, w, h]}");
      }
      LabelKey k;
      try {
        k.frame = integer(key, "frame", 1, 1, video.frames) - 1;
      } catch (const HttpError& e) {
        fail(400, where + "." + e.what());
      }
      if (!out.keys.empty() && k.frame <= out.keys.back().frame) {
        fail(400, where + ": frame " + std::to_string(k.frame + 1) + " must come after frame " +
                      std::to_string(out.keys.back().frame + 1) + " (one box per frame, in order)");
      }
      const Json& box = key.at("box");
      if (!box.is_array() || box.size() != 4) fail(400, where + ".box: expected [x, y, w, h]");
      k.x = coordinate(box[0], where + ".box[0]");
      k.y = coordinate(box[1], where + ".box[1]");
      k.w = coordinate(box[2], where + ".box[2]");
      k.h = coordinate(box[3], where + ".box[3]");
      if (k.w <= 0 || k.h <= 0) fail(400, where + ".box: the width and height must be positive");
      out.keys.push_back(k);
    }
  }
  return out;
}

// The Content-Types a video upload may have.
bool is_video_type(const std::string& type) {
  return type.rfind("video/", 0) == 0 || type == "application/octet-stream";
}

// Routes under /api/videos (the Label tab).
ApiReply video_reply(LabelService* labels, const std::vector<std::string>& parts,
                     const ApiRequest& request) {
  if (labels == nullptr) {
    fail(404,
         "labelling is off: start nnn serve with --label-out DATASET (and --videos DIR to open "
         "videos from a folder)");
  }
  const auto require = [&](const char* method) { require_method(request, method); };
  if (parts.size() == 2) {
    if (request.method == "POST") {
      if (!is_video_type(request.content_type)) {
        fail(415,
             "expected a video file's bytes (Content-Type: video/mp4, video/x-matroska, "
             "video/x-msvideo, ... or application/octet-stream); got " +
                 (request.content_type.empty() ? std::string("none")
                                               : quoted(request.content_type, 40)));
      }
      if (request.body.empty()) fail(400, "the upload is empty: expected a video file's bytes");
      const auto it = request.query.find("name");
      std::string name = it == request.query.end() ? "upload" : it->second;
      if (name.size() > 200) fail(400, "query name: at most 200 characters");
      return json_reply(labels->open_upload(request.body, name));
    }
    require("GET");
    return json_reply(labels->listing());
  }
  if (parts.size() == 3 && parts[2] == "open") {
    require("POST");
    const Json json = parse_json_body(request);
    if (!json.contains("name") || !json.at("name").is_string()) {
      fail(400, "expected {\"name\": a video listed by GET /api/videos}");
    }
    const std::string name = json.at("name").get<std::string>();
    if (name.size() > 4096) fail(400, "\"name\": at most 4096 characters");
    auto info = labels->open_served(name);
    if (!info)
      fail(404,
           "no video " + quoted(name, 80) + " in the served folder (GET /api/videos lists them)");
    return json_reply(*info);
  }
  const std::string& id = parts[2];
  const auto video = labels->video(id);
  if (!video) {
    fail(404, "no open video " + quoted(id, 20) + " (closed after " +
                  std::to_string(LabelLimits::kOpenVideos) +
                  " newer ones were opened, or never opened): open it again");
  }
  if (parts.size() == 5 && parts[3] == "frames") {
    require("GET");
    const int64_t n = integer_text(parts[4], "frame", 1, 999999999);
    if (n > video->frames) {
      fail(404, "frame " + std::to_string(n) + " does not exist; the video has frames 1 to " +
                    std::to_string(video->frames));
    }
    return {200, "image/png", labels->frame_png(id, n - 1), ""};
  }
  if (parts.size() == 4 && parts[3] == "track") {
    require("POST");
    return json_reply(labels->track(id, label_request(request, *video, false)));
  }
  if (parts.size() == 4 && parts[3] == "label") {
    require("POST");
    return json_reply(labels->save(id, label_request(request, *video, true)));
  }
  fail(404, "no such endpoint: " + quoted(request.path, 80));
}

// Routes under /api/training (the Training tab).
ApiReply training_reply(const TrainingService* training, const std::vector<std::string>& parts,
                        const ApiRequest& request) {
  if (training == nullptr) fail(404, "no training runs are served");
  require_method(request, "GET");
  if (parts.size() == 2) return json_reply(training->runs());
  if (parts.size() == 3 && parts[2] == "run") {
    const auto it = request.query.find("name");
    if (it == request.query.end() || it->second.empty() || it->second.size() > 4096) {
      fail(400, "query name: expected a run's name as GET /api/training lists it");
    }
    auto curves = training->curves(it->second);
    if (!curves) {
      fail(404, "no run " + quoted(it->second, 80) + " is served (GET /api/training lists them)");
    }
    return json_reply(*curves);
  }
  fail(404, "no such endpoint: " + quoted(request.path, 80));
}

}  // namespace

Json pixels_json(const std::vector<float>& pixels) {
  Json out = Json::array();
  for (float v : pixels) out.push_back(std::round(static_cast<double>(v) * 1e4) / 1e4);
  return out;
}

ApiReply error_reply(int status, const std::string& message) {
  return {status, "application/json", json_text(Json{{"error", message}}), ""};
}

DemoApi::DemoApi(std::vector<std::unique_ptr<ServedRun>> runs, std::unique_ptr<LabelService> labels,
                 std::unique_ptr<TrainingService> training)
    : runs_(std::move(runs)), labels_(std::move(labels)), training_(std::move(training)) {}
DemoApi::~DemoApi() = default;

size_t DemoApi::max_body(const std::string& method, const std::string& path) const {
  const bool upload =
      labels_ != nullptr && method == "POST" && (path == "/api/videos" || path == "/api/videos/");
  return upload ? LabelLimits::kMaxUpload : kMaxBody;
}

ApiReply DemoApi::handle(const ApiRequest& request) const {
  try {
    const size_t most = max_body(request.method, request.path);
    if (request.body.size() > most) {
      fail(413, "the body has " + std::to_string(request.body.size()) + " bytes; at most " +
                    std::to_string(most));
    }
    if (const Asset* asset = find_asset(request.path)) {
      require_method(request, "GET");
      return {200, std::string(asset->content_type), std::string(asset->body), ""};
    }
    const auto parts = split_path(request.path);
    if (parts.size() >= 2 && parts[0] == "api" && parts[1] == "videos") {
      return video_reply(labels_.get(), parts, request);
    }
    if (parts.size() >= 2 && parts[0] == "api" && parts[1] == "training") {
      return training_reply(training_.get(), parts, request);
    }
    if (parts.size() < 2 || parts[0] != "api" || parts[1] != "runs") {
      fail(404, "no such page: " + quoted(request.path, 80));
    }
    if (parts.size() == 2) {
      require_method(request, "GET");
      Json list = Json::array();
      for (size_t i = 0; i < runs_.size(); ++i) {
        const Json& info = runs_[i]->info();
        list.push_back({{"index", i},
                        {"name", runs_[i]->name()},
                        {"steps", info.at("steps")},
                        {"cells", info.at("wiring").at("cells")},
                        {"parameters", info.at("parameters")},
                        {"feed", info.at("feed")}});
      }
      return json_reply({{"runs", std::move(list)}});
    }
    // A run by index or by name.
    const std::string& id = parts[2];
    size_t index = runs_.size();
    if (!id.empty() && id.size() <= 6 && id.find_first_not_of("0123456789") == std::string::npos) {
      index = static_cast<size_t>(std::stoul(id));
    } else {
      for (size_t i = 0; i < runs_.size(); ++i) {
        if (runs_[i]->name() == id) index = i;
      }
    }
    if (index >= runs_.size()) {
      fail(404, "no run " + quoted(id, 40) + "; runs: 0 to " + std::to_string(runs_.size() - 1) +
                    " (GET /api/runs lists them)");
    }
    return run_reply(*runs_[index], parts, request, index);
  } catch (const HttpError& e) {
    ApiReply reply = error_reply(e.status, e.what());
    reply.allow = e.allow;
    return reply;
  } catch (const Error& e) {
    // The library refused what the request asked (e.g. more frames than steps).
    return error_reply(400, e.what());
  } catch (const std::exception& e) {
    return error_reply(500, user_message(e));
  }
}

}  // namespace nnn
