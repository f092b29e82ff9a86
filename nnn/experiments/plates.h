// `nnn make-plates`: synthetic licence plates from test digits, so plate
// reading can be tried and tested end to end without private data. Each
// plate is K digits side by side (a 28K x 28 strip, dark ink on a light
// ground, like a photo), rendered as F frames whose digits are degraded
// independently per frame.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nnn/data/data_config.h"
#include "nnn/data/pgm.h"

namespace at {
class Tensor;  // torch::Tensor
}  // namespace at

namespace nnn {

struct PlateOptions {
  int64_t plates = 5;
  int64_t digits = 4;  // K per plate
  int64_t frames = 6;  // F per plate
  DegradeOptions degrade;
  uint64_t seed = 0;
};

struct Plate {
  std::string reading;             // the true digits
  std::vector<std::string> files;  // its F frames, in order
};

/// One plate of the digits `chosen` [K] (rows of `images` [N, 784], pixels
/// in [0, 1], light ink; classes in `labels` [N]): `frame_count` strips of
/// 28 x 28K pixels, dark ink on a light ground, each digit degraded
/// independently per frame with `seed`.
struct RenderedPlate {
  std::string reading;            // the true digits
  std::vector<GreyImage> frames;  // in order
};
RenderedPlate render_plate(const at::Tensor& images, const at::Tensor& labels,
                           const at::Tensor& chosen, int64_t frame_count,
                           const DegradeOptions& degrade, uint64_t seed);

/// Picks digits from `images` [N, 784] (pixels in [0, 1], light ink) with
/// `labels` [N] (classes 0..9), seeded; writes dir/plate_NNN/frame_MM.pgm and
/// dir/plates.tsv (name, reading, frame files); returns the plates.
std::vector<Plate> make_plates(const at::Tensor& images, const at::Tensor& labels,
                               const PlateOptions& options, const std::string& dir);

/// The same from the test digits of `data` (its training digits when it has
/// no test set), loaded with `data_seed` as 8-bit pixels scaled to [0, 1]
/// and without frames.
std::vector<Plate> make_plates(const DataConfig& data, uint64_t data_seed,
                               const PlateOptions& options, const std::string& dir);

}  // namespace nnn
