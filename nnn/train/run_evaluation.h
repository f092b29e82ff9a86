// Scoring a finished run: its weights on its own test or training split, or
// on an IDX pair normalised as its data, and the per-step table printed for
// it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "nnn/runtime/device_setting.h"

#include "nnn/train/report.h"

namespace nnn {

struct Lesion;  // nnn/core/network.h

/// What evaluate_run scores: the run's own test or training split, or an
/// IDX pair of files normalised as the run's data.
struct EvaluationData {
  enum class Kind { kTest, kTrain, kFiles };
  Kind kind = Kind::kTest;
  std::string images, labels;  // kFiles
  /// "test", "train" or "IMAGES:LABELS"; nnn::Error naming the text otherwise.
  static EvaluationData parse(const std::string& text);
  /// The text parse() reads.
  std::string describe() const;
};

struct ExperimentConfig;  // nnn/config/experiment_config.h
struct Dataset;           // nnn/data/dataset.h
/// The samples evaluate_run scores for a run of `config`: its test split,
/// its training split with a fixed draw of frames, or the IDX pair
/// normalised as its data; nnn::Error when empty or of another width.
Dataset evaluation_set(const ExperimentConfig& config, const EvaluationData& data);

/// Evaluates a run's weights on `data`, on `device` (empty: the config's).
Evaluation evaluate_run(const std::string& dir, const EvaluationData& data = {},
                        const std::optional<DeviceSetting>& device = {});

/// evaluate_run() of the intact network (first) and then of each of
/// `lesions` (nnn/core/network.h), on one load of the run and its data.
std::vector<Evaluation> evaluate_run_lesions(const std::string& dir,
                                             const std::vector<Lesion>& lesions,
                                             const EvaluationData& data = {},
                                             const std::optional<DeviceSetting>& device = {});

/// A per-step table (step, accuracy, top-3, confidence), one line a step.
std::string evaluation_table(const Evaluation& evaluation);

}  // namespace nnn
