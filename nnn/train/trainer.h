// The training loop: minibatches from a Dataset, an optimiser, the loss over
// steps, and per-step evaluation after every epoch. Writing run directories is
// left to the caller (apps/ or the experiment runner).
//
// Dimension key: T steps, B batch, C classes.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <vector>

#include "nnn/config/experiment_config.h"
#include "nnn/core/network.h"
#include "nnn/data/dataset.h"
#include "nnn/train/loss.h"

namespace nnn {

/// Metrics of a model on a dataset, per thinking step (index 0 = step 1).
struct Evaluation {
  int64_t samples = 0;
  double loss = 0.0;               // the training loss (per LossSteps)
  std::vector<double> accuracy;    // [T] top-1
  std::vector<double> top3;        // [T] top-3 (top-C when C < 3)
  std::vector<double> confidence;  // [T] mean max softmax probability
};

struct EpochReport {
  int64_t epoch = 0;                   // 1-based
  double train_loss = 0.0;             // mean over batches
  std::vector<double> train_accuracy;  // [T] on the batches as trained
  Evaluation test;                     // empty when no test set
  double seconds = 0.0;
  double samples_per_second = 0.0;
};

/// Evaluates without gradients, in batches of `batch_size`.
Evaluation evaluate(NNN& model, const Dataset& data, int64_t batch_size, LossSteps steps,
                    const torch::Device& device);

/// Trains `model` (already on `device`) for config.train.epochs epochs,
/// shuffling with config.seed, and calls `on_epoch` after each epoch.
std::vector<EpochReport> train(NNN& model, const Dataset& train_set, const Dataset* test_set,
                               const ExperimentConfig& config, const torch::Device& device,
                               const std::function<void(const EpochReport&)>& on_epoch = {});

/// Sets LibTorch's intra-op threads: `threads`, or every core when 0.
/// Returns the number set.
int64_t set_threads(int64_t threads);

}  // namespace nnn
