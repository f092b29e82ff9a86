// Scoring a finished run on its own splits or on a pair of IDX files.
#include "nnn/train/run_evaluation.h"

#include <fmt/format.h>

#include "nnn/data/load_data.h"
#include "nnn/runtime/parallel.h"
#include "nnn/train/loaded_run.h"
#include "nnn/train/trainer.h"
#include "nnn/util/error.h"
#include "nnn/util/seeds.h"

namespace nnn {

EvaluationData EvaluationData::parse(const std::string& text) {
  EvaluationData data;
  if (text == "test") return data;
  if (text == "train") {
    data.kind = Kind::kTrain;
    return data;
  }
  const size_t colon = text.find(':');
  NNN_CHECK(colon != std::string::npos && colon > 0 && colon + 1 < text.size(), "evaluation data ",
            quoted(text, 120), ": expected test, train or IMAGES:LABELS (two IDX files)");
  data.kind = Kind::kFiles;
  data.images = text.substr(0, colon);
  data.labels = text.substr(colon + 1);
  return data;
}

std::string EvaluationData::describe() const {
  switch (kind) {
    case Kind::kTest:
      return "test";
    case Kind::kTrain:
      return "train";
    case Kind::kFiles:
      break;
  }
  return images + ":" + labels;
}

Dataset evaluation_set(const ExperimentConfig& config, const EvaluationData& data) {
  Dataset set;
  if (data.kind == EvaluationData::Kind::kFiles) {
    set = load_idx_like(config.data, config.seed, data.images, data.labels);
  } else {
    DataSplit split = load_data(config.data, config.seed);
    const bool train = data.kind == EvaluationData::Kind::kTrain;
    set = train ? split.train : split.test;
    // The training set's frames are drawn per batch; evaluate on a fixed draw.
    if (train) attach_frames(set, config.data.frames, config.seed ^ salt::kTrainEvalFrames);
  }
  NNN_CHECK(set.size() > 0, "evaluation data ", data.describe(), ": no samples to evaluate");
  NNN_CHECK(set.features() == config.model.input_size, "evaluation data ", data.describe(), " has ",
            set.features(), " features but the model reads ", config.model.input_size);
  return set;
}

std::vector<Evaluation> evaluate_run_lesions(const std::string& dir,
                                             const std::vector<Lesion>& lesions,
                                             const EvaluationData& data,
                                             const std::optional<DeviceSetting>& device_setting) {
  LoadedRun run = load_run(dir, device_setting);
  const ExperimentConfig& config = run.config;
  const torch::Device device = run.device;
  WorkerPool pool(configure_threads(config.threads));
  const Dataset set = evaluation_set(config, data);
  std::vector<Evaluation> out;
  for (size_t i = 0; i <= lesions.size(); ++i) {
    out.push_back(evaluate(run.model, set, config.train.eval_batch_size, config.loss.steps, device,
                           device.is_cpu() ? &pool : nullptr, nullptr,
                           i == 0 ? nullptr : &lesions[i - 1]));
  }
  return out;
}

Evaluation evaluate_run(const std::string& dir, const EvaluationData& data,
                        const std::optional<DeviceSetting>& device_setting) {
  return evaluate_run_lesions(dir, {}, data, device_setting).front();
}

std::string evaluation_table(const Evaluation& e) {
  // With 3 classes or fewer the top 3 always hold the truth: no column.
  const bool top3 = e.classes == 0 || e.classes > 3;
  std::string out = fmt::format("{:>6} {:>9}", "step", "accuracy");
  if (top3) out += fmt::format(" {:>9}", "top-3");
  out += fmt::format(" {:>11} {:>7}\n", "confidence", "ECE");
  for (size_t t = 0; t < e.accuracy.size(); ++t) {
    out += fmt::format("{:>6} {:>8.2f}%", t + 1, 100 * e.accuracy[t]);
    if (top3) out += fmt::format(" {:>8.2f}%", 100 * e.top3[t]);
    out += fmt::format(" {:>10.3f} {:>7.4f}\n", e.confidence[t], t < e.ece.size() ? e.ece[t] : 0.0);
  }
  return out;
}

}  // namespace nnn
