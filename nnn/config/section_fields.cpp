// The numeric keys of the config sections.
#include "nnn/config/section_fields.h"

#include "nnn/data/degrade_fields.h"
#include "nnn/util/limits.h"

namespace nnn {

namespace {

std::string below_one(double v) {
  return v < 1 ? "" : "must be below 1; found " + fmt::format("{}", v);
}
constexpr double kMaxSamples = 1e9;  // far past any data set these readers load

// The generated sources' sizes (spiral, toy).
template <typename Points>
std::vector<NumberField<Points>> per_class_fields() {
  return {
      {"train_per_class", &Points::train_per_class, 1, 1e7, "samples",
       "training samples per class"},
      {"test_per_class", &Points::test_per_class, 0, 1e7, "samples", "test samples per class"},
  };
}

}  // namespace

const std::vector<ModelField>& model_fields() {
  static const std::vector<ModelField> kFields = {
      {"input_size", &ModelConfig::input_size, 1, static_cast<double>(limits::kMaxWidth), "",
       "D_in, width of x", false, nullptr, /*required=*/true},
      {"output_size", &ModelConfig::output_size, 1, static_cast<double>(limits::kMaxWidth), "",
       "D_out, classes", false, nullptr, true},
      {"steps", &ModelConfig::steps, 1, static_cast<double>(limits::kMaxSteps), "",
       "thinking steps T, at least d + 1 (d: the shortest input-to-output distance)", false,
       nullptr, true},
      {"dropout", &ModelConfig::dropout, 0, 1, "",
       "dropout probability on every cell's hidden layer while training, below 1 (perceptron "
       "cells); masks depend only on the batch, sample, step and unit, so threads, ranks and "
       "resumes see the same masks",
       false, below_one},
  };
  return kFields;
}

const std::vector<DataField>& data_fields() {
  static const std::vector<DataField> kFields = {
      {"augment_shift", &DataConfig::augment_shift, 0, 1024, "px",
       "random shifts of training images up to this many pixels (0: off)"},
      {"limit_train", &DataConfig::limit_train, 0, kMaxSamples, "samples",
       "use only the first N training samples (0: all)"},
      {"limit_test", &DataConfig::limit_test, 0, kMaxSamples, "samples",
       "use only the first N test samples (0: all)"},
      {"validation", &DataConfig::validation, 0, kMaxSamples, "samples",
       "hold out N training samples (after limit_train, drawn by the seed) and evaluate on "
       "them instead of the test set (0: off); `nnn search` chooses wirings this way"},
  };
  return kFields;
}

template <>
const std::vector<NumberField<CsvFile>>& source_fields<CsvFile>() {
  static const std::vector<NumberField<CsvFile>> kFields = {
      {"test_fraction", &CsvFile::test_fraction, 0, 1, "",
       "the share of rows held out for testing when there is no `test_path`, below 1", false,
       below_one},
      {"label_column", &CsvFile::label_column, -1000000, 1000000, "",
       "the label's column, negative from the end"},
  };
  return kFields;
}

template <>
const std::vector<NumberField<FrameSetFolder>>& source_fields<FrameSetFolder>() {
  static const std::vector<NumberField<FrameSetFolder>> kFields = {
      {"test_fraction", &FrameSetFolder::test_fraction, 0, 1, "",
       "the share of the dataset's videos (all their samples) held out for testing when there "
       "is no `test_path`, below 1",
       false, below_one},
  };
  return kFields;
}

template <>
const std::vector<NumberField<SpiralPoints>>& source_fields<SpiralPoints>() {
  static const std::vector<NumberField<SpiralPoints>> kFields = [] {
    std::vector<NumberField<SpiralPoints>> fields = {
        {"classes", &SpiralPoints::classes, 2, 1024, "", "arms of the spiral"},
        {"noise", &SpiralPoints::noise, 0, 10, "rad", "std of the angle noise"},
    };
    for (const auto& f : per_class_fields<SpiralPoints>()) fields.push_back(f);
    return fields;
  }();
  return kFields;
}

template <>
const std::vector<NumberField<ToyPoints>>& source_fields<ToyPoints>() {
  static const std::vector<NumberField<ToyPoints>> kFields = per_class_fields<ToyPoints>();
  return kFields;
}

const std::vector<FramesField>& frames_fields() {
  static const std::vector<FramesField> kFields = {
      {"frames", &FrameOptions::count, 1, static_cast<double>(limits::kMaxSteps), "",
       "F degraded frames per image (needs square images and `normalize: unit`; a sequence "
       "feed reads at most model.steps); frame_set: the F recorded frames of its samples, "
       "stated"},
  };
  return kFields;
}

const std::vector<DistField>& dist_fields() {
  static const std::vector<DistField> kFields = {
      {"timeout", &DistConfig::timeout, 1, 86400, "s",
       "seconds a rank waits for the others (joining and every collective) before failing with "
       "the job's address: a peer that died or never came"},
  };
  return kFields;
}

std::vector<std::pair<std::string, std::string>> generated_reference_tables() {
  std::vector<std::pair<std::string, std::string>> tables = {
      {"model", fields_markdown("model", model_fields())}};
  std::string data = "Read for every dataset:\n\n" + fields_markdown("data", data_fields());
  data += "\nRead for csv:\n\n" + fields_markdown("data", source_fields<CsvFile>());
  data += "\nRead for frame_set:\n\n" + fields_markdown("data", source_fields<FrameSetFolder>());
  data += "\nRead for spiral:\n\n" + fields_markdown("data", source_fields<SpiralPoints>());
  data += "\nRead for toy:\n\n" + fields_markdown("data", source_fields<ToyPoints>());
  data += "\nFrames (more than one needs an image dataset):\n\n" +
          fields_markdown("data", frames_fields());
  tables.emplace_back("data", data);
  tables.emplace_back("data.degrade", fields_markdown("data.degrade", degrade_fields()));
  tables.emplace_back("train", fields_markdown("train", train_fields()));
  tables.emplace_back("dist", fields_markdown("dist", dist_fields()));
  return tables;
}

const std::vector<TrainField>& train_fields() {
  // Upper bounds are far past any sensible run and keep loops and
  // allocations finite; a learning rate of 1e6 is a typo, not a setting.
  static const std::vector<TrainField> kFields = {
      {"epochs", &TrainConfig::epochs, 1, 1000000, "", "passes over the training set"},
      {"batch_size", &TrainConfig::batch_size, 1, 1 << 20, "samples",
       "samples per optimiser step (the global batch of a distributed run)"},
      {"lr", &TrainConfig::lr, 0, 1e4, "", "learning rate", /*low_open=*/true},
      {"momentum", &TrainConfig::momentum, 0, 0.999999, "", "sgd: momentum (0: off)"},
      {"weight_decay", &TrainConfig::weight_decay, 0, 10, "",
       "sgd, adam: L2 in the gradient; adamw: decoupled (0: off)"},
      {"beta1", &TrainConfig::beta1, 0, 0.999999, "", "adam, adamw: first-moment decay"},
      {"beta2", &TrainConfig::beta2, 0, 0.999999, "", "adam, adamw: second-moment decay"},
      {"step_size", &TrainConfig::step_size, 1, 1000000, "epochs",
       "schedule step: epochs between decays"},
      {"gamma", &TrainConfig::gamma, 0, 10, "", "schedule step: decay factor", true},
      {"min_lr", &TrainConfig::min_lr, 0, 10, "", "schedule cosine: final learning rate (<= lr)"},
      {"warmup_epochs", &TrainConfig::warmup_epochs, 0, 1000000, "epochs",
       "linear warm-up from 0, fractions allowed (<= epochs)"},
      {"clip_grad_norm", &TrainConfig::clip_grad_norm, 0, 1e6, "",
       "clip the gradient's L2 norm to this (0: off)"},
      {"eval_batch_size", &TrainConfig::eval_batch_size, 1, 1 << 20, "samples",
       "samples per evaluation batch"},
      {"log_every", &TrainConfig::log_every, 1, 1000000000, "batches",
       "batches between log lines and NaN checks"},
      {"recompute_every", &TrainConfig::recompute_every, 0, static_cast<double>(limits::kMaxSteps),
       "steps",
       "hand-written backward: keep every step (0), or recompute segments of this many steps"},
  };
  return kFields;
}

}  // namespace nnn
