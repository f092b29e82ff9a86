// The degrade keys' table.
#include "nnn/data/degrade_fields.h"

namespace nnn {

namespace {

std::string low_resolution_rule(double value) {
  return value == 1 ? "must be 0 (off) or >= 2 pixels; found 1" : "";
}

std::string motion_angle_rule(double value) {
  return value < 0 && value != -1
             ? fmt::format("must be -1 (random) or 0..360 degrees; found {}", value)
             : "";
}

}  // namespace

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
       "motion direction; -1: a random angle per image", false, motion_angle_rule},
      {"blur_sigma", &DegradeOptions::blur_sigma, 0, 16, "px",
       "Gaussian blur standard deviation (0: off)"},
      {"low_resolution", &DegradeOptions::low_resolution, 0, 4096, "px",
       "downscale to this side, then back up (0: off; else >= 2)", false, low_resolution_rule},
      {"contrast", &DegradeOptions::contrast, 0.001, 1, "",
       "scale of deviations from each image's mean (1: off)"},
      {"noise_std", &DegradeOptions::noise_std, 0, 10, "",
       "standard deviation of additive Gaussian noise on [0, 1] pixels (0: off)"},
  };
  return kFields;
}

std::string describe_degrade(const DegradeOptions& options) {
  static const DegradeOptions defaults{};
  std::string out;
  for (const auto& field : degrade_fields()) {
    const double value = field.get(options);
    if (value == field.get(defaults)) continue;
    out += fmt::format("{}{} {}{}", out.empty() ? "" : ", ", field.key, value,
                       *field.unit ? std::string(" ") + field.unit : "");
  }
  return out.empty() ? "none" : out;
}

}  // namespace nnn
