// SVG line charts.
#include "nnn/util/svg_plot.h"

#include <fmt/format.h>

#include <algorithm>

namespace nnn::svg {

namespace {

constexpr const char* kColours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                    "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};
// A series' colour and dash pattern as SVG attributes.
std::string colour_of(const Series& s, size_t i) {
  return s.colour.empty() ? kColours[i % (sizeof kColours / sizeof kColours[0])] : s.colour;
}
std::string dash_of(const Series& s) {
  const std::string dash = s.dash.empty() ? (s.dashed ? "6,4" : "") : s.dash;
  return dash.empty() ? "" : fmt::format(R"~( stroke-dasharray="{}")~", dash);
}

constexpr int kPanelWidth = 460, kPanelHeight = 340;
constexpr int kLeft = 62, kRight = 16, kTop = 34, kBottom = 50;

std::string escape(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string tick_label(double v, double step) {
  const int decimals = step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
  return fmt::format("{:.{}f}", v, decimals);
}

struct Range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void add(double v) {
    if (!std::isfinite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  void settle(double margin) {
    if (lo > hi) lo = 0, hi = 1;
    if (hi - lo < 1e-12) lo -= 0.5, hi += 0.5;
    const double pad = (hi - lo) * margin;
    lo -= pad;
    hi += pad;
  }
};

// A value as placed on an axis: its logarithm on a log axis (NaN when not
// positive), else itself.
double placed(double v, bool log) {
  if (!log) return v;
  return v > 0 ? std::log10(v) : std::numeric_limits<double>::quiet_NaN();
}

std::string panel_svg(const Panel& panel, int x0) {
  Range xr, yr;
  // The ranges of the points that can be drawn (a log axis drops x <= 0).
  for (const auto& s : panel.series) {
    for (size_t j = 0; j < s.x.size(); ++j) {
      const double x = placed(s.x[j], panel.x_log);
      if (!std::isfinite(x)) continue;
      xr.add(x);
      for (const auto* ys : {&s.y, &s.y_low, &s.y_high}) {
        if (j < ys->size()) yr.add(placed((*ys)[j], panel.y_log));
      }
    }
  }
  xr.settle(0.04);
  yr.settle(0.06);
  if (std::isfinite(panel.y_min)) yr.lo = placed(panel.y_min, panel.y_log);
  if (std::isfinite(panel.y_max)) yr.hi = placed(panel.y_max, panel.y_log);
  const double w = kPanelWidth - kLeft - kRight, h = kPanelHeight - kTop - kBottom;
  // Positions from values in the series' units.
  auto px = [&](double x) {
    return x0 + kLeft + (placed(x, panel.x_log) - xr.lo) / (xr.hi - xr.lo) * w;
  };
  auto py = [&](double y) {
    return kTop + 30 + h - (placed(y, panel.y_log) - yr.lo) / (yr.hi - yr.lo) * h;
  };
  // The axes' ticks in the series' units, and their labels.
  auto ticks = [](double lo, double hi, bool log, int count) {
    return log ? log_ticks(std::pow(10.0, lo), std::pow(10.0, hi), count)
               : nice_ticks(lo, hi, count);
  };
  auto label = [](double v, const std::vector<double>& all, bool log) {
    if (log) return short_number(v);
    return tick_label(v, all.size() > 1 ? all[1] - all[0] : 1.0);
  };
  const double top = kTop + 30, bottom = top + h;
  std::string out;
  out += fmt::format(
      R"~(<text x="{:.1f}" y="{}" text-anchor="middle" font-size="14" font-weight="bold">{}</text>)~"
      "\n",
      x0 + kLeft + w / 2, kTop + 18, escape(panel.title));
  out += fmt::format(
      R"~(<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="none" stroke="#444"/>)~"
      "\n",
      static_cast<double>(x0 + kLeft), top, w, h);
  const double x_left = x0 + kLeft, x_right = x0 + kLeft + w;
  const auto y_ticks = ticks(yr.lo, yr.hi, panel.y_log, 6);
  for (double v : y_ticks) {
    const double at = placed(v, panel.y_log);
    if (at < yr.lo - 1e-12 || at > yr.hi + 1e-12) continue;
    out += fmt::format(R"~(<line x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}" stroke="#ddd"/>)~"
                       R"~(<text x="{:.1f}" y="{:.1f}" text-anchor="end" font-size="11">{}</text>)~"
                       "\n",
                       x_left, py(v), x_right, py(v), x_left - 5, py(v) + 4,
                       label(v, y_ticks, panel.y_log));
  }
  const auto x_ticks = ticks(xr.lo, xr.hi, panel.x_log, 8);
  for (double v : x_ticks) {
    const double at = placed(v, panel.x_log);
    if (at < xr.lo - 1e-12 || at > xr.hi + 1e-12) continue;
    out += fmt::format(
        R"~(<line x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}" stroke="#444"/>)~"
        R"~(<text x="{:.1f}" y="{:.1f}" text-anchor="middle" font-size="11">{}</text>)~"
        "\n",
        px(v), bottom, px(v), bottom + 4, px(v), bottom + 17, label(v, x_ticks, panel.x_log));
  }
  out +=
      fmt::format(R"~(<text x="{:.1f}" y="{:.1f}" text-anchor="middle" font-size="12">{}</text>)~"
                  "\n",
                  x0 + kLeft + w / 2, bottom + 36, escape(panel.x_label));
  out += fmt::format(
      R"~(<text transform="translate({:.1f},{:.1f}) rotate(-90)" text-anchor="middle" )~"
      R"~(font-size="12">{}</text>)~"
      "\n",
      static_cast<double>(x0 + 16), top + h / 2, escape(panel.y_label));
  // Bands first, under every line.
  for (size_t i = 0; i < panel.series.size(); ++i) {
    const Series& s = panel.series[i];
    std::string upper, lower;
    for (size_t j = 0; j < s.x.size() && j < s.y_low.size() && j < s.y_high.size(); ++j) {
      if (!std::isfinite(px(s.x[j])) || !std::isfinite(py(s.y_low[j])) ||
          !std::isfinite(py(s.y_high[j]))) {
        continue;
      }
      upper += fmt::format("{:.1f},{:.1f} ", px(s.x[j]), py(s.y_high[j]));
      lower = fmt::format("{:.1f},{:.1f} ", px(s.x[j]), py(s.y_low[j])) + lower;
    }
    if (!upper.empty()) {
      out += fmt::format(R"~(<polygon points="{}{}" fill="{}" fill-opacity="0.15" stroke="none"/>)~"
                         "\n",
                         upper, lower, colour_of(s, i));
    }
  }
  for (size_t i = 0; i < panel.series.size(); ++i) {
    const Series& s = panel.series[i];
    const std::string colour = colour_of(s, i);
    std::string path;
    bool pen_down = false;
    for (size_t j = 0; j < s.x.size() && j < s.y.size(); ++j) {
      if (!std::isfinite(py(s.y[j])) || !std::isfinite(px(s.x[j]))) {
        pen_down = false;
        continue;
      }
      path += fmt::format("{}{:.1f},{:.1f} ", pen_down ? "L" : "M", px(s.x[j]), py(s.y[j]));
      pen_down = true;
      out += fmt::format(R"~(<circle cx="{:.1f}" cy="{:.1f}" r="3" fill="{}"/>)~"
                         "\n",
                         px(s.x[j]), py(s.y[j]), colour);
      if (j < s.point_labels.size() && !s.point_labels[j].empty()) {
        out += fmt::format(R"~(<text x="{:.1f}" y="{:.1f}" font-size="10" fill="{}">{}</text>)~"
                           "\n",
                           px(s.x[j]) + 5, py(s.y[j]) - 5, colour, escape(s.point_labels[j]));
      }
    }
    if (!path.empty()) {
      out += fmt::format(R"~(<path d="{}" fill="none" stroke="{}" stroke-width="2"{}/>)~"
                         "\n",
                         path, colour, dash_of(s));
    }
  }
  return out;
}

}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int count) {
  if (!(hi > lo) || count < 1) return {lo};
  const double raw = (hi - lo) / count;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  double step = power;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * power;
    if (step >= raw) break;
  }
  std::vector<double> ticks;
  for (double v = std::ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
    ticks.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
  }
  return ticks;
}

