// The blurry-frames comparison. The four trainings go through the ordinary
// run machinery; the evaluation here feeds every model the same fixed test
// frames and scores each method per frame count with StepMetrics.
#include "nnn/experiments/frames_compare.h"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <ostream>
#include <random>

#include "nnn/config/experiment_config.h"
#include "nnn/config/model_options.h"
#include "nnn/core/cell_types.h"
#include "nnn/data/degrade_fields.h"
#include "nnn/data/load_data.h"
#include "nnn/experiments/halting.h"
#include "nnn/runtime/parallel.h"
#include "nnn/train/loaded_run.h"
#include "nnn/train/metrics.h"
#include "nnn/train/run.h"
#include "nnn/train/trainer.h"
#include "nnn/util/error.h"
#include "nnn/util/files.h"
#include "nnn/util/seeds.h"
#include "nnn/util/svg_plot.h"

namespace nnn {

namespace fs = std::filesystem;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The config's data and seed alone, as YAML, to check two configs read the
// same frames.
std::string data_identity(ExperimentConfig config) {
  ExperimentConfig bare;
  bare.seed = config.seed;
  bare.data = config.data;
  bare.data.frames.feed = FrameFeed::kSequence;
  return experiment_to_yaml(bare);
}

// The model's predictions [T, N, C] for inputs [N, D] or frames [F, N, D],
// without gradients, in batches.
torch::Tensor predict_all(NNN& model, const torch::Tensor& x, int64_t batch_size,
                          WorkerPool* pool) {
  torch::NoGradGuard no_grad;
  model->eval();
  const int64_t dim = x.dim() == 3 ? 1 : 0;
  std::vector<torch::Tensor> parts;
  for (int64_t start = 0; start < x.size(dim); start += batch_size) {
    parts.push_back(forward_sharded(
        model, x.narrow(dim, start, std::min(batch_size, x.size(dim) - start)), pool));
  }
  return torch::cat(parts, 1);
}

FrameCurve score(const std::string& key, const std::string& label, const torch::Tensor& predictions,
                 const torch::Tensor& labels, int64_t classes) {
  StepMetrics metrics(predictions.size(0), classes, predictions.device());
  metrics.add(predictions, labels);
  FrameCurve curve;
  const auto right = predictions.argmax(2).eq(labels.unsqueeze(0)).to(torch::kCPU);  // [K, N]
  for (int64_t k = 0; k < right.size(0); ++k) {
    const auto row = right[k].to(torch::kUInt8).contiguous();
    const uint8_t* p = row.data_ptr<uint8_t>();
    curve.correct.emplace_back(p, p + row.numel());
  }
  curve.key = key;
  curve.label = label;
  curve.accuracy = metrics.accuracy();
  curve.top3 = metrics.top_k();
  curve.confidence = metrics.confidence();
  curve.ece = metrics.calibration_error();
  return curve;
}

// The running means of [F, ...] over its first 1..F entries.
torch::Tensor running_mean(const torch::Tensor& x) {
  const auto counts = torch::arange(1, x.size(0) + 1, x.options());
  std::vector<int64_t> shape(static_cast<size_t>(x.dim()), 1);
  shape[0] = x.size(0);
  return x.cumsum(0) / counts.view(shape);
}

// Entry k-1 of the per-frame-count curve is step k + d of the NNN (NaN past T).
FrameCurve align_steps(const FrameCurve& steps, int64_t frames, int64_t distance) {
  FrameCurve out = steps;
  for (auto* v : {&out.accuracy, &out.top3, &out.confidence, &out.ece}) {
    const std::vector<double> by_step = *v;
    v->assign(static_cast<size_t>(frames), kNaN);
    for (int64_t k = 1; k <= frames; ++k) {
      const int64_t t = k + distance;
      if (t <= static_cast<int64_t>(by_step.size())) (*v)[k - 1] = by_step[t - 1];
    }
  }
  out.correct.assign(static_cast<size_t>(frames), SampleHits{});
  for (int64_t k = 1; k <= frames; ++k) {
    const int64_t t = k + distance;
    if (t <= static_cast<int64_t>(steps.correct.size())) out.correct[k - 1] = steps.correct[t - 1];
  }
  return out;
}

// Repeats a one-value curve over F frame counts.
FrameCurve constant_over(const FrameCurve& one, int64_t frames) {
  FrameCurve out = one;
  for (auto* v : {&out.accuracy, &out.top3, &out.confidence, &out.ece}) {
    v->assign(static_cast<size_t>(frames), v->back());
  }
  out.correct.assign(static_cast<size_t>(frames), out.correct.back());
  return out;
}

// A run of `config` reading its frames the `feed` way, into `dir`.
RunResult train_variant(ExperimentConfig config, FrameFeed feed, const std::string& dir,
                        std::ostream& log) {
  config.data.frames.feed = feed;
  log << fmt::format("\n== {} (feed: {}) -> {}\n", config.file, to_string(feed), dir);
  RunResult run = run_training(config, RunDirectory(dir), log);
  NNN_CHECK(run.completed, "the run in ", dir, " was interrupted");
  return run;
}

}  // namespace

