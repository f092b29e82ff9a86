// Spiral and toy generators.
#include "nnn/data/synthetic.h"

#include <cmath>
#include <vector>

#include "nnn/util/error.h"
#include "nnn/util/random.h"

namespace nnn {

namespace {
Dataset to_dataset(const char* name, std::vector<float>& features, std::vector<int64_t>& labels,
                   int64_t width, int64_t classes) {
  Dataset data;
  data.name = name;
  data.classes = classes;
  const auto n = static_cast<int64_t>(labels.size());
  data.inputs = torch::from_blob(features.data(), {n, width}, torch::kFloat32).clone();
  data.labels = torch::from_blob(labels.data(), {n}, torch::kInt64).clone();
  return data;
}
}  // namespace

Dataset make_spiral(int64_t classes, int64_t per_class, double noise, uint64_t seed) {
  NNN_CHECK(classes >= 1 && per_class >= 1, "spiral: need classes >= 1 and points >= 1; got ",
            classes, " and ", per_class);
  Rng rng(seed);
  std::vector<float> xy;
  std::vector<int64_t> labels;
  for (int64_t k = 0; k < classes; ++k) {
    for (int64_t i = 0; i < per_class; ++i) {
      const double r = per_class == 1 ? 1.0 : static_cast<double>(i) / (per_class - 1);
      const double angle = 4.0 * k + 4.0 * r + noise * rng.normal();
      xy.push_back(static_cast<float>(r * std::sin(angle)));
      xy.push_back(static_cast<float>(r * std::cos(angle)));
      labels.push_back(k);
    }
  }
  return to_dataset("spiral", xy, labels, 2, classes);
}

Dataset make_toy(int64_t per_class, uint64_t seed) {
  NNN_CHECK(per_class >= 1, "toy: need at least one sample per class; got ", per_class);
  const double mean[2][3] = {{178, 80, 40}, {165, 62, 38}};
  const double stddev[2][3] = {{7, 10, 12}, {7, 9, 12}};
  Rng rng(seed);
  std::vector<float> features;
  std::vector<int64_t> labels;
  for (int64_t k = 0; k < 2; ++k) {
    for (int64_t i = 0; i < per_class; ++i) {
      for (int f = 0; f < 3; ++f) {
        features.push_back(static_cast<float>(mean[k][f] + stddev[k][f] * rng.normal()));
      }
      labels.push_back(k);
    }
  }
  return to_dataset("toy", features, labels, 3, 2);
}

}  // namespace nnn
