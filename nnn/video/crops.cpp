// Plate rectification, digit cells and annotation.
#include "nnn/video/crops.h"

#include <cctype>
#include <cmath>

#include "nnn/data/digit_image.h"
#include "nnn/util/error.h"
#include "nnn/video/scene.h"
#include "nnn/video/tracker.h"

namespace nnn {

torch::Tensor rectify_plate(const torch::Tensor& frame, const Corners& c, int64_t digits) {
  NNN_CHECK(frame.dim() == 2, "rectify: a frame must be [H, W]");
  const int64_t pw = plate_width(digits), ph = kPlateHeight;
  // Plate pixel centre (u, v) in [0, pw] x [0, ph] -> frame point
  // TL + (u / pw) (TR - TL) + (v / ph) (BL - TL).
  const auto u =
      ((torch::arange(pw, torch::kFloat64) + 0.5) / static_cast<double>(pw)).view({1, pw});
  const auto v =
      ((torch::arange(ph, torch::kFloat64) + 0.5) / static_cast<double>(ph)).view({ph, 1});
  return sample_frame(frame, c[0][0] + u * (c[1][0] - c[0][0]) + v * (c[3][0] - c[0][0]),
                      c[0][1] + u * (c[1][1] - c[0][1]) + v * (c[3][1] - c[0][1]));
}

torch::Tensor to_bytes(const torch::Tensor& pixels) {
  return (pixels.detach().to(torch::kCPU, torch::kFloat32).clamp(0, 1) * 255)
      .round()
      .to(torch::kUInt8)
      .contiguous();
}

GreyImage to_grey(const torch::Tensor& image) {
  const auto bytes = to_bytes(image);
  GreyImage grey;
  grey.height = image.size(0);
  grey.width = image.size(1);
  grey.pixels.assign(bytes.data_ptr<uint8_t>(), bytes.data_ptr<uint8_t>() + bytes.numel());
  return grey;
}

std::vector<std::vector<float>> digit_cells(const torch::Tensor& plate, int64_t digits) {
  NNN_CHECK(
      plate.dim() == 2 && plate.size(0) == kPlateHeight && plate.size(1) == plate_width(digits),
      "digit cells: expected a rectified plate of ", digits, " digits [", kPlateHeight, ", ",
      plate_width(digits), "]; got ", plate.sizes());
  std::vector<std::vector<float>> cells;
  for (int64_t k = 0; k < digits; ++k) {
    const auto cell = plate.narrow(0, kPlateBorder, 28).narrow(1, kPlateBorder + 28 * k, 28);
    auto values = torch::tensor(light_on_dark(to_grey(cell)));
    const auto sorted = std::get<0>(values.sort());
    const double ground = sorted[392].item<double>(), ink = sorted[776].item<double>();
    if (ink - ground > 0.05) values = ((values - ground) / (ink - ground)).clamp(0.0, 1.0);
    cells.emplace_back(values.data_ptr<float>(), values.data_ptr<float>() + values.numel());
  }
  return cells;
}

namespace {

// 3x5 glyphs, rows top to bottom, 3 bits each (left = 4).
const char* glyph(char c) {
  switch (std::tolower(static_cast<unsigned char>(c))) {
    case '0':
      return "\7\5\5\5\7";
    case '1':
      return "\2\6\2\2\7";
    case '2':
      return "\7\1\7\4\7";
    case '3':
      return "\7\1\7\1\7";
    case '4':
      return "\5\5\7\1\1";
    case '5':
      return "\7\4\7\1\7";
    case '6':
      return "\7\4\7\5\7";
    case '7':
      return "\7\1\1\1\1";
    case '8':
      return "\7\5\7\5\7";
    case '9':
      return "\7\5\7\1\7";
    case '%':
      return "\5\1\2\4\5";
    case '.':
      return "\0\0\0\0\2";
    case '?':
      return "\7\1\2\0\2";
    case 'a':
      return "\2\5\7\5\5";
    case 'd':
      return "\6\5\5\5\6";
    case 'e':
      return "\7\4\6\4\7";
    case 'f':
      return "\7\4\6\4\4";
    case 'g':
      return "\7\4\5\5\7";
    case 'i':
      return "\7\2\2\2\7";
    case 'k':
      return "\5\5\6\5\5";
    case 'l':
      return "\4\4\4\4\7";
    case 'm':
      return "\5\7\7\5\5";
    case 'n':
      return "\6\5\5\5\5";
    case 'o':
      return "\7\5\5\5\7";
    case 'r':
      return "\6\5\6\5\5";
    case 's':
      return "\7\4\7\1\7";
    case 't':
      return "\7\2\2\2\2";
    default:
      return "\0\0\0\0\0";
  }
}

void set_pixel(GreyImage& image, int64_t x, int64_t y, uint8_t level) {
  if (x >= 0 && y >= 0 && x < image.width && y < image.height) {
    image.pixels[static_cast<size_t>(y * image.width + x)] = level;
  }
}

}  // namespace

void draw_quad(GreyImage& image, const Corners& corners, uint8_t level) {
  for (size_t i = 0; i < 4; ++i) {
    const auto& a = corners[i];
    const auto& b = corners[(i + 1) % 4];
    const double length = std::max(std::abs(b[0] - a[0]), std::abs(b[1] - a[1]));
    const auto steps = static_cast<int64_t>(std::ceil(length)) + 1;
    for (int64_t s = 0; s <= steps; ++s) {
      const double f = static_cast<double>(s) / static_cast<double>(steps);
      const auto x = static_cast<int64_t>(std::lround(a[0] + f * (b[0] - a[0])));
      const auto y = static_cast<int64_t>(std::lround(a[1] + f * (b[1] - a[1])));
      for (int64_t d = 0; d < 2; ++d) {
        set_pixel(image, x + d, y, level);
        set_pixel(image, x, y + d, level);
      }
    }
  }
}

void draw_text(GreyImage& image, int64_t x, int64_t y, const std::string& text, int64_t size,
               uint8_t level) {
  for (size_t i = 0; i < text.size(); ++i) {
    const char* rows = glyph(text[i]);
    for (int64_t r = 0; r < 5; ++r) {
      for (int64_t col = 0; col < 3; ++col) {
        if (!((rows[r] >> (2 - col)) & 1)) continue;
        for (int64_t dy = 0; dy < size; ++dy) {
          for (int64_t dx = 0; dx < size; ++dx) {
            set_pixel(image, x + static_cast<int64_t>(i) * 4 * size + col * size + dx,
                      y + r * size + dy, level);
          }
        }
      }
    }
  }
}

}  // namespace nnn
