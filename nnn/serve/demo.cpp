// A trained run answering the web demo's questions.
#include "nnn/serve/demo.h"

#include "nnn/data/degrade_fields.h"

#include <fmt/format.h>

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>
#include <torch/types.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <numeric>

#include "nnn/core/user_message.h"
#include "nnn/data/degrade.h"
#include "nnn/data/digit_image.h"
#include "nnn/data/load_data.h"
#include "nnn/data/pgm.h"
#include "nnn/data/plate_readings.h"
#include "nnn/experiments/lesion.h"
#include "nnn/experiments/plates.h"
#include "nnn/experiments/predict.h"
#include "nnn/core/wiring_layout.h"
#include "nnn/train/loaded_run.h"
#include "nnn/train/run_directory.h"
#include "nnn/util/error.h"
#include "nnn/util/files.h"
#include "nnn/util/seeds.h"

namespace nnn {

namespace {

constexpr int64_t kPixels = 28 * 28;

Json wiring_json(const Wiring& wiring) {
  Json edges = Json::array();
  for (int64_t i = 0; i < wiring.size(); ++i) {
    for (int64_t j = 0; j < wiring.size(); ++j) {
      if (wiring.channels(i, j) > 0) {
        edges.push_back({{"from", i}, {"to", j}, {"channels", wiring.channels(i, j)}});
      }
    }
  }
  Json places = Json::array();
  for (const CellPlace& p : layout_cells(wiring)) {
    places.push_back({{"column", p.column}, {"row", p.row}, {"x", p.x}, {"y", p.y}});
  }
  return {{"cells", wiring.size()},    {"adjacency", wiring.adjacency()},
          {"inputs", wiring.inputs()}, {"output", wiring.output()},
          {"edges", std::move(edges)}, {"places", std::move(places)}};
}

Json degrade_json(const DegradeOptions& d) {
  Json out = Json::object();
  for (const auto& field : degrade_fields()) {
    if (field.is_integer()) {
      out[field.key] = static_cast<int64_t>(field.get(d));
    } else {
      out[field.key] = field.get(d);
    }
  }
  return out;
}

// The classes of `p` by probability, best first, ties by class.
std::vector<int64_t> ranked(const std::vector<double>& p) {
  std::vector<int64_t> order(p.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return p[static_cast<size_t>(a)] > p[static_cast<size_t>(b)];
  });
  return order;
}

Json rows_json(const std::vector<PredictionRow>& rows, bool plate) {
  Json out = Json::array();
  for (const auto& row : rows) {
    Json digits = Json::array();
    for (const auto& p : row.probabilities) {
      Json top = Json::array();
      const auto order = ranked(p);
      for (size_t i = 0; i < order.size() && i < static_cast<size_t>(DemoLimits::kTop); ++i) {
        top.push_back({{"class", order[i]}, {"p", p[static_cast<size_t>(order[i])]}});
      }
      digits.push_back({{"probabilities", p}, {"top", std::move(top)}});
    }
    Json item = {{"label", row.label},
                 {"confidence", row_confidence(row, plate)},
                 {"digits", std::move(digits)}};
    if (plate) {
      Json readings = Json::array();
      for (const Reading& r : best_readings(row.probabilities, DemoLimits::kReadings)) {
        readings.push_back({{"digits", r.digits}, {"p", r.probability}});
      }
      item["readings"] = std::move(readings);
    }
    out.push_back(std::move(item));
  }
  return out;
}

// Every request thread runs single-threaded kernels (nnn/runtime/parallel.h):
// requests, not the products inside one, share the cores. OpenMP keeps the
// setting per thread, so each server thread sets it once.
void single_threaded_kernels() {
  static thread_local const bool once = [] {
    at::set_num_threads(1);
    return true;
  }();
  (void)once;
}

// What the run's model was trained to read, in one sentence the page shows.
std::string trained_on(const DataConfig& data) {
  const FrameOptions& frames = data.frames;
  const std::string source = to_string(data.dataset());
  if (frames.degrade.any()) {
    const std::string what = frames.count > 1
                                 ? fmt::format("{} degraded frames of each {} digit, fed {}",
                                               frames.count, source, to_string(frames.feed))
                                 : fmt::format("degraded {} digits", source);
    return fmt::format("trained on {} ({})", what, describe_degrade(frames.degrade));
  }
  std::string out = fmt::format("trained on clean {} digits", source);
  if (frames.count > 1)
    out += fmt::format(", {} copies fed {}", frames.count, to_string(frames.feed));
  if (data.augment_shift > 0) out += fmt::format(", shifted up to {} px", data.augment_shift);
  return out;
}

std::vector<float> to_vector(const torch::Tensor& t) {
  const auto c = t.to(torch::kCPU, torch::kFloat32).contiguous();
  return {c.data_ptr<float>(), c.data_ptr<float>() + c.numel()};
}

}  // namespace

