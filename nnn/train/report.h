// What training and evaluation report, as plain numbers: per-step metrics of
// a model on a data set, and one epoch's report. Torch-free, so that apps and
// report writers need not compile LibTorch's headers.
#pragma once

#include <cstdint>
#include <vector>

namespace nnn {

/// Metrics of a model on a dataset, per thinking step (index 0 = step 1).
struct Evaluation {
  int64_t samples = 0;
  int64_t classes = 0;             // C (0: not known)
  double loss = 0.0;               // the training loss (per LossSteps)
  std::vector<double> accuracy;    // [T] top-1
  std::vector<double> top3;        // [T] top-3 (top-C when C < 3)
  std::vector<double> confidence;  // [T] mean max softmax probability
  std::vector<double> ece;         // [T] expected calibration error (15 bins)
};

struct EpochReport {
  int64_t epoch = 0;                   // 1-based
  double lr = 0.0;                     // at the epoch's last batch
  double train_loss = 0.0;             // mean over batches
  std::vector<double> train_accuracy;  // [T] on the batches as trained
  Evaluation test;                     // empty when there is no test set
  double seconds = 0.0;                // this epoch's training + evaluation
  double samples_per_second = 0.0;     // training samples / training time
};

}  // namespace nnn
