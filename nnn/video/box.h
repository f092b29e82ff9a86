// An axis-aligned box in pixel coordinates, and how much two overlap.
// Torch-free.
#pragma once

#include <algorithm>
#include <string>

namespace nnn {

struct Box {
  double x = 0, y = 0, w = 0, h = 0;  // top-left corner and size
  double cx() const { return x + w / 2; }
  double cy() const { return y + h / 2; }
  double area() const { return std::max(0.0, w) * std::max(0.0, h); }
  static Box around(double cx, double cy, double w, double h) {
    return {cx - w / 2, cy - h / 2, w, h};
  }
};

/// Intersection over union, 0 when either box is empty.
inline double iou(const Box& a, const Box& b) {
  const double ix = std::max(0.0, std::min(a.x + a.w, b.x + b.w) - std::max(a.x, b.x));
  const double iy = std::max(0.0, std::min(a.y + a.h, b.y + b.h) - std::max(a.y, b.y));
  const double inter = ix * iy;
  const double uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0.0;
}

/// "x,y,w,h" (numbers, w and h > 0) as a box; nnn::Error names `what` otherwise.
Box parse_box(const std::string& text, const std::string& what);

}  // namespace nnn
