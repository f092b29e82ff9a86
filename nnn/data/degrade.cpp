// Degradations as batched tensor operations: one affine resampling for all
// shifts and rotations, convolutions for the blurs, two resizes for the low
// resolution.
#include "nnn/data/degrade.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/functional.h>

#include <cmath>

#include "nnn/data/augment.h"
#include "nnn/util/error.h"

namespace nnn {

namespace F = torch::nn::functional;

torch::Tensor feed_frames(const torch::Tensor& frames, FrameFeed feed) {
  NNN_CHECK(frames.dim() == 3, "frames must be [F, B, D]; got ", frames.sizes());
  switch (feed) {
    case FrameFeed::kSingle:
      return frames[0];
    case FrameFeed::kAverage:
    case FrameFeed::kAverageRandom:
      return frames.mean(0);
    case FrameFeed::kSequence:
      break;
  }
  return frames;
}

torch::Tensor random_prefix_average(const torch::Tensor& frames, uint64_t seed) {
  NNN_CHECK(frames.dim() == 3, "frames must be [F, B, D]; got ", frames.sizes());
  const int64_t f = frames.size(0);
  auto generator = at::detail::createCPUGenerator(seed);
  const auto counts = torch::randint(1, f + 1, {frames.size(1)}, generator,
                                     torch::TensorOptions().dtype(torch::kLong));  // [B]
  const auto running = frames.cumsum(0) / torch::arange(1, f + 1, frames.options()).view({f, 1, 1});
  // Sample b takes row counts[b] - 1 of its running means.
  const auto index =
      (counts - 1).to(frames.device()).view({1, -1, 1}).expand({1, frames.size(1), frames.size(2)});
  return running.gather(0, index)[0];
}

torch::Tensor gaussian_kernel(double sigma) {
  NNN_CHECK(sigma > 0, "blur_sigma must be > 0; got ", sigma);
  const auto radius = static_cast<int64_t>(std::ceil(3.0 * sigma));
  const auto x = torch::arange(-radius, radius + 1, torch::kFloat32);
  const auto g = torch::exp(-x * x / (2.0 * sigma * sigma));
  const auto k = g.unsqueeze(1) * g.unsqueeze(0);
  return k / k.sum();
}

torch::Tensor motion_kernels(int64_t length, const torch::Tensor& degrees) {
  NNN_CHECK(length >= 1, "motion_length must be >= 1; got ", length);
  const int64_t size = length % 2 == 1 ? length : length + 1;
  const int64_t b = degrees.size(0);
  const double c = static_cast<double>(size / 2);
  // Sample each segment densely and splat every point bilinearly.
  const int64_t samples = 8 * length;
  const auto opts = torch::TensorOptions().dtype(torch::kDouble);
  const auto t = (torch::arange(samples, opts) + 0.5) / static_cast<double>(samples) - 0.5;
  const auto radians = degrees.to(torch::kDouble).unsqueeze(1) * (M_PI / 180.0);  // [B, 1]
  const auto reach = t.unsqueeze(0) * static_cast<double>(length - 1);            // [1, S]
  const auto x = c + reach * torch::cos(radians);                                 // [B, S]
  const auto y = c - reach * torch::sin(radians);
  const auto x0 = x.floor(), y0 = y.floor();
  const auto fx = x - x0, fy = y - y0;
  auto kernels = torch::zeros({b, size * size}, opts);
  for (int dy = 0; dy < 2; ++dy) {
    for (int dx = 0; dx < 2; ++dx) {
      const auto xx = x0 + dx, yy = y0 + dy;
      const auto w = (dy ? fy : 1 - fy) * (dx ? fx : 1 - fx);
      const auto inside = (xx >= 0) & (xx < size) & (yy >= 0) & (yy < size);
      const auto index = (yy * size + xx).clamp(0, size * size - 1).to(torch::kLong);
      kernels.scatter_add_(1, index, torch::where(inside, w, torch::zeros_like(w)));
    }
  }
  kernels /= kernels.sum(1, /*keepdim=*/true);
  return kernels.to(torch::kFloat32).view({b, size, size});
}

torch::Tensor motion_kernel(int64_t length, double degrees) {
  return motion_kernels(length, torch::tensor({degrees}, torch::kDouble))[0];
}

torch::Tensor convolve(const torch::Tensor& images, const torch::Tensor& kernels) {
  const int64_t b = images.size(0);
  if (kernels.dim() == 2) {
    const int64_t pad = kernels.size(0) / 2;
    return F::conv2d(images, kernels.view({1, 1, kernels.size(0), kernels.size(1)}),
                     F::Conv2dFuncOptions().padding(pad));
  }
  const int64_t pad = kernels.size(1) / 2;
  const auto grouped = images.view({1, b, images.size(2), images.size(3)});
  const auto weight = kernels.view({b, 1, kernels.size(1), kernels.size(2)});
  return F::conv2d(grouped, weight, F::Conv2dFuncOptions().padding(pad).groups(b))
      .view({b, 1, images.size(2), images.size(3)});
}

torch::Tensor degrade(const torch::Tensor& images, const DegradeOptions& o, uint64_t seed) {
  NNN_CHECK(images.dim() == 2, "degrade: images must be [B, S*S]; got ", images.sizes());
  const int64_t b = images.size(0);
  const auto side =
      static_cast<int64_t>(std::lround(std::sqrt(static_cast<double>(images.size(1)))));
  NNN_CHECK(side * side == images.size(1), "degrade: images must be square; rows have ",
            images.size(1), " values");
  if (!o.any() || b == 0) return images;
  auto gen = at::detail::createCPUGenerator(seed);
  const auto cpu = torch::TensorOptions().dtype(torch::kFloat32);
  auto uniform = [&](double lo, double hi, int64_t n) {
    return torch::empty({n}, cpu).uniform_(lo, hi, gen);
  };
  auto x = images.to(torch::kFloat32).view({b, 1, side, side});
  const auto device = images.device();

  if (o.shift > 0 || o.rotation > 0) {
    const auto angle = uniform(-o.rotation, o.rotation, b) * (M_PI / 180.0);
    // Normalised coordinates span 2 over the side: t pixels = 2t / S.
    const auto tx = uniform(-o.shift, o.shift, b) * (2.0 / static_cast<double>(side));
    const auto ty = uniform(-o.shift, o.shift, b) * (2.0 / static_cast<double>(side));
    const auto cos = torch::cos(angle), sin = torch::sin(angle);
    const auto theta =
        torch::stack({torch::stack({cos, -sin, tx}, 1), torch::stack({sin, cos, ty}, 1)}, 1);
    const auto grid = F::affine_grid(theta.to(device), {b, 1, side, side}, /*align_corners=*/false);
    x = F::grid_sample(x, grid,
                       F::GridSampleFuncOptions()
                           .mode(torch::kBilinear)
                           .padding_mode(torch::kZeros)
                           .align_corners(false));
  }
  if (o.motion_length > 1) {
    if (o.motion_angle >= 0) {
      x = convolve(x, motion_kernel(o.motion_length, o.motion_angle).to(device));
    } else {
      x = convolve(x, motion_kernels(o.motion_length, uniform(0.0, 180.0, b)).to(device));
    }
  }
  if (o.blur_sigma > 0) x = convolve(x, gaussian_kernel(o.blur_sigma).to(device));
  if (o.low_resolution > 0) {
    NNN_CHECK(o.low_resolution < side, "low_resolution is ", o.low_resolution,
              " but the images are only ", side, " pixels wide");
    x = F::interpolate(x, F::InterpolateFuncOptions()
                              .size(std::vector<int64_t>{o.low_resolution, o.low_resolution})
                              .mode(torch::kArea));
    x = F::interpolate(x, F::InterpolateFuncOptions()
                              .size(std::vector<int64_t>{side, side})
                              .mode(torch::kBilinear)
                              .align_corners(false));
  }
  if (o.contrast != 1.0) {
    const auto mean = x.mean({1, 2, 3}, /*keepdim=*/true);
    x = mean + o.contrast * (x - mean);
  }
  if (o.noise_std > 0) {
    x = x + o.noise_std * torch::empty({b, 1, side, side}, cpu).normal_(0.0, 1.0, gen).to(device);
  }
  // A camera's pixels saturate: the frame stays within [0, 1].
  return x.clamp(0.0, 1.0).reshape({b, side * side});
}

torch::Tensor degrade_frames(const torch::Tensor& images, int64_t frames, const DegradeOptions& o,
                             uint64_t seed) {
  NNN_CHECK(frames >= 1, "frames must be >= 1; got ", frames);
  std::vector<torch::Tensor> out;
  for (int64_t f = 0; f < frames; ++f)
    out.push_back(degrade(images, o, mix_seed(seed, static_cast<uint64_t>(f), salt::kFrame)));
  return torch::stack(out);
}

}  // namespace nnn