std::vector<AnytimePoint> anytime_reading(const torch::Tensor& outputs, const torch::Tensor& labels,
                                          const std::vector<double>& taus) {
  NNN_CHECK(outputs.dim() == 3 && outputs.size(0) >= 1 && labels.dim() == 1 &&
                labels.size(0) == outputs.size(1),
            "anytime reading: expected outputs [F, N, C] and labels [N]; got ", outputs.sizes(),
            " and ", labels.sizes());
  const auto p = outputs.to(torch::kCPU, torch::kDouble).softmax(-1);
  const auto [confidence, guess] = p.max(-1);  // [F, N]
  const auto right = guess.eq(labels.to(torch::kCPU).view({1, -1}));
  const int64_t frames = outputs.size(0);
  std::vector<AnytimePoint> points;
  for (double tau : taus) {
    // The first frame whose confidence reaches tau, else the last.
    auto reached = confidence.ge(tau);
    reached[frames - 1].fill_(true);
    const auto stop = reached.to(torch::kLong).argmax(0);  // first true, [N]
    const auto correct = right.gather(0, stop.view({1, -1})).to(torch::kDouble);
    points.push_back(
        {tau, correct.mean().item<double>(), (stop + 1).to(torch::kDouble).mean().item<double>()});
  }
  return points;
}

const std::vector<double>& anytime_taus() {
  static const std::vector<double> taus = {0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 2.0};
  return taus;
}

namespace {

// The hidden size of a one-cell `kind` reader (gru | lstm) of `config`'s
// data whose parameter count is nearest `target`.
int64_t matched_hidden(const std::string& kind, const ModelConfig& config, int64_t target) {
  int64_t best = 1;
  int64_t best_gap = -1;
  for (int64_t h = 1; h <= 4096; ++h) {
    const int64_t state = recurrent_state_width(kind, h);
    CellSpec spec;
    spec.in_dim = config.input_size + state;
    spec.hidden = h;
    spec.out_dim = config.output_size + state;
    const int64_t count = builtin_cell_parameter_count(kind, spec);
    const int64_t gap = std::abs(count - target);
    if (best_gap < 0 || gap < best_gap) {
      best = h;
      best_gap = gap;
    }
    if (count > target) break;
  }
  return best;
}

}  // namespace

