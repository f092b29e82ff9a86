// Data generated in process from a seed: the spiral arms and the toy
// height/weight/age table of the from-scratch tutorials.
#pragma once

#include <cstdint>

#include "nnn/data/dataset.h"

namespace nnn {

/// `per_class` points on each of `classes` arms. Point i of arm k sits at
/// radius r = i / (per_class - 1) and angle 4k + 4r + noise * N(0, 1), at
/// (r sin a, r cos a). Deterministic in `seed`; inputs [K * per_class, 2].
Dataset make_spiral(int64_t classes, int64_t per_class, double noise, uint64_t seed);

/// Two classes of people described by (height cm, weight kg, age years),
/// drawn from per-class normals: class 0 ~ (178, 80, 40) with stds
/// (7, 10, 12), class 1 ~ (165, 62, 38) with stds (7, 9, 12). The classes
/// overlap, so about 90% is the best accuracy. inputs [2 * per_class, 3].
Dataset make_toy(int64_t per_class, uint64_t seed);

}  // namespace nnn
