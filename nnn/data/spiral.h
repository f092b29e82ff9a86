// The spiral data of the from-scratch tutorials: K interleaved arms in the
// plane, one class per arm, generated in process from a seed.
#pragma once

#include <cstdint>

#include "nnn/data/dataset.h"

namespace nnn {

/// `per_class` points on each of `classes` arms. Point i of arm k sits at
/// radius r = i / (per_class - 1) and angle 4k + 4r + noise * N(0, 1), at
/// (r sin a, r cos a). Deterministic in `seed`; inputs [K * per_class, 2].
Dataset make_spiral(int64_t classes, int64_t per_class, double noise, uint64_t seed);

}  // namespace nnn