struct DemoRun::State {
  State(std::string d, LoadedRun r) : dir(std::move(d)), run(std::move(r)) {}
  std::string dir;
  LoadedRun run;
  int64_t max_frames = 1;
  Json info;
  torch::Tensor test_images;                   // [N, 784] in [0, 1]; undefined without data
  torch::Tensor test_labels;                   // [N]
  std::vector<std::vector<int64_t>> by_class;  // the test digits of each class
  std::string test_error;
  std::mutex model_mutex;  // one inference at a time
  std::mutex lesion_mutex;
  Json lesions;  // null until computed
};

DemoRun::DemoRun(const std::string& dir, const std::optional<DeviceSetting>& device)
    : state_(std::make_unique<State>(dir, load_run(dir, device))) {
  State& s = *state_;
  const ExperimentConfig& config = s.run.config;
  s.max_frames = config.data.frames.feed == FrameFeed::kSequence
                     ? std::min(config.model.steps, DemoLimits::kMaxFrames)
                     : DemoLimits::kMaxFrames;
  NNN_CHECK(config.model.input_size == kPixels, dir, ": the run's model reads ",
            config.model.input_size, " inputs per sample; nnn serve shows 28x28 digit readers (",
            kPixels, " inputs)");
  try {
    const Dataset source = load_test_digits(config.data, config.seed);
    NNN_CHECK(source.inputs.dim() == 2 && source.inputs.size(1) == kPixels,
              "its data are not 28x28 images");
    s.test_images = source.inputs.to(torch::kFloat32).contiguous();
    s.test_labels = source.labels.to(torch::kLong).contiguous();
    s.by_class.resize(static_cast<size_t>(config.model.output_size));
    const int64_t* label = s.test_labels.data_ptr<int64_t>();
    for (int64_t i = 0; i < s.test_labels.numel(); ++i) {
      NNN_CHECK(label[i] >= 0 && label[i] < config.model.output_size, "test digit ", i,
                " has label ", label[i], "; the model has ", config.model.output_size, " classes");
      s.by_class[static_cast<size_t>(label[i])].push_back(i);
    }
  } catch (const std::exception& e) {
    s.test_error = "the run's test digits could not be loaded: " + user_message(e);
    s.test_images = torch::Tensor();
    s.by_class.clear();
  }

  Json accuracy = nullptr;
  if (RunDirectory(dir).has(RunFiles::kSummary)) {
    try {
      accuracy = RunDirectory(dir).recorded_test_accuracy();
    } catch (const Error&) {
      accuracy = nullptr;  // an unreadable summary only hides the figures
    }
  }
  NNN& model = s.run.model;
  s.info = {{"name", config.name},
            {"steps", config.model.steps},
            {"distance", model->distance()},
            {"input_size", config.model.input_size},
            {"classes", config.model.output_size},
            {"parameters", model->parameter_count()},
            {"hidden", model->options.hidden()},
            {"wiring", wiring_json(model->options.wiring())},
            {"feed", to_string(config.data.frames.feed)},
            {"frames", config.data.frames.count},
            {"default_frames", default_frames()},
            {"max_frames", s.max_frames},
            {"degrade", degrade_json(config.data.frames.degrade)},
            {"degraded", config.data.frames.degrade.any()},
            {"trained_on", trained_on(config.data)},
            {"test_accuracy", accuracy},
            {"test_digits", test_count()},
            {"test_classes", test_class_counts()},
            {"device", s.run.device.str()}};
  if (!s.test_error.empty()) s.info["test_digits_error"] = s.test_error;
}

DemoRun::~DemoRun() = default;

