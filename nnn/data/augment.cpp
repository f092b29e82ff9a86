// Random shifts as one gather over a zero-padded copy: no per-image loop.
#include "nnn/data/augment.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

#include "nnn/util/error.h"

namespace nnn {

torch::Tensor random_shift(const torch::Tensor& images, int64_t max_shift, uint64_t seed) {
  if (max_shift <= 0) return images;
  const int64_t b = images.size(0);
  const auto side =
      static_cast<int64_t>(std::lround(std::sqrt(static_cast<double>(images.size(1)))));
  NNN_CHECK(side * side == images.size(1), "data.augment_shift needs square images; rows have ",
            images.size(1), " values");
  const int64_t m = max_shift;
  const int64_t padded_side = side + 2 * m;
  auto generator = at::detail::createCPUGenerator(seed);
  const auto shifts =
      torch::randint(-m, m + 1, {b, 2}, generator, torch::kLong).to(images.device());
  const auto padded = torch::constant_pad_nd(images.view({b, side, side}), {m, m, m, m})
                          .reshape({b, padded_side * padded_side});
  const auto coords =
      torch::arange(side, torch::TensorOptions().dtype(torch::kLong).device(images.device()));
  // Output pixel (y, x) reads padded (y + m - dy, x + m - dx).
  const auto rows = (coords.view({1, side, 1}) + m - shifts.select(1, 1).view({b, 1, 1}));
  const auto cols = (coords.view({1, 1, side}) + m - shifts.select(1, 0).view({b, 1, 1}));
  const auto index = (rows * padded_side + cols).reshape({b, side * side});
  return padded.gather(1, index);
}

}  // namespace nnn
