// Best-first search over the per-digit class ranks.
#include "nnn/data/plate_readings.h"

#include <algorithm>
#include <cmath>
#include <queue>
#include <set>

#include "nnn/util/error.h"

namespace nnn {

std::vector<Reading> best_readings(const DigitProbabilities& probabilities, int64_t count) {
  const size_t k = probabilities.size();
  NNN_CHECK(k >= 1, "best_readings: no digits");
  for (size_t i = 0; i < k; ++i) {
    NNN_CHECK(!probabilities[i].empty(), "best_readings: digit ", i + 1, " has no classes");
    for (double p : probabilities[i]) {
      NNN_CHECK(std::isfinite(p) && p >= 0, "best_readings: digit ", i + 1, " has probability ", p,
                "; expected a finite number >= 0");
    }
  }
  // Per digit, the classes sorted by probability, best first.
  std::vector<std::vector<int64_t>> order(k);
  for (size_t i = 0; i < k; ++i) {
    order[i].resize(probabilities[i].size());
    for (size_t c = 0; c < order[i].size(); ++c) order[i][c] = static_cast<int64_t>(c);
    std::stable_sort(order[i].begin(), order[i].end(), [&](int64_t a, int64_t b) {
      return probabilities[i][static_cast<size_t>(a)] > probabilities[i][static_cast<size_t>(b)];
    });
  }
  // Best-first search over rank vectors: a successor raises one digit's rank.
  using Item = std::pair<double, std::vector<size_t>>;
  auto probability = [&](const std::vector<size_t>& ranks) {
    double p = 1.0;
    for (size_t i = 0; i < k; ++i) p *= probabilities[i][static_cast<size_t>(order[i][ranks[i]])];
    return p;
  };
  auto worse = [](const Item& a, const Item& b) { return a.first < b.first; };
  std::priority_queue<Item, std::vector<Item>, decltype(worse)> frontier(worse);
  std::set<std::vector<size_t>> seen;
  const std::vector<size_t> start(k, 0);
  frontier.emplace(probability(start), start);
  seen.insert(start);
  std::vector<Reading> result;
  while (!frontier.empty() && static_cast<int64_t>(result.size()) < count) {
    const Item best = frontier.top();
    frontier.pop();
    Reading r;
    r.probability = best.first;
    for (size_t i = 0; i < k; ++i) r.digits += std::to_string(order[i][best.second[i]]);
    result.push_back(r);
    for (size_t i = 0; i < k; ++i) {
      if (best.second[i] + 1 >= order[i].size()) continue;
      auto next = best.second;
      ++next[i];
      if (seen.insert(next).second) frontier.emplace(probability(next), next);
    }
  }
  return result;
}

}  // namespace nnn