const std::string& DemoRun::name() const { return state_->run.config.name; }
const Json& DemoRun::info() const { return state_->info; }
int64_t DemoRun::test_count() const {
  return state_->test_images.defined() ? state_->test_images.size(0) : 0;
}
const std::string& DemoRun::test_data_error() const { return state_->test_error; }

int64_t DemoRun::max_frames() const { return state_->max_frames; }

int64_t DemoRun::default_frames() const {
  return std::min(std::max<int64_t>(state_->run.config.data.frames.count, 1), max_frames());
}

Json DemoRun::predict(const DigitFrames& frames, bool plate) {
  return predict(frames, plate, nullptr);
}

Json DemoRun::predict(const DigitFrames& frames, bool plate, NNNTrace* trace) {
  NNN_CHECK(!frames.empty() && frames.size() <= static_cast<size_t>(DemoLimits::kMaxFrames),
            "expected 1 to ", DemoLimits::kMaxFrames, " frames; got ", frames.size());
  std::vector<PredictionRow> rows;
  {
    single_threaded_kernels();
    std::lock_guard<std::mutex> lock(state_->model_mutex);
    c10::InferenceMode inference;
    rows = predict_frames(state_->run, frames, trace);
  }
  plate = plate || frames[0].size() > 1;
  Json input = Json::array();
  for (const auto& digit : frames[0]) input.push_back(pixels_json(digit));
  const std::string prediction =
      rows.empty() ? ""
      : plate      ? best_readings(rows.back().probabilities, 1).at(0).digits
                   : std::to_string(ranked(rows.back().probabilities.at(0)).at(0));
  Json confidence = Json::array();
  for (const auto& row : rows) confidence.push_back(row_confidence(row, plate));
  return {{"run", name()},
          {"frames", frames.size()},
          {"digits", frames[0].size()},
          {"input", std::move(input)},
          {"prediction", prediction},
          {"confidence", std::move(confidence)},
          {"rows", rows_json(rows, plate)}};
}

Json DemoRun::trace(const std::vector<float>& digit) {
  NNN_CHECK(digit.size() == static_cast<size_t>(kPixels), "a digit is 784 pixels; got ",
            digit.size());
  // One forward pass gives the rows and the messages.
  NNNTrace trace;
  Json out = predict({{digit}}, false, &trace);
  add_message_norms(trace, out);
  return out;
}

void DemoRun::add_message_norms(const NNNTrace& trace, Json& out) const {
  const State& s = *state_;
  const Wiring& wiring = s.run.model->options.wiring();
  const int64_t output_size = s.run.config.model.output_size;
  const int64_t steps = trace.predictions.size(0);
  Json edge_norms = Json::array(), cell_norms = Json::array();
  for (int64_t t = 0; t < steps; ++t) {
    Json edges = Json::array(), cells = Json::array();
    for (int64_t i = 0; i < wiring.size(); ++i) {
      const auto message = trace.messages[static_cast<size_t>(i)][t][0].to(torch::kCPU);
      cells.push_back(message.norm().item<double>());
      for (int64_t j = 0; j < wiring.size(); ++j) {
        const int64_t channels = wiring.channels(i, j);
        if (channels == 0) continue;
        edges.push_back(message.narrow(0, wiring.send_offset(i, j, output_size), channels)
                            .norm()
                            .item<double>());
      }
    }
    edge_norms.push_back(std::move(edges));
    cell_norms.push_back(std::move(cells));
  }
  out["edges"] = s.info.at("wiring").at("edges");
  out["edge_norms"] = std::move(edge_norms);
  out["cell_norms"] = std::move(cell_norms);
}

std::vector<float> DemoRun::test_digit(int64_t index, int64_t* label) const {
  NNN_CHECK(test_count() > 0, state_->test_error);
  NNN_CHECK(index >= 0 && index < test_count(), "test digit ", index,
            " does not exist; the run has ", test_count(), " (0 to ", test_count() - 1, ")");
  if (label != nullptr) *label = state_->test_labels[index].item<int64_t>();
  return to_vector(state_->test_images[index]);
}

std::vector<int64_t> DemoRun::test_class_counts() const {
  std::vector<int64_t> counts;
  for (const auto& indices : state_->by_class)
    counts.push_back(static_cast<int64_t>(indices.size()));
  return counts;
}

