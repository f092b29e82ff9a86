// Line charts as standalone SVG text, for the curves nnn writes next to its
// tables (accuracy and confidence against thinking step). Torch-free; no
// plotting library needed to look at results.
#pragma once

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace nnn::svg {

struct Series {
  std::string label;
  std::vector<double> x;
  std::vector<double> y;  // NaN: no point (the line breaks there)
  bool dashed = false;
  /// "#rrggbb", the same for a method in every figure; empty: by position.
  std::string colour;
  /// stroke-dasharray ("2,3": dotted); empty: solid, or "6,4" when dashed.
  std::string dash;
  /// Text beside each point (a threshold, ...); empty: none.
  std::vector<std::string> point_labels;
  /// A shaded band from y_low to y_high at each x (e.g. the range over
  /// seeds); empty: none. The same length as x when given.
  std::vector<double> y_low;
  std::vector<double> y_high;
};

struct Panel {
  std::string title;
  std::string x_label;
  std::string y_label;
  std::vector<Series> series;
  /// Fixed y range; NaN: fitted to the data with a margin.
  double y_min = std::numeric_limits<double>::quiet_NaN();
  double y_max = std::numeric_limits<double>::quiet_NaN();
  /// Logarithmic axes: values stay in their units (> 0; others are not
  /// drawn), placed by their logarithm, ticks at 1, 2 and 5 times powers
  /// of ten labelled in those units (2k, 50k, 1.5M).
  bool x_log = false;
  bool y_log = false;
};

/// Panels side by side under a common `title`, with one shared legend
/// (series are matched across panels by position and coloured alike).
std::string line_charts(const std::string& title, const std::vector<Panel>& panels);

/// About `count` round tick values covering [lo, hi] (1, 2 or 5 times a
/// power of ten apart).
std::vector<double> nice_ticks(double lo, double hi, int count);

/// Ticks of a logarithmic axis over [lo, hi] (both > 0): 1, 2 and 5 times
/// powers of ten, or powers of ten alone when those would be more than
/// `count`.
std::vector<double> log_ticks(double lo, double hi, int count);

/// A number as a tick shows it: 950, 1.5k, 20k, 3M, 0.25.
std::string short_number(double v);

}  // namespace nnn::svg