namespace {

// One way to read an image from F degraded frames: how it is trained and
// what it answers on the fixed test frames.
struct FrameMethod {
  std::string key;
  std::string label;
  /// Trains its model; null: it reads the model of method `reuses`.
  std::function<RunResult()> train;
  std::string reuses;
  /// Its outputs on the test frames [R, N, C]: row first_row + k - 1 is
  /// its answer after k frames (none past row R).
  std::function<torch::Tensor(LoadedRun& run, WorkerPool* pool)> outputs;
  int64_t first_row = 0;   // d for an NNN: step k + d has read k frames
  bool one_frame = false;  // reads frame 1 only: the same answer for every k
  bool anytime = true;     // reads more with every frame: a stopping-rule curve
  bool per_step = false;   // an NNN: its curve per step is reported too
  bool halting = false;    // learned halting units are trained on its messages
};

// Learned halting on an NNN fed one frame per step: units trained on fixed
// frames of the training set, scored on the test frames, for a range of
// priors; `read` steps from step d + 1 on, beside `threshold` (the
// confidence rule's curve on the same steps).
std::vector<HaltingResult> learned_halting(LoadedRun& run, const DataSplit& data,
                                           const ExperimentConfig& config, int64_t read,
                                           const std::vector<AnytimePoint>& threshold) {
  const int64_t distance = run.model->distance();
  const int64_t batch = config.train.eval_batch_size;
  Dataset train = data.train;
  attach_frames(train, config.data.frames, config.seed ^ salt::kTrainEvalFrames);
  const auto read_steps = [&](const torch::Tensor& all_frames) {
    torch::NoGradGuard no_grad;
    run.model->eval();
    std::vector<torch::Tensor> messages, logits;
    const auto on = all_frames.to(run.device);
    for (int64_t start = 0; start < on.size(1); start += batch) {
      const auto trace = run.model->trace(on.narrow(1, start, std::min(batch, on.size(1) - start)));
      messages.push_back(trace.messages[static_cast<size_t>(run.model->options.wiring().output())]);
      logits.push_back(trace.predictions);
    }
    return std::make_pair(torch::cat(messages, 1).narrow(0, distance, read),
                          torch::cat(logits, 1).narrow(0, distance, read));
  };
  const auto [train_messages, train_logits] = read_steps(train.frames);
  const auto [test_messages, test_logits] = read_steps(data.test.frames);
  std::vector<HaltingResult> results;
  // (prior, KL weight): from a weak pull towards the prior to a strong one,
  // so that the units stop from late to early.
  for (const auto& [prior, beta] : std::vector<std::pair<double, double>>{
           {0.2, 0.01}, {0.5, 0.01}, {0.5, 0.1}, {0.5, 1.0}, {0.9, 0.1}, {0.9, 1.0}}) {
    HaltingOptions options;
    options.prior = prior;
    options.beta = beta;
    const HaltingUnit unit = train_halting(train_messages, train_logits, train.labels, options);
    HaltingResult h;
    h.prior = prior;
    h.beta = beta;
    h.point = halting_reading(unit, test_messages, test_logits, data.test.labels);
    h.threshold_accuracy = accuracy_at_frames(threshold, h.point.mean_frames);
    results.push_back(h);
  }
  return results;
}

}  // namespace

