// Spiral generator.
#include "nnn/data/spiral.h"

#include <cmath>
#include <vector>

#include "nnn/core/error.h"
#include "nnn/core/random.h"

namespace nnn {

Dataset make_spiral(int64_t classes, int64_t per_class, double noise, uint64_t seed) {
  NNN_CHECK(classes >= 1 && per_class >= 1, "spiral: need classes >= 1 and points >= 1; got ",
            classes, " and ", per_class);
  Rng rng(seed);
  std::vector<float> xy;
  std::vector<int64_t> labels;
  xy.reserve(static_cast<size_t>(classes * per_class * 2));
  for (int64_t k = 0; k < classes; ++k) {
    for (int64_t i = 0; i < per_class; ++i) {
      const double r = per_class == 1 ? 1.0 : static_cast<double>(i) / (per_class - 1);
      const double angle = 4.0 * k + 4.0 * r + noise * rng.normal();
      xy.push_back(static_cast<float>(r * std::sin(angle)));
      xy.push_back(static_cast<float>(r * std::cos(angle)));
      labels.push_back(k);
    }
  }
  Dataset data;
  data.name = "spiral";
  data.classes = classes;
  const int64_t n = classes * per_class;
  data.inputs = torch::from_blob(xy.data(), {n, 2}, torch::kFloat32).clone();
  data.labels = torch::from_blob(labels.data(), {n}, torch::kInt64).clone();
  return data;
}

}  // namespace nnn
