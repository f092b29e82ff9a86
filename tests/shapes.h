// A tiny image data set for tests that need digit-like 28x28 images without
// downloaded data.
#pragma once

#include <ATen/CPUGeneratorImpl.h>
#include <torch/types.h>

#include "nnn/data/idx.h"

#include <utility>

namespace nnn::testing {

// Four shapes MNIST-style (light on dark, about 20 px, centred), jittered
// by up to 2 px: 0 a filled square, 1 a vertical bar, 2 a horizontal bar,
// 3 a hollow square.
inline IdxArray shapes(int64_t n, uint64_t seed, IdxArray* labels) {
  IdxArray images;
  images.dims = {n, 28, 28};
  images.data.assign(static_cast<size_t>(n * 784), 0);
  labels->dims = {n};
  labels->data.resize(static_cast<size_t>(n));
  auto gen = at::detail::createCPUGenerator(seed);
  const auto jitter = torch::randint(-2, 3, {n, 2}, gen, torch::kLong);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t c = i % 4;
    labels->data[static_cast<size_t>(i)] = static_cast<uint8_t>(c);
    const int64_t dx = jitter[i][0].item<int64_t>(), dy = jitter[i][1].item<int64_t>();
    for (int64_t y = 4; y < 24; ++y) {
      for (int64_t x = 4; x < 24; ++x) {
        const bool vertical = x >= 12 && x < 16, horizontal = y >= 12 && y < 16;
        const bool ring = x < 8 || x >= 20 || y < 8 || y >= 20;
        const bool ink = c == 0   ? (x >= 8 && x < 20 && y >= 8 && y < 20)
                         : c == 1 ? vertical
                         : c == 2 ? horizontal
                                  : ring;
        if (ink) images.data[static_cast<size_t>(i * 784 + (y + dy) * 28 + x + dx)] = 230;
      }
    }
  }
  return images;
}

// The same as tensors: images [n, 784] in [0, 1] and labels [n] (int64).
inline std::pair<torch::Tensor, torch::Tensor> shape_tensors(int64_t n, uint64_t seed) {
  IdxArray labels;
  const IdxArray images = shapes(n, seed, &labels);
  const auto x = torch::from_blob(const_cast<uint8_t*>(images.data.data()), {n, 784}, torch::kUInt8)
                     .to(torch::kFloat32) /
                 255.0;
  const auto y = torch::from_blob(labels.data.data(), {n}, torch::kUInt8).to(torch::kLong);
  return {x, y};
}

}  // namespace nnn::testing