std::vector<double> log_ticks(double lo, double hi, int count) {
  if (!(lo > 0) || !(hi > lo)) return {lo};
  std::vector<double> all, decades;
  for (int e = static_cast<int>(std::floor(std::log10(lo))) - 1;
       e <= static_cast<int>(std::ceil(std::log10(hi))); ++e) {
    const double power = std::pow(10.0, e);
    for (double m : {1.0, 2.0, 5.0}) {
      const double v = m * power;
      if (v < lo * (1 - 1e-9) || v > hi * (1 + 1e-9)) continue;
      all.push_back(v);
      if (m == 1.0) decades.push_back(v);
    }
  }
  if (static_cast<int>(all.size()) <= count || decades.size() < 2) return all;
  return decades;
}

std::string short_number(double v) {
  const double a = std::fabs(v);
  const auto trimmed = [](double x, const char* unit) {
    std::string text = fmt::format("{:.1f}", x);
    if (text.size() > 2 && text.compare(text.size() - 2, 2, ".0") == 0)
      text.resize(text.size() - 2);
    return text + unit;
  };
  if (a >= 1e9) return trimmed(v / 1e9, "G");
  if (a >= 1e6) return trimmed(v / 1e6, "M");
  if (a >= 1e3) return trimmed(v / 1e3, "k");
  return fmt::format("{:g}", v);
}

