// The degrade keys' table and what is generated from it.
#include "nnn/data/degrade_fields.h"

#include <fmt/format.h>

#include <cmath>

namespace nnn {

double DegradeField::get(const DegradeOptions& options) const {
  return std::visit([&](auto m) { return static_cast<double>(options.*m); }, member);
}

void DegradeField::set(DegradeOptions& options, double value) const {
  std::visit(
      [&](auto m) {
        using T = std::decay_t<decltype(options.*m)>;
        options.*m = static_cast<T>(value);
      },
      member);
}

const std::vector<DegradeField>& degrade_fields() {
  // The bounds keep every degradation's work finite and its kernel smaller
  // than any image nnn degrades (MNIST-sized 28 px, plates of a few
  // hundred): a blur of sigma 1e6 would build a kernel of 6e6 pixels a side.
  static const std::vector<DegradeField> kFields = {
      {"shift", &DegradeOptions::shift, 0, 64, "px",
       "random translation up to this many pixels, uniform in [-shift, shift] (0: off)"},
      {"rotation", &DegradeOptions::rotation, 0, 180, "degrees",
       "random rotation up to this many degrees either way (0: off)"},
      {"motion_length", &DegradeOptions::motion_length, 0, 64, "px",
       "motion-blur length (0 or 1: off)"},
      {"motion_angle", &DegradeOptions::motion_angle, -1, 360, "degrees",
       "motion direction; -1: a random angle per image"},
      {"blur_sigma", &DegradeOptions::blur_sigma, 0, 16, "px",
       "Gaussian blur standard deviation (0: off)"},
      {"low_resolution", &DegradeOptions::low_resolution, 0, 4096, "px",
       "downscale to this side, then back up (0: off; else >= 2)"},
      {"contrast", &DegradeOptions::contrast, 0.001, 1, "",
       "scale of deviations from each image's mean (1: off)"},
      {"noise_std", &DegradeOptions::noise_std, 0, 10, "",
       "standard deviation of additive Gaussian noise on [0, 1] pixels (0: off)"},
  };
  return kFields;
}

std::string degrade_value_problem(const DegradeField& field, double value) {
  if (!std::isfinite(value)) return fmt::format("must be a finite number; found {}", value);
  if (field.is_integer() && value != std::floor(value)) {
    return fmt::format("must be a whole number; found {}", value);
  }
  if (value < field.low || value > field.high) {
    return fmt::format("must be in {}..{}{}; found {}", field.low, field.high,
                       *field.unit ? std::string(" ") + field.unit : "", value);
  }
  if (std::string(field.key) == "low_resolution" && value == 1) {
    return "must be 0 (off) or >= 2 pixels; found 1";
  }
  if (std::string(field.key) == "motion_angle" && value < 0 && value != -1) {
    return fmt::format("must be -1 (random) or 0..360 degrees; found {}", value);
  }
  return "";
}

std::string degrade_reference_markdown() {
  const DegradeOptions defaults;
  std::string out = "| `data.degrade` key | default | range | meaning |\n|---|---|---|---|\n";
  for (const auto& f : degrade_fields()) {
    out += fmt::format("| `{}` | `{}` | {}..{}{} | {} |\n", f.key, f.get(defaults), f.low, f.high,
                       *f.unit ? std::string(" ") + f.unit : "", f.doc);
  }
  return out;
}

}  // namespace nnn