int64_t DemoRun::test_index_of_class(int64_t cls, int64_t nth) const {
  const auto& by_class = state_->by_class;
  NNN_CHECK(cls >= 0 && cls < static_cast<int64_t>(by_class.size()), "class ", cls,
            " does not exist; the run has ", by_class.size());
  const auto& indices = by_class[static_cast<size_t>(cls)];
  NNN_CHECK(nth >= 0 && nth < static_cast<int64_t>(indices.size()), "class ", cls, " has ",
            indices.size(), " test digits; asked for number ", nth);
  return indices[static_cast<size_t>(nth)];
}

Json DemoRun::frames(const std::vector<float>& clean, int64_t count, uint64_t seed) {
  NNN_CHECK(clean.size() == static_cast<size_t>(kPixels), "a digit is 784 pixels; got ",
            clean.size());
  NNN_CHECK(count >= 1 && count <= state_->max_frames, "frames must be 1 to ", state_->max_frames,
            " for this run; got ", count);
  const auto image = torch::tensor(clean).view({1, kPixels});
  const auto degraded =
      degrade_frames(image, count, state_->run.config.data.frames.degrade, seed).clamp(0.0, 1.0);
  DigitFrames frames;
  for (int64_t f = 0; f < count; ++f) frames.push_back({to_vector(degraded[f][0])});
  // The messages of the pass over every frame: with a sequence feed, its
  // step t is the page's row t.
  NNNTrace trace;
  Json out = predict(frames, false, &trace);
  add_message_norms(trace, out);
  Json shown = Json::array();
  for (const auto& frame : frames) shown.push_back(pixels_json(frame[0]));
  out["clean"] = pixels_json(clean);
  out["frame_pixels"] = std::move(shown);
  return out;
}

Json DemoRun::plate(int64_t digits, int64_t count, uint64_t seed) {
  State& s = *state_;
  NNN_CHECK(test_count() > 0, s.test_error);
  NNN_CHECK(digits >= 1 && digits <= DemoLimits::kMaxPlateDigits, "a plate has 1 to ",
            DemoLimits::kMaxPlateDigits, " digits; got ", digits);
  NNN_CHECK(count >= 1 && count <= state_->max_frames, "frames must be 1 to ", state_->max_frames,
            " for this run; got ", count);
  NNN_CHECK(s.test_labels.max().item<int64_t>() <= 9, "plates need digit classes 0-9");
  auto generator = at::detail::createCPUGenerator(mix_seed(seed, salt::kPlateDigits));
  const auto chosen = torch::randint(test_count(), {digits}, generator, torch::kLong);
  const RenderedPlate rendered = render_plate(s.test_images, s.test_labels, chosen, count,
                                              s.run.config.data.frames.degrade, mix_seed(seed, 0));
  DigitFrames frames;
  Json strips = Json::array();
  for (const GreyImage& strip : rendered.frames) {
    frames.push_back(frame_digits(strip, digits, "plate"));
    strips.push_back({{"width", strip.width}, {"height", strip.height}, {"pixels", strip.pixels}});
  }
  Json out = predict(frames, true);
  out["reading"] = rendered.reading;
  out["strips"] = std::move(strips);
  return out;
}

Json DemoRun::lesions() {
  State& s = *state_;
  std::lock_guard<std::mutex> lock(s.lesion_mutex);
  if (!s.lesions.is_null()) return s.lesions;
  LesionOptions options;
  options.per_step = false;
  options.device = DeviceSetting::cpu();
  const LesionStudy study = lesion_study(s.dir, options);
  Json edges = Json::array(), cells = Json::array();
  for (const LesionRow& row : study.rows) {
    if (row.kind == LesionRow::Kind::kEdge) {
      edges.push_back({{"from", row.from}, {"to", row.to}, {"accuracy", row.evaluation.accuracy}});
    } else {
      cells.push_back({{"cell", row.cell}, {"accuracy", row.evaluation.accuracy}});
    }
  }
  s.lesions = {{"samples", study.intact.samples},
               {"intact", study.intact.accuracy},
               {"edges", std::move(edges)},
               {"cells", std::move(cells)}};
  return s.lesions;
}

}  // namespace nnn
