// The best-first readings of a K-digit plate from its per-digit class
// probabilities: the most probable digit strings and their joint
// probabilities. Torch-free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nnn {

/// Per digit of a plate, the probability of each class: [K][C].
using DigitProbabilities = std::vector<std::vector<double>>;

struct Reading {
  std::string digits;
  double probability = 0.0;  // product of the per-digit probabilities
};
/// The `count` most probable readings of a plate, best first, from per-digit
/// class probabilities (`probabilities[i][c]`: digit i is class c).
std::vector<Reading> best_readings(const DigitProbabilities& probabilities, int64_t count);

}  // namespace nnn
