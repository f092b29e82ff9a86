// Synthetic traffic videos.
#include "nnn/video/scene.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/functional/conv.h>
#include <torch/nn/functional/upsampling.h>
#include <torch/nn/functional/vision.h>

#include <cmath>

#include "nnn/data/degrade.h"
#include "nnn/util/error.h"
#include "nnn/util/seeds.h"

namespace nnn {

namespace F = torch::nn::functional;

namespace {

constexpr double kPi = 3.14159265358979323846;

// Same-size convolution of one frame [H, W] with a kernel [k, k].
torch::Tensor convolve_frame(const torch::Tensor& image, const torch::Tensor& kernel) {
  return convolve(image.view({1, 1, image.size(0), image.size(1)}), kernel)
      .view({image.size(0), image.size(1)});
}

// A static background: smooth texture, blocks of clutter (some as light as
// a plate), lines, fine grain.
torch::Tensor background(int64_t h, int64_t w, at::Generator& gen) {
  auto coarse = torch::randn({1, 1, h / 16 + 2, w / 16 + 2}, gen);
  auto smooth = F::interpolate(coarse, F::InterpolateFuncOptions()
                                           .size(std::vector<int64_t>{h, w})
                                           .mode(torch::kBilinear)
                                           .align_corners(false))
                    .view({h, w});
  auto scene = 0.4 + 0.12 * smooth;
  const auto u = torch::rand({12, 5}, gen);
  for (int64_t i = 0; i < 12; ++i) {
    const auto x0 = static_cast<int64_t>(u[i][0].item<double>() * static_cast<double>(w));
    const auto y0 = static_cast<int64_t>(u[i][1].item<double>() * static_cast<double>(h));
    const auto bw = 8 + static_cast<int64_t>(u[i][2].item<double>() * static_cast<double>(w) / 4);
    const auto bh = 4 + static_cast<int64_t>(u[i][3].item<double>() * static_cast<double>(h) / 5);
    const double level = 0.1 + 0.8 * u[i][4].item<double>();
    if (i % 3 == 2) {  // a thin line
      scene.narrow(0, y0, std::min<int64_t>(2, h - y0))
          .narrow(1, x0, std::min(bw * 2, w - x0))
          .fill_(level);
    } else {
      scene.narrow(0, y0, std::min(bh, h - y0)).narrow(1, x0, std::min(bw, w - x0)).fill_(level);
    }
  }
  return (scene + 0.03 * torch::randn({h, w}, gen)).clamp(0.0, 1.0);
}

// The sampling grid [1, H, W, 2] that maps scene pixels into the plate image
// (normalised coordinates, align_corners false) for one pose.
torch::Tensor plate_grid(int64_t h, int64_t w, double cx, double cy, double scale, double degrees,
                         int64_t pw, int64_t ph) {
  const double a = degrees * kPi / 180.0, c = std::cos(a), s = std::sin(a);
  const auto ys = torch::arange(h, torch::kFloat64).add(0.5).view({h, 1}).expand({h, w});
  const auto xs = torch::arange(w, torch::kFloat64).add(0.5).view({1, w}).expand({h, w});
  const auto dx = xs - cx, dy = ys - cy;
  // Inverse rotation, then scale: plate coordinates relative to its centre.
  const auto u = (c * dx + s * dy) / scale, v = (-s * dx + c * dy) / scale;
  const auto gx = u / (static_cast<double>(pw) / 2.0);
  const auto gy = v / (static_cast<double>(ph) / 2.0);
  return torch::stack({gx, gy}, -1).to(torch::kFloat32).unsqueeze(0);
}

}  // namespace

VideoOptions VideoOptions::preset(const std::string& difficulty) {
  VideoOptions o;
  if (difficulty == "easy") {
    o.speed = 3.0;
    o.noise_std = 0.03;
    o.occlusion = 0.0;
    o.defocus = 0.5;
  } else if (difficulty == "medium") {
    o.speed = 6.0;
    o.noise_std = 0.06;
    o.occlusion = 0.3;
  } else if (difficulty == "hard") {
    o.speed = 10.0;
    o.noise_std = 0.10;
    o.occlusion = 0.7;
    o.defocus = 1.0;
    o.contrast = 0.45;
  } else {
    NNN_CHECK(false, "difficulty: expected easy, medium or hard; found ", quoted(difficulty, 20));
  }
  return o;
}

void VideoOptions::validate() const {
  NNN_CHECK(width >= 64 && width <= 4096 && height >= 64 && height <= 4096,
            "video size: expected 64 to 4096 pixels a side; got ", width, "x", height);
  NNN_CHECK(digits >= 1 && digits <= 12, "video digits: expected 1 to 12; got ", digits);
  NNN_CHECK(frames >= 1 && frames <= 1000, "video frames: expected 1 to 1000; got ", frames);
  NNN_CHECK(speed >= 0 && speed <= 100, "video speed: expected 0 to 100 pixels per frame; got ",
            speed);
  NNN_CHECK(scale_start > 0.2 && scale_end > 0.2 && scale_start <= 20 && scale_end <= 20,
            "video scale: expected 0.2 to 20; got ", scale_start, " to ", scale_end);
  NNN_CHECK(static_cast<double>(plate_width(digits)) * std::max(scale_start, scale_end) + 8 <
                static_cast<double>(width),
            "video: a plate of ", digits, " digits at scale ", std::max(scale_start, scale_end),
            " does not fit a scene ", width, " pixels wide");
  NNN_CHECK(max_rotation >= 0 && max_rotation <= 45, "video rotation: expected 0 to 45 degrees");
  NNN_CHECK(motion_blur >= 0 && defocus >= 0 && defocus <= 10 && noise_std >= 0 && noise_std <= 1,
            "video blur and noise: expected motion_blur >= 0, defocus 0 to 10, noise 0 to 1");
  NNN_CHECK(contrast > 0 && contrast <= 1, "video contrast: expected (0, 1]; got ", contrast);
  NNN_CHECK(occlusion >= 0 && occlusion <= 1, "video occlusion: expected 0 to 1; got ", occlusion);
}

torch::Tensor render_plate_image(const torch::Tensor& digits) {
  const int64_t k = digits.size(0);
  auto plate = torch::full({kPlateHeight, plate_width(k)}, 0.92, torch::kFloat32);
  const auto ink =
      digits.to(torch::kFloat32).view({k, 28, 28}).permute({1, 0, 2}).reshape({28, 28 * k});
  plate.narrow(0, kPlateBorder, 28).narrow(1, kPlateBorder, 28 * k).sub_(0.85 * ink);
  // A thin dark frame, as plates have.
  plate.narrow(0, 0, 1).fill_(0.2);
  plate.narrow(0, kPlateHeight - 1, 1).fill_(0.2);
  plate.narrow(1, 0, 1).fill_(0.2);
  plate.narrow(1, plate.size(1) - 1, 1).fill_(0.2);
  return plate.clamp(0.0, 1.0);
}

SyntheticVideo make_video(const torch::Tensor& images, const torch::Tensor& labels,
                          const VideoOptions& o) {
  o.validate();
  NNN_CHECK(images.dim() == 2 && images.size(1) == 784 && images.size(0) > 0,
            "make-video needs 28x28 digit images; got ", images.sizes());
  NNN_CHECK(labels.numel() == images.size(0) && labels.max().item<int64_t>() <= 9,
            "make-video needs digit classes 0-9");
  const int64_t h = o.height, w = o.width, pw = plate_width(o.digits), ph = kPlateHeight;
  auto gen = at::detail::createCPUGenerator(mix_seed(o.seed, salt::kVideo));
  SyntheticVideo video;
  const auto chosen = torch::randint(images.size(0), {o.digits}, gen, torch::kLong);
  for (int64_t k = 0; k < o.digits; ++k) {
    video.reading += std::to_string(labels[chosen[k].item<int64_t>()].item<int64_t>());
    video.digit_rows.push_back(chosen[k].item<int64_t>());
  }
  const auto plate = render_plate_image(images.index_select(0, chosen)).view({1, 1, ph, pw});
  const auto scene = background(h, w, gen);

  // A smooth trajectory that keeps the plate inside the scene: a midpoint,
  // a heading, a gentle curve; redrawn (slower) until every frame fits.
  const double f1 = static_cast<double>(std::max<int64_t>(o.frames - 1, 1));
  const auto scale_at = [&](int64_t t) {
    return o.scale_start + (o.scale_end - o.scale_start) * static_cast<double>(t) / f1;
  };
  const double sway_phase = 2 * kPi * torch::rand({1}, gen).item<double>();
  const auto degrees_at = [&](int64_t t) {
    return o.max_rotation * std::sin(sway_phase + 0.6 * static_cast<double>(t));
  };
  std::vector<std::array<double, 2>> centre(static_cast<size_t>(o.frames));
  double speed = o.speed;
  for (int attempt = 0;; ++attempt) {
    const auto r = torch::rand({5}, gen);
    const double heading = 2 * kPi * r[0].item<double>();
    const double curve = (r[1].item<double>() - 0.5) * 0.04 * speed;
    const double mx = w * (0.3 + 0.4 * r[2].item<double>());
    const double my = h * (0.3 + 0.4 * r[3].item<double>());
    bool fits = true;
    for (int64_t t = 0; t < o.frames; ++t) {
      const double s = static_cast<double>(t) - f1 / 2;
      const double along = speed * s, side = curve * s * s;
      const double x = mx + along * std::cos(heading) - side * std::sin(heading);
      const double y = my + along * std::sin(heading) + side * std::cos(heading);
      centre[static_cast<size_t>(t)] = {x, y};
      const double half_diag = 0.5 * scale_at(t) * std::hypot(pw, ph);
      fits = fits && x - half_diag > 2 && x + half_diag < w - 2 && y - half_diag > 2 &&
             y + half_diag < h - 2;
    }
    if (fits) break;
    NNN_CHECK(attempt < 200, "make-video: cannot fit a plate of ", o.digits, " digits moving at ",
              o.speed, " pixels per frame in ", w, "x", h, " for ", o.frames, " frames");
    if (attempt % 20 == 19) speed *= 0.8;
  }

  // An occluder: a dark vertical bar sweeping across the plate's path over
  // a stretch of frames.
  const auto occ = torch::rand({4}, gen);
  const bool occluded = occ[0].item<double>() < o.occlusion && o.frames >= 3;
  const int64_t occ_first =
      static_cast<int64_t>(occ[1].item<double>() * static_cast<double>(o.frames) * 0.5);
  const int64_t occ_length = std::max<int64_t>(1, o.frames / 3);
  const double occ_width = 0.4 * static_cast<double>(pw) * o.scale_start;

  const auto noise = torch::randn({o.frames, h, w}, gen);
  std::vector<torch::Tensor> frames;
  for (int64_t t = 0; t < o.frames; ++t) {
    FrameTruth truth;
    truth.cx = centre[static_cast<size_t>(t)][0];
    truth.cy = centre[static_cast<size_t>(t)][1];
    truth.scale = scale_at(t);
    truth.degrees = degrees_at(t);
    const double a = truth.degrees * kPi / 180.0;
    const double hw = 0.5 * truth.scale * static_cast<double>(pw), hh = 0.5 * truth.scale * ph;
    const double corner_offsets[4][2] = {{-hw, -hh}, {hw, -hh}, {hw, hh}, {-hw, hh}};
    for (int i = 0; i < 4; ++i) {
      const double ox = corner_offsets[i][0], oy = corner_offsets[i][1];
      truth.corners[static_cast<size_t>(i)] = {truth.cx + std::cos(a) * ox - std::sin(a) * oy,
                                               truth.cy + std::sin(a) * ox + std::cos(a) * oy};
    }
    truth.box = Box::around(truth.cx, truth.cy, 2 * hw, 2 * hh);

    const auto grid = plate_grid(h, w, truth.cx, truth.cy, truth.scale, truth.degrees, pw, ph);
    const auto opts = F::GridSampleFuncOptions()
                          .mode(torch::kBilinear)
                          .padding_mode(torch::kZeros)
                          .align_corners(false);
    auto ink = F::grid_sample(plate, grid, opts).view({h, w});
    auto mask = F::grid_sample(torch::ones_like(plate), grid, opts).view({h, w});
    // Motion blur along the displacement since the previous frame.
    const auto& prev = centre[static_cast<size_t>(std::max<int64_t>(t - 1, 0))];
    const auto& next = centre[static_cast<size_t>(std::min<int64_t>(t + 1, o.frames - 1))];
    const double mdx = (next[0] - prev[0]) / (t > 0 && t + 1 < o.frames ? 2.0 : 1.0);
    const double mdy = (next[1] - prev[1]) / (t > 0 && t + 1 < o.frames ? 2.0 : 1.0);
    const auto length = static_cast<int64_t>(std::lround(o.motion_blur * std::hypot(mdx, mdy)));
    if (length > 1) {
      const auto kernel = motion_kernel(length, -std::atan2(mdy, mdx) * 180.0 / kPi);
      ink = convolve_frame(ink * mask, kernel);
      mask = convolve_frame(mask, kernel);
    } else {
      ink = ink * mask;
    }
    auto frame = ink + (1 - mask) * scene;
    if (occluded && t >= occ_first && t < occ_first + occ_length) {
      // The bar crosses the plate from its left edge to its right edge.
      const double progress =
          (static_cast<double>(t - occ_first) + 0.5) / static_cast<double>(occ_length);
      const double bar_cx = truth.box.x + progress * truth.box.w;
      const auto x0 = std::max<int64_t>(0, static_cast<int64_t>(bar_cx - occ_width / 2));
      const auto x1 = std::min<int64_t>(w, static_cast<int64_t>(bar_cx + occ_width / 2));
      if (x1 > x0) {
        const double plate_area = mask.sum().item<double>();
        const double hidden = mask.narrow(1, x0, x1 - x0).sum().item<double>();
        truth.occluded = plate_area > 0 ? hidden / plate_area : 0.0;
        frame.narrow(1, x0, x1 - x0).fill_(0.12);
      }
    }
    if (o.defocus > 0) frame = convolve_frame(frame, gaussian_kernel(o.defocus));
    frame = o.contrast * frame + (1 - o.contrast) * 0.15 + o.noise_std * noise[t];
    frames.push_back(frame.clamp(0.0, 1.0));
    video.truth.push_back(truth);
  }
  video.frames = torch::stack(frames);
  return video;
}

}  // namespace nnn
