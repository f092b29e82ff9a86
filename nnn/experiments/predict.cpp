// Prediction from image files with a trained run.
#include "nnn/experiments/predict.h"

#include "nnn/runtime/parallel.h"
#include "nnn/train/loaded_run.h"

#include <fmt/format.h>
#include <torch/types.h>

#include <algorithm>
#include <numeric>

#include "nnn/data/digit_image.h"
#include "nnn/data/image_file.h"
#include "nnn/data/load_data.h"
#include "nnn/data/plate_readings.h"
#include "nnn/util/error.h"

namespace nnn {

namespace {

constexpr int64_t kDigitPixels = 28 * 28;

std::string frames_label(int64_t seen) {
  return seen == 1 ? "frame 1" : fmt::format("frames 1-{}", seen);
}

// [T or 1, K, C] outputs -> [K][C] probabilities of one row.
std::vector<std::vector<double>> probabilities_of(const torch::Tensor& outputs) {
  const auto p = outputs.softmax(-1).to(torch::kCPU, torch::kDouble).contiguous();
  std::vector<std::vector<double>> rows(static_cast<size_t>(p.size(0)));
  for (int64_t k = 0; k < p.size(0); ++k) {
    const double* data = p[k].data_ptr<double>();
    rows[static_cast<size_t>(k)].assign(data, data + p.size(1));
  }
  return rows;
}

}  // namespace

std::vector<PredictionRow> predict_frames(LoadedRun& run, const DigitFrames& frames,
                                          NNNTrace* trace) {
  NNN_CHECK(!frames.empty() && !frames[0].empty(), "predict: no images given");
  const auto f_count = static_cast<int64_t>(frames.size());
  const auto k_count = static_cast<int64_t>(frames[0].size());
  const ModelConfig& model_config = run.config.model;
  NNN_CHECK(model_config.input_size == kDigitPixels, "the run's model reads ",
            model_config.input_size, " inputs per sample, but images give 28x28 = ", kDigitPixels);
  std::vector<float> flat;
  for (const auto& frame : frames) {
    NNN_CHECK(static_cast<int64_t>(frame.size()) == k_count, "every frame must hold ", k_count,
              " digits");
    for (const auto& digit : frame) {
      NNN_CHECK(static_cast<int64_t>(digit.size()) == kDigitPixels, "a digit must be 784 pixels");
      flat.insert(flat.end(), digit.begin(), digit.end());
    }
  }
  const auto pixels = torch::from_blob(flat.data(), {f_count, k_count, kDigitPixels}).clone();
  const auto x = normalise_pixels(run.config.data, run.config.seed, pixels).to(run.device);

  torch::NoGradGuard no_grad;
  NNN& model = run.model;
  model->eval();
  const int64_t steps = model_config.steps;
  const int64_t d = model->distance();
  const auto run_model = [&](const torch::Tensor& input) {
    if (trace == nullptr) return model->forward(input);
    *trace = model->trace(input);
    return trace->predictions;
  };
  std::vector<PredictionRow> rows;
  switch (run.config.data.frames.feed) {
    case FrameFeed::kSequence: {
      NNN_CHECK(f_count <= steps, f_count, " frames given but the model thinks for ", steps,
                " steps (one frame per step); give at most ", steps);
      const auto outputs = run_model(x);  // [T, K, C]
      for (int64_t t = 0; t < steps; ++t) {
        const int64_t seen = std::clamp<int64_t>(t + 1 - d, 0, f_count);
        // The last frame is fed again at the steps after it, so the input is
        // there from step 1 on; it reaches the output after d steps.
        const std::string label =
            seen > 0 ? frames_label(seen) : fmt::format("input reaches output at {}", d + 1);
        rows.push_back({fmt::format("step {} ({})", t + 1, label), probabilities_of(outputs[t])});
      }
      break;
    }
    case FrameFeed::kSingle: {
      // The outputs of every frame on its own, averaged over the first k.
      auto sum = torch::zeros({k_count, model_config.output_size}, x.options());
      for (int64_t f = 0; f < f_count; ++f) {
        sum += run_model(x[f])[-1];
        rows.push_back({frames_label(f + 1) + " (outputs averaged)",
                        probabilities_of(sum / static_cast<double>(f + 1))});
      }
      break;
    }
    case FrameFeed::kAverage:
    case FrameFeed::kAverageRandom: {
      for (int64_t f = 0; f < f_count; ++f) {
        const auto mean = x.narrow(0, 0, f + 1).mean(0);
        rows.push_back(
            {frames_label(f + 1) + " (pixels averaged)", probabilities_of(run_model(mean)[-1])});
      }
      break;
    }
  }
  return rows;
}

DigitFrames read_frames(const std::vector<std::string>& files, int64_t plate_digits) {
  NNN_CHECK(!files.empty(), "predict: no image files given");
  DigitFrames frames;
  for (const auto& file : files) {
    frames.push_back(frame_digits(read_image(file), plate_digits, file));
  }
  return frames;
}

std::string format_digit_rows(const std::vector<PredictionRow>& rows, int64_t top) {
  std::string out;
  for (const auto& row : rows) {
    const auto& p = row.probabilities.at(0);
    std::vector<size_t> order(p.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] > p[b]; });
    out += fmt::format("{:<34}", row.label);
    for (int64_t i = 0; i < top && static_cast<size_t>(i) < order.size(); ++i) {
      out += fmt::format("  {} {:6.2f}%", order[static_cast<size_t>(i)],
                         100 * p[order[static_cast<size_t>(i)]]);
    }
    out += "\n";
  }
  return out;
}

