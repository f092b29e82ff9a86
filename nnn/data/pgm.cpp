// PGM I/O, digit normalisation, plate splitting and best-first readings.
#include "nnn/data/pgm.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <queue>
#include <set>
#include <sstream>

#include "nnn/util/error.h"
#include "nnn/util/files.h"

namespace nnn {

namespace {

// Reads the next header token, skipping whitespace and # comments.
std::string token(const std::string& bytes, size_t& pos) {
  while (pos < bytes.size()) {
    if (bytes[pos] == '#') {
      while (pos < bytes.size() && bytes[pos] != '\n') ++pos;
    } else if (std::isspace(static_cast<unsigned char>(bytes[pos]))) {
      ++pos;
    } else {
      break;
    }
  }
  const size_t start = pos;
  while (pos < bytes.size() && !std::isspace(static_cast<unsigned char>(bytes[pos]))) ++pos;
  return bytes.substr(start, pos - start);
}

int64_t header_number(const std::string& bytes, size_t& pos, const std::string& path,
                      const char* what) {
  const std::string t = token(bytes, pos);
  NNN_CHECK(!t.empty() && t.find_first_not_of("0123456789") == std::string::npos, path,
            ": bad PGM header: expected the ", what, ", found ", quoted(t, 20));
  NNN_CHECK(t.size() <= 9, path, ": bad PGM header: the ", what, " has ", t.size(),
            " digits; at most 9");
  return std::stoll(t);
}

}  // namespace

GreyImage read_pgm(const std::string& path) { return parse_pgm(read_file(path), path); }

GreyImage parse_pgm(const std::string& bytes, const std::string& path) {
  size_t pos = 0;
  const std::string magic = token(bytes, pos);
  NNN_CHECK(magic == "P5" || magic == "P2", path,
            ": not a PGM image (expected the magic P5 or P2, found ", quoted(magic, 8), ")");
  GreyImage image;
  image.width = header_number(bytes, pos, path, "width");
  image.height = header_number(bytes, pos, path, "height");
  const int64_t maxval = header_number(bytes, pos, path, "maximum value");
  NNN_CHECK(image.width > 0 && image.height > 0, path, ": empty image (", image.width, "x",
            image.height, ")");
  NNN_CHECK(image.width <= 16384 && image.height <= 16384, path, ": image too large (", image.width,
            "x", image.height, ")");
  NNN_CHECK(maxval >= 1 && maxval <= 255, path, ": maximum value ", maxval,
            " is not supported (8-bit PGM needs 1..255)");
  const auto count = static_cast<size_t>(image.width * image.height);
  // The header's size is checked against the bytes present before anything
  // is allocated: a small body cannot claim a huge image.
  const size_t rest = bytes.size() > pos ? bytes.size() - pos : 0;
  if (magic == "P5") {
    NNN_CHECK(rest >= count + 1, path, ": truncated: ", count, " pixels announced, ",
              rest > 0 ? rest - 1 : 0, " present");
  } else {
    // P2: each pixel takes a digit and a separator at least.
    NNN_CHECK(rest + 1 >= 2 * count, path, ": truncated: ", count, " pixels announced, at most ",
              (rest + 1) / 2, " present");
  }
  image.pixels.resize(count);
  if (magic == "P5") {
    ++pos;  // the single whitespace after maxval
    for (size_t i = 0; i < count; ++i) image.pixels[i] = static_cast<uint8_t>(bytes[pos + i]);
  } else {
    for (size_t i = 0; i < count; ++i) {
      const std::string t = token(bytes, pos);
      NNN_CHECK(!t.empty(), path, ": truncated: ", count, " pixels announced, ", i, " present");
      NNN_CHECK(t.find_first_not_of("0123456789") == std::string::npos, path, ": pixel ", i, " is ",
                quoted(t, 20), ", not a number");
      NNN_CHECK(t.size() <= 9, path, ": pixel ", i, " has ", t.size(),
                " digits, above the maximum ", maxval);
      const int64_t v = std::stoll(t);
      NNN_CHECK(v <= maxval, path, ": pixel ", i, " is ", v, ", above the maximum ", maxval);
      image.pixels[i] = static_cast<uint8_t>(v);
    }
  }
  if (maxval != 255) {
    for (auto& p : image.pixels) p = static_cast<uint8_t>(std::lround(255.0 * p / maxval));
  }
  return image;
}

std::string encode_pgm(const GreyImage& image) {
  NNN_CHECK(image.width > 0 && image.height > 0 &&
                static_cast<int64_t>(image.pixels.size()) == image.width * image.height,
            "encode_pgm: inconsistent image (", image.width, "x", image.height, ", ",
            image.pixels.size(), " pixels)");
  std::string bytes =
      "P5\n" + std::to_string(image.width) + " " + std::to_string(image.height) + "\n255\n";
  bytes.append(image.pixels.begin(), image.pixels.end());
  return bytes;
}

void write_pgm(const std::string& path, const GreyImage& image) {
  write_file_atomically(path, encode_pgm(image));
}

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

std::vector<Reading> best_readings(const std::vector<std::vector<double>>& probabilities,
                                   int64_t count) {
  const size_t k = probabilities.size();
  NNN_CHECK(k >= 1, "best_readings: no digits");
  for (size_t i = 0; i < k; ++i) {
    NNN_CHECK(!probabilities[i].empty(), "best_readings: digit ", i + 1, " has no classes");
    for (double p : probabilities[i]) {
      NNN_CHECK(std::isfinite(p) && p >= 0, "best_readings: digit ", i + 1, " has probability ", p,
                "; expected a finite number >= 0");
    }
  }
  // Per digit, the classes sorted by probability, best first.
  std::vector<std::vector<int64_t>> order(k);
  for (size_t i = 0; i < k; ++i) {
    order[i].resize(probabilities[i].size());
    for (size_t c = 0; c < order[i].size(); ++c) order[i][c] = static_cast<int64_t>(c);
    std::stable_sort(order[i].begin(), order[i].end(), [&](int64_t a, int64_t b) {
      return probabilities[i][static_cast<size_t>(a)] > probabilities[i][static_cast<size_t>(b)];
    });
  }
  // Best-first search over rank vectors: a successor raises one digit's rank.
  using Item = std::pair<double, std::vector<size_t>>;
  auto probability = [&](const std::vector<size_t>& ranks) {
    double p = 1.0;
    for (size_t i = 0; i < k; ++i) p *= probabilities[i][static_cast<size_t>(order[i][ranks[i]])];
    return p;
  };
  auto worse = [](const Item& a, const Item& b) { return a.first < b.first; };
  std::priority_queue<Item, std::vector<Item>, decltype(worse)> frontier(worse);
  std::set<std::vector<size_t>> seen;
  const std::vector<size_t> start(k, 0);
  frontier.emplace(probability(start), start);
  seen.insert(start);
  std::vector<Reading> result;
  while (!frontier.empty() && static_cast<int64_t>(result.size()) < count) {
    const Item best = frontier.top();
    frontier.pop();
    Reading r;
    r.probability = best.first;
    for (size_t i = 0; i < k; ++i) r.digits += std::to_string(order[i][best.second[i]]);
    result.push_back(r);
    for (size_t i = 0; i < k; ++i) {
      if (best.second[i] + 1 >= order[i].size()) continue;
      auto next = best.second;
      ++next[i];
      if (seen.insert(next).second) frontier.emplace(probability(next), next);
    }
  }
  return result;
}

}  // namespace nnn
