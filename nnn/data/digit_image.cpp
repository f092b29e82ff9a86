// Digit normalisation and plate splitting.
#include "nnn/data/digit_image.h"

#include <algorithm>
#include <cmath>
#include <queue>

#include "nnn/util/error.h"

namespace nnn {

std::vector<float> light_on_dark(const GreyImage& image) {
  std::vector<float> v(image.pixels.size());
  for (size_t i = 0; i < v.size(); ++i) v[i] = image.pixels[i] / 255.0f;
  if (v.empty()) return v;
  // Ink covers the minority of a digit's pixels, so the median is the
  // ground's level and the ink pulls the mean towards its own: light ink
  // puts the mean above the median. (Comparing the border with the inside
  // instead misjudged 5% of noisy, low-contrast 28x28 frames.)
  std::vector<float> sorted = v;
  const auto middle = sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 2);
  std::nth_element(sorted.begin(), middle, sorted.end());
  double mean = 0;
  for (float p : v) mean += p;
  mean /= static_cast<double>(v.size());
  if (mean < *middle) {
    for (auto& p : v) p = 1.0f - p;
  }
  return v;
}

std::vector<float> to_mnist_digit(const GreyImage& image) {
  const int64_t w = image.width, h = image.height;
  const std::vector<float> v = light_on_dark(image);
  // Bounding box of the ink (values above a small threshold).
  int64_t x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (int64_t y = 0; y < h; ++y) {
    for (int64_t x = 0; x < w; ++x) {
      if (v[static_cast<size_t>(y * w + x)] > 0.1f) {
        x0 = std::min(x0, x);
        y0 = std::min(y0, y);
        x1 = std::max(x1, x);
        y1 = std::max(y1, y);
      }
    }
  }
  std::vector<float> out(28 * 28, 0.0f);
  if (x1 < 0) return out;  // blank: nothing to read
  const int64_t bw = x1 - x0 + 1, bh = y1 - y0 + 1;
  const double scale = 20.0 / static_cast<double>(std::max(bw, bh));
  const auto sw = std::max<int64_t>(1, std::lround(bw * scale));
  const auto sh = std::max<int64_t>(1, std::lround(bh * scale));
  // Box-filter resampling of the crop to sw x sh.
  std::vector<float> small(static_cast<size_t>(sw * sh), 0.0f);
  for (int64_t y = 0; y < sh; ++y) {
    for (int64_t x = 0; x < sw; ++x) {
      const double sx0 = x0 + x / scale, sx1 = x0 + (x + 1) / scale;
      const double sy0 = y0 + y / scale, sy1 = y0 + (y + 1) / scale;
      double sum = 0, area = 0;
      for (auto yy = static_cast<int64_t>(std::floor(sy0)); yy < std::ceil(sy1) && yy < h; ++yy) {
        for (auto xx = static_cast<int64_t>(std::floor(sx0)); xx < std::ceil(sx1) && xx < w; ++xx) {
          const double ox = std::min<double>(sx1, xx + 1) - std::max<double>(sx0, xx);
          const double oy = std::min<double>(sy1, yy + 1) - std::max<double>(sy0, yy);
          if (ox <= 0 || oy <= 0) continue;
          sum += ox * oy * v[static_cast<size_t>(yy * w + xx)];
          area += ox * oy;
        }
      }
      small[static_cast<size_t>(y * sw + x)] = area > 0 ? static_cast<float>(sum / area) : 0.0f;
    }
  }
  // Centre of mass of the scaled digit goes to (14, 14).
  double mass = 0, mx = 0, my = 0;
  for (int64_t y = 0; y < sh; ++y) {
    for (int64_t x = 0; x < sw; ++x) {
      const double m = small[static_cast<size_t>(y * sw + x)];
      mass += m;
      mx += m * (x + 0.5);
      my += m * (y + 0.5);
    }
  }
  const auto ox = static_cast<int64_t>(std::lround(14.0 - (mass > 0 ? mx / mass : sw / 2.0)));
  const auto oy = static_cast<int64_t>(std::lround(14.0 - (mass > 0 ? my / mass : sh / 2.0)));
  for (int64_t y = 0; y < sh; ++y) {
    for (int64_t x = 0; x < sw; ++x) {
      const int64_t tx = x + ox, ty = y + oy;
      if (tx >= 0 && tx < 28 && ty >= 0 && ty < 28) {
        out[static_cast<size_t>(ty * 28 + tx)] = small[static_cast<size_t>(y * sw + x)];
      }
    }
  }
  return out;
}

std::vector<float> digit_input(const GreyImage& image) {
  if (image.width == 28 && image.height == 28) return light_on_dark(image);
  return to_mnist_digit(image);
}

std::vector<GreyImage> split_plate(const GreyImage& plate, int64_t k, const std::string& name) {
  NNN_CHECK(k >= 1, "a plate needs K >= 1 digits; got ", k);
  // Compared by division: k comes from the command line, 4 * k may overflow.
  NNN_CHECK(k <= plate.width / 4, name, ": a plate of ", k, " digits needs at least ",
            4.0 * static_cast<double>(k), " pixels of width; the image is ", plate.width, "x",
            plate.height);
  // A digit cell is taller than wide, but not by more than 2 times.
  NNN_CHECK(plate.width * 2 >= plate.height * k, name, ": ", k, " digits in a ", plate.width, "x",
            plate.height, " image give cells ", plate.width / k, " pixels wide and ", plate.height,
            " high; a digit cell should be at least half as wide as high (is the number of digits "
            "right?)");
  std::vector<GreyImage> cells;
  for (int64_t i = 0; i < k; ++i) {
    const int64_t x0 = plate.width * i / k, x1 = plate.width * (i + 1) / k;
    GreyImage cell;
    cell.width = x1 - x0;
    cell.height = plate.height;
    for (int64_t y = 0; y < plate.height; ++y) {
      for (int64_t x = x0; x < x1; ++x) cell.pixels.push_back(plate.at(x, y));
    }
    cells.push_back(std::move(cell));
  }
  return cells;
}

std::vector<std::vector<float>> frame_digits(const GreyImage& image, int64_t k,
                                             const std::string& name) {
  if (k == 0) return {digit_input(image)};
  std::vector<std::vector<float>> digits;
  for (const GreyImage& cell : split_plate(image, k, name)) digits.push_back(digit_input(cell));
  return digits;
}

}  // namespace nnn