std::string line_charts(const std::string& title, const std::vector<Panel>& panels) {
  size_t series = 0, longest = 0;
  for (const auto& p : panels) {
    series = std::max(series, p.series.size());
    for (const auto& s : p.series) longest = std::max(longest, s.label.size());
  }
  const int width = kPanelWidth * static_cast<int>(std::max<size_t>(1, panels.size()));
  // Up to 3 legend entries per row, fewer when the labels would overlap
  // (about 7 pixels per character at 12 px, plus the line sample).
  const int entry = 40 + 7 * static_cast<int>(longest);
  const auto per_row = static_cast<size_t>(std::clamp(width / std::max(entry, 1), 1, 3));
  const int legend_rows = static_cast<int>((series + per_row - 1) / per_row);
  const int height = kPanelHeight + 30 + legend_rows * 20 + 10;
  std::string out = fmt::format(
      R"~(<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" viewBox="0 0 {0} {1}" )~"
      R"~(font-family="sans-serif">)~"
      "\n"
      R"~(<rect width="100%" height="100%" fill="white"/>)~"
      "\n"
      R"~(<text x="{2}" y="22" text-anchor="middle" font-size="16" font-weight="bold">{3}</text>)~"
      "\n",
      width, height, width / 2, escape(title));
  for (size_t i = 0; i < panels.size(); ++i) {
    out += panel_svg(panels[i], static_cast<int>(i) * kPanelWidth);
  }
  // The legend: labels from the first panel that has each series.
  const int legend_top = kPanelHeight + 30;
  const int column = width / static_cast<int>(per_row);
  for (size_t i = 0; i < series; ++i) {
    const Series* s = nullptr;
    for (const auto& p : panels) {
      if (i < p.series.size()) {
        s = &p.series[i];
        break;
      }
    }
    const int x = 20 + static_cast<int>(i % per_row) * column;
    const int y = legend_top + static_cast<int>(i / per_row) * 20;
    const std::string colour = colour_of(*s, i);
    out += fmt::format(R"~(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2"{}/>)~"
                       R"~(<text x="{}" y="{}" font-size="12">{}</text>)~"
                       "\n",
                       x, y, x + 26, y, colour, dash_of(*s), x + 32, y + 4, escape(s->label));
  }
  return out + "</svg>\n";
}

}  // namespace nnn::svg