FramesComparison run_frames_comparison(const std::string& nnn_config, const std::string& mlp_config,
                                       const std::vector<std::string>& overrides,
                                       const std::string& out, std::ostream& log, bool baselines) {
  // Each config is read as its first run will be (the feeds are set here).
  auto with_feed = [&](const char* feed) {
    std::vector<std::string> all = overrides;
    all.push_back(std::string("data.feed=") + feed);
    return all;
  };
  const ExperimentConfig nnn_cfg = load_experiment(nnn_config, with_feed("sequence"));
  const ExperimentConfig mlp_cfg = load_experiment(mlp_config, with_feed("single"));
  NNN_CHECK(nnn_cfg.data.frames.active(), nnn_config,
            ": data.frames/data.degrade are not set; the comparison needs frames");
  NNN_CHECK(data_identity(nnn_cfg) == data_identity(mlp_cfg), nnn_config, " and ", mlp_config,
            " differ in their data section or seed; the methods must see the same frames");
  NNN_CHECK(mlp_cfg.model.steps == 1 && mlp_cfg.model.wiring.size() == 1, mlp_config,
            ": expected a one-cell MLP (model.steps: 1, one cell); found ",
            mlp_cfg.model.wiring.size(), " cells and ", mlp_cfg.model.steps, " steps");
  const int64_t frames = nnn_cfg.data.frames.count;

  FramesComparison result;
  result.nnn_config = nnn_config;
  result.mlp_config = mlp_config;
  result.dir = RunDirectory::at_or_named(out, nnn_cfg.name + "-frames").path();
  NNN_CHECK(!fs::exists(fs::path(result.dir) / "frames.json"), result.dir,
            " already holds a frames comparison; choose another output directory");
  fs::create_directories(result.dir);
  const fs::path dir(result.dir);
  const int64_t batch = nnn_cfg.train.eval_batch_size;
  // The NNN's size (the recurrent readers match it) and its input-to-output
  // distance d.
  const NNN nnn_model(to_options(nnn_cfg.model));
  const int64_t nnn_parameters = nnn_model->parameter_count();
  result.distance = nnn_model->distance();

  // The fixed test frames every method is scored on.
  const DataSplit data = load_data(nnn_cfg.data, nnn_cfg.seed);
  NNN_CHECK(data.test.size() > 0, "the frames comparison needs a test set");
  const auto test_frames = [&](const LoadedRun& run) { return data.test.frames.to(run.device); };
  const auto trained = [&](const ExperimentConfig& config, FrameFeed feed, const std::string& key) {
    return [&config, feed, key, &dir, &log] {
      return train_variant(config, feed, (dir / key).string(), log);
    };
  };
  // The MLP on each frame alone [F, N, C].
  const auto mlp_per_frame = [&, frames](LoadedRun& run, WorkerPool* pool) {
    const auto on = test_frames(run);
    std::vector<torch::Tensor> per_frame;
    for (int64_t f = 0; f < frames; ++f) {
      per_frame.push_back(predict_all(run.model, on[f], batch, pool)[-1]);  // [N, C]
    }
    return torch::stack(per_frame);
  };
  // An MLP trained on pixel averages, on the average of the first k frames.
  const auto on_pixel_averages = [&, frames](LoadedRun& run, WorkerPool* pool) {
    const auto means = running_mean(test_frames(run));  // [F, N, D]
    std::vector<torch::Tensor> per_count;
    for (int64_t k = 0; k < frames; ++k) {
      per_count.push_back(predict_all(run.model, means[k], batch, pool)[-1]);
    }
    return torch::stack(per_count);
  };
  // A model unrolled over the frames, one per step [T, N, C].
  const auto per_step = [&](LoadedRun& run, WorkerPool* pool) {
    return predict_all(run.model, test_frames(run), batch, pool);
  };

  std::vector<FrameMethod> methods;
  {
    FrameMethod m;
    m.key = "mlp_single";
    m.label = "MLP, one frame";
    m.train = trained(mlp_cfg, FrameFeed::kSingle, m.key);
    m.outputs = [&](LoadedRun& run, WorkerPool* pool) {
      return predict_all(run.model, test_frames(run)[0], batch, pool).narrow(0, 0, 1);
    };
    m.one_frame = true;
    m.anytime = false;
    methods.push_back(m);
  }
  // An MLP trained on pixel averages of all F frames (or of 1..F).
  const auto average_reader = [&](const std::string& key, const std::string& label,
                                  FrameFeed feed) {
    FrameMethod m;
    m.key = key;
    m.label = label;
    m.train = trained(mlp_cfg, feed, key);
    m.outputs = on_pixel_averages;
    return m;
  };
  methods.push_back(average_reader("mlp_average", "MLP on the pixel average", FrameFeed::kAverage));
  {
    FrameMethod m;
    m.key = "mlp_logits";
    m.label = "MLP per frame, outputs averaged";
    m.reuses = "mlp_single";
    m.outputs = [&](LoadedRun& run, WorkerPool* pool) {
      return running_mean(mlp_per_frame(run, pool));
    };
    methods.push_back(m);
  }
  for (const bool sequence : {true, false}) {
    FrameMethod m;
    m.key = sequence ? "nnn_sequence" : "nnn_single";
    m.label = sequence ? "NNN, one frame per step" : "NNN, frame 1 at every step";
    m.train = trained(nnn_cfg, sequence ? FrameFeed::kSequence : FrameFeed::kSingle, m.key);
    if (sequence) {
      m.outputs = per_step;
    } else {
      m.outputs = [&](LoadedRun& run, WorkerPool* pool) {
        return predict_all(run.model, test_frames(run)[0], batch, pool);
      };
    }
    m.first_row = result.distance;
    m.anytime = sequence;
    m.per_step = true;
    m.halting = sequence && baselines;
    methods.push_back(m);
  }
  // The recurrent readers' configs live as long as their methods.
  std::vector<ExperimentConfig> readers;
  readers.reserve(2);
  if (baselines) {
    methods.push_back(average_reader("mlp_average_random",
                                     "MLP on the pixel average of 1..F frames",
                                     FrameFeed::kAverageRandom));
    // GRU and LSTM readers of the NNN's size: one recurrent cell whose state
    // is its self-loop, one frame per step.
    for (const std::string kind : {"gru", "lstm"}) {
      const int64_t hidden = matched_hidden(kind, nnn_cfg.model, nnn_parameters);
      ExperimentConfig& reader = readers.emplace_back(nnn_cfg);
      reader.model.cell = {kind};
      reader.model.hidden = {hidden};
      reader.model.wiring = Wiring(Matrix64{{recurrent_state_width(kind, hidden)}}, {0}, 0);
      reader.model.wiring_origin.clear();
      reader.model.steps = frames;
      reader.model.dropout = 0;
      reader.train.backward = BackwardMode::kAuto;
      FrameMethod r;
      r.key = kind;
      r.label =
          fmt::format("{}, one frame per step (hidden {})", kind == "gru" ? "GRU" : "LSTM", hidden);
      r.train = trained(reader, FrameFeed::kSequence, kind);
      r.outputs = per_step;
      methods.push_back(r);
    }
  }

  // Train every method, then score each on the same test frames.
  std::map<std::string, RunResult> runs;
  for (const auto& m : methods) {
    if (m.train) runs.emplace(m.key, m.train());
  }
  WorkerPool pool(configure_threads(nnn_cfg.threads));
  const int64_t classes = nnn_cfg.model.output_size;
  result.frames = frames;
  result.steps = nnn_cfg.model.steps;
  result.test_samples = data.test.size();
  result.degrade = describe_degrade(nnn_cfg.data.frames.degrade);
  // Each trained model loaded once (mlp_logits reads mlp_single's).
  std::map<std::string, LoadedRun> loaded;
  for (const auto& m : methods) {
    const RunResult& run_result = runs.at(m.train ? m.key : m.reuses);
    auto found = loaded.find(run_result.dir);
    if (found == loaded.end())
      found = loaded.emplace(run_result.dir, load_run(run_result.dir)).first;
    LoadedRun& run = found->second;
    const auto outputs = m.outputs(run, run.device.is_cpu() ? &pool : nullptr);
    const auto labels = data.test.labels.to(run.device);
    FrameCurve curve = score(m.key, m.label, outputs, labels, classes);
    curve.parameters = run_result.parameters;
    curve.train_seconds = m.train ? run_result.seconds : 0.0;
    if (m.per_step) result.nnn_steps.push_back(curve);
    result.by_frames.push_back(m.one_frame ? constant_over(curve, frames)
                                           : align_steps(curve, frames, m.first_row));
    if (!m.anytime) continue;
    const int64_t read = std::min<int64_t>(frames, outputs.size(0) - m.first_row);
    result.anytime.push_back(
        {m.key, m.label,
         anytime_reading(outputs.narrow(0, m.first_row, read), labels, anytime_taus())});
    if (m.halting) {
      result.halting = learned_halting(run, data, nnn_cfg, read, result.anytime.back().points);
    }
  }

  write_file_atomically((dir / "frames.json").string(), frames_json(result));
  const std::string md = frames_markdown(result);
  write_file_atomically((dir / "frames.md").string(), md);
  write_file_atomically((dir / "frames.svg").string(), frames_svg(result));
  write_file_atomically((dir / "frames_anytime.svg").string(), anytime_svg(result));
  log << "\n"
      << md << "\nwritten to " << result.dir
      << "/frames.md, frames.json, frames.svg and frames_anytime.svg\n";
  return result;
}

}  // namespace nnn
