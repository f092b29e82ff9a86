// Learned halting for anytime reading: a halting unit that reads the output
// cell's message at every step, lambda_t = sigmoid(m_t . w + b), trained with
// PonderNet's loss (the expected cross-entropy under the halting
// distribution p_t = lambda_t * prod_{s<t} (1 - lambda_s), plus beta times
// its KL divergence from a truncated geometric prior with parameter
// `prior`) on a trained, frozen reader's outputs. A sample stops at the
// first step where its cumulative halting probability reaches 1/2. `nnn
// frames` compares it with the confidence threshold at equal frames read.
//
// Dimension key: T steps (frames read), N samples, K message width, C classes.
#pragma once

#include <torch/types.h>

#include <vector>

#include "nnn/experiments/frames_compare.h"

namespace nnn {

struct HaltingOptions {
  double prior = 0.3;        // lambda_p of the geometric prior (mean 1 / prior steps)
  double beta = 0.01;        // weight of the KL term
  int64_t iterations = 500;  // full-batch Adam steps
  double lr = 0.1;
};

struct HaltingUnit {
  torch::Tensor w;            // [K]
  torch::Tensor b;            // []
  torch::Tensor mean, scale;  // [K]: the features' standardisation
};

/// messages [T, N, K], logits [T, N, C], labels [N] -> the trained unit.
HaltingUnit train_halting(const torch::Tensor& messages, const torch::Tensor& logits,
                          const torch::Tensor& labels, const HaltingOptions& options);

/// Each sample read until its cumulative halting probability reaches 1/2
/// (at T at the latest): the accuracy there and the mean steps read.
AnytimePoint halting_reading(const HaltingUnit& unit, const torch::Tensor& messages,
                             const torch::Tensor& logits, const torch::Tensor& labels);

/// The accuracy a confidence-threshold curve reaches at `frames` mean frames
/// read, linear between its points (NaN outside them).
double accuracy_at_frames(const std::vector<AnytimePoint>& curve, double frames);

}  // namespace nnn
