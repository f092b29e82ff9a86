// Degradations: deterministic for a seed, and each changes what it should.
#include "nnn/data/degrade.h"
#include "nnn/data/degrade_fields.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace nnn {
namespace {

// 16 images of 28x28 with sharp random strokes (high-frequency content).
torch::Tensor sharp_images() {
  torch::manual_seed(1);
  return (torch::rand({16, 28 * 28}) > 0.8).to(torch::kFloat32);
}

// Mean squared difference between horizontal and vertical neighbours.
double high_frequency_energy(const torch::Tensor& rows) {
  const auto x = rows.view({-1, 28, 28});
  const auto dx = x.narrow(2, 1, 27) - x.narrow(2, 0, 27);
  const auto dy = x.narrow(1, 1, 27) - x.narrow(1, 0, 27);
  return (dx.pow(2).mean() + dy.pow(2).mean()).item<double>();
}

// The frames report names the keys set away from their defaults, from the
// one table of degrade keys.
TEST(Degrade, DescriptionWalksTheTable) {
  DegradeOptions d;
  EXPECT_EQ(describe_degrade(d), "none");
  d.shift = 1.5;
  d.noise_std = 0.3;
  d.rotation = 10;
  EXPECT_EQ(describe_degrade(d), "shift 1.5 px, rotation 10 degrees, noise_std 0.3");
}

TEST(Degrade, DeterministicForASeed) {
  DegradeOptions o;
  o.shift = 2.0;
  o.rotation = 10.0;
  o.motion_length = 5;
  o.blur_sigma = 1.0;
  o.low_resolution = 14;
  o.contrast = 0.5;
  o.noise_std = 0.2;
  const auto x = sharp_images();
  EXPECT_TRUE(torch::equal(degrade(x, o, 7), degrade(x, o, 7)));
  EXPECT_FALSE(torch::equal(degrade(x, o, 7), degrade(x, o, 8)));
  EXPECT_EQ(degrade(x, o, 7).sizes(), x.sizes());
  EXPECT_TRUE(torch::equal(degrade(x, DegradeOptions(), 7), x));  // nothing asked, nothing done
}

TEST(Degrade, BlursLowerHighFrequencyEnergy) {
  const auto x = sharp_images();
  const double sharp = high_frequency_energy(x);
  DegradeOptions gauss;
  gauss.blur_sigma = 1.5;
  DegradeOptions motion;
  motion.motion_length = 7;
  motion.motion_angle = 30;
  DegradeOptions low;
  low.low_resolution = 10;
  for (const auto& o : {gauss, motion, low}) {
    EXPECT_LT(high_frequency_energy(degrade(x, o, 3)), 0.5 * sharp);
  }
  // Blurs keep the brightness away from the borders: kernels sum to one.
  EXPECT_NEAR(gaussian_kernel(1.3).sum().item<double>(), 1.0, 1e-6);
  EXPECT_NEAR(motion_kernel(6, 45).sum().item<double>(), 1.0, 1e-6);
  // A horizontal motion kernel is a horizontal line.
  const auto h = motion_kernel(5, 0);
  EXPECT_NEAR(h[2].sum().item<double>(), 1.0, 1e-6);
  // A vertical one is its transpose; a batch of angles gives each its kernel.
  EXPECT_TRUE(torch::allclose(motion_kernel(5, 90), h.t(), 1e-6, 1e-6));
  const auto batch = motion_kernels(5, torch::tensor({0.0, 90.0, 33.0}));
  EXPECT_TRUE(torch::allclose(batch[1], h.t(), 1e-6, 1e-6));
  EXPECT_TRUE(torch::allclose(batch.sum({1, 2}), torch::ones({3}), 1e-6, 1e-6));
  EXPECT_FALSE(torch::allclose(batch[2], h, 1e-3, 1e-3));
}

TEST(Degrade, NoiseHasTheConfiguredStd) {
  DegradeOptions o;
  o.noise_std = 0.1;  // on mid grey, 5 std from the clipping bounds
  const auto grey = torch::full({64, 28 * 28}, 0.5f);
  const auto noisy = degrade(grey, o, 11);
  EXPECT_NEAR(noisy.std().item<double>(), 0.1, 0.002);
  EXPECT_NEAR(noisy.mean().item<double>(), 0.5, 0.002);
}

TEST(Degrade, PixelsAreClippedToTheUnitRange) {
  DegradeOptions o;
  o.noise_std = 0.5;
  const auto noisy = degrade(sharp_images(), o, 3);
  EXPECT_GE(noisy.min().item<double>(), 0.0);
  EXPECT_LE(noisy.max().item<double>(), 1.0);
  EXPECT_GT(noisy.eq(0).sum().item<int64_t>(), 0);  // the noise did reach the bounds
  EXPECT_GT(noisy.eq(1).sum().item<int64_t>(), 0);
}

TEST(Degrade, ContrastScalesDeviationsFromTheMean) {
  DegradeOptions o;
  o.contrast = 0.25;
  const auto x = sharp_images();
  const auto y = degrade(x, o, 1);
  EXPECT_NEAR((y.std(1) / x.std(1)).mean().item<double>(), 0.25, 1e-4);
  EXPECT_TRUE(torch::allclose(y.mean(1), x.mean(1), 1e-5, 1e-5));
}

TEST(Degrade, ShiftMovesTheCentreOfMass) {
  auto x = torch::zeros({32, 28 * 28});
  x.view({32, 28, 28}).narrow(1, 12, 4).narrow(2, 12, 4).fill_(1.0f);  // a centred square
  DegradeOptions o;
  o.shift = 3.0;
  const auto y = degrade(x, o, 5).view({32, 28, 28});
  const auto cols = torch::arange(28, torch::kFloat32);
  const auto cx = (y.sum(1) * cols).sum(1) / y.sum({1, 2});
  EXPECT_GT(cx.std().item<double>(), 0.5);  // images moved by different amounts
  EXPECT_LE((cx - 13.5).abs().max().item<double>(), 3.0 + 1e-3);
}

TEST(Degrade, FramesAreIndependentDraws) {
  DegradeOptions o;
  o.noise_std = 0.1;
  o.shift = 1.0;
  const auto x = sharp_images();
  const auto frames = degrade_frames(x, 4, o, 9);
  EXPECT_EQ(frames.sizes(), (std::vector<int64_t>{4, 16, 28 * 28}));
  for (int64_t f = 1; f < 4; ++f) EXPECT_FALSE(torch::equal(frames[f], frames[0]));
  EXPECT_TRUE(torch::equal(frames, degrade_frames(x, 4, o, 9)));
  // The noise of two frames is uncorrelated.
  DegradeOptions noise;
  noise.noise_std = 0.1;
  const auto pure = degrade_frames(torch::full({16, 28 * 28}, 0.5f), 2, noise, 9);
  const auto n0 = pure[0].flatten();
  const auto n1 = pure[1].flatten();
  const double correlation = ((n0 - n0.mean()) * (n1 - n1.mean())).mean().item<double>() /
                             (n0.std().item<double>() * n1.std().item<double>());
  EXPECT_LT(std::abs(correlation), 0.05);
}

}  // namespace
}  // namespace nnn