std::string format_plate_rows(const std::vector<PredictionRow>& rows, int64_t count) {
  std::string out;
  for (const auto& row : rows) {
    out += fmt::format("{:<34}", row.label);
    const auto readings = best_readings(row.probabilities, count);
    for (size_t i = 0; i < readings.size(); ++i) {
      out += fmt::format("{}{} {:6.2f}%", i ? " | " : "  ", readings[i].digits,
                         100 * readings[i].probability);
    }
    out += "\n";
  }
  return out;
}

double row_confidence(const PredictionRow& row, bool plate) {
  if (plate) return best_readings(row.probabilities, 1).at(0).probability;
  const auto& p = row.probabilities.at(0);
  return p.empty() ? 0.0 : *std::max_element(p.begin(), p.end());
}

int64_t first_confident_row(const std::vector<PredictionRow>& rows, double tau, bool plate) {
  for (size_t i = 0; i < rows.size(); ++i) {
    if (row_confidence(rows[i], plate) >= tau) return static_cast<int64_t>(i);
  }
  return -1;
}

std::string predict_report(const std::string& run_dir, const std::vector<std::string>& images,
                           int64_t plate_digits, int64_t top,
                           const std::optional<DeviceSetting>& device, double stop_at) {
  NNN_CHECK(stop_at >= 0 && stop_at <= 1,
            "predict: the stopping confidence must be in (0, 1]; got ", stop_at);
  const auto frames = read_frames(images, plate_digits);
  configure_threads(1);
  LoadedRun run = load_run(run_dir, device);
  auto rows = predict_frames(run, frames);
  const bool plate = plate_digits > 0;
  std::string stop;
  if (stop_at > 0) {
    const int64_t at = first_confident_row(rows, stop_at, plate);
    if (at >= 0) {
      rows.resize(static_cast<size_t>(at + 1));
      stop = fmt::format("stopped at {}: confidence {:.2f}% >= {:.2f}%\n", rows.back().label,
                         100 * row_confidence(rows.back(), plate), 100 * stop_at);
    } else {
      stop = fmt::format("never stopped: no row reached {:.2f}% (last: {:.2f}%)\n", 100 * stop_at,
                         rows.empty() ? 0.0 : 100 * row_confidence(rows.back(), plate));
    }
  }
  const int64_t steps = run.config.model.steps, d = run.model->distance();
  const auto given = static_cast<int64_t>(images.size());
  // Frame f is read at step f and reaches the output d steps later: the
  // frames after step T - d change no prediction.
  std::string unread;
  if (run.config.data.frames.feed == FrameFeed::kSequence && given > steps - d) {
    const std::string late = given == steps - d + 1
                                 ? fmt::format("frame {} comes", given)
                                 : fmt::format("frames {}-{} come", steps - d + 1, given);
    unread = fmt::format(
        "note: only the first {} of the {} frames reach the output: the model thinks for {} "
        "steps, one frame per step, and its output cell is d = {} steps from the input, so "
        "frame f reaches it at step f + {}; {} too late for any prediction\n",
        steps - d, given, steps, d, d, late);
  }
  return fmt::format("{} frame(s), model {} (feed: {}, {} steps, d = {})\n", given, run.config.name,
                     to_string(run.config.data.frames.feed), steps, d) +
         unread + (plate ? format_plate_rows(rows, top) : format_digit_rows(rows, top)) + stop;
}

}  // namespace nnn
