// The blurry-frames comparison's reports: the Markdown tables and the two
// SVG figures of one comparison (frames.md, frames.svg,
// frames_anytime.svg).
#include "nnn/experiments/frames_compare.h"
#include "nnn/experiments/palette.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "nnn/util/error.h"
#include "nnn/util/svg_plot.h"

namespace nnn {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

std::string report_cell(double v, int decimals, double scale) {
  return std::isfinite(v) ? fmt::format("{:.{}f}", scale * v, decimals) : "-";
}

std::string frames_markdown(const FramesComparison& c) {
  // Frame t is read at step t (the last one again at the steps after it)
  // and reaches the output d steps later.
  std::string seen = c.distance == 0
                         ? std::string("step t has seen frames 1..t")
                         : fmt::format(
                               "step t has seen frames 1..t-{0}; its column at k frames is "
                               "step k + {0}",
                               c.distance);
  if (c.frames + c.distance < c.steps) {
    seen += fmt::format(" (up to {} frames: from step {} on, the last frame is read again)",
                        c.frames, c.frames + c.distance + 1);
  }
  std::string md = fmt::format(
      "Test set: {} images, each as {} frames degraded independently ({}), fixed by the seed. "
      "NNN: {} steps, input-to-output distance d = {}, so {}. Accuracy and top-3 in %, "
      "confidence = mean largest softmax probability, ECE = expected calibration error (15 "
      "bins).\n\n",
      c.test_samples, c.frames, c.degrade, c.steps, c.distance, seen);
  md += "| method | parameters | train time |\n| --- | ---: | ---: |\n";
  for (const auto& m : c.by_frames) {
    md += fmt::format("| {} | {} | {} |\n", m.label, m.parameters,
                      m.train_seconds > 0 ? fmt::format("{:.1f} s", m.train_seconds)
                                          : std::string("(reuses the one-frame MLP)"));
  }
  // `best`: a column naming the method with the highest value in each row.
  auto table = [&](const char* title, auto field, int decimals, double scale, bool best_column) {
    md += fmt::format("\n{} after k frames:\n\n| k |", title);
    for (const auto& m : c.by_frames) md += " " + m.label + " |";
    md += best_column ? " best |\n| ---: |" : "\n| ---: |";
    for (size_t i = 0; i < c.by_frames.size() + (best_column ? 1 : 0); ++i) md += " ---: |";
    md += "\n";
    for (int64_t k = 0; k < c.frames; ++k) {
      md += fmt::format("| {} |", k + 1);
      double best = -1;
      std::string winner = "-";
      for (const auto& m : c.by_frames) {
        const double v = (m.*field)[static_cast<size_t>(k)];
        md += " " + report_cell(v, decimals, scale) + " |";
        if (std::isfinite(v) && v > best + 1e-12) {
          best = v;
          winner = m.label;
        } else if (std::isfinite(v) && std::abs(v - best) <= 1e-12) {
          winner += " = " + m.label;
        }
      }
      md += best_column ? " " + winner + " |\n" : "\n";
    }
  };
  table("Accuracy %", &FrameCurve::accuracy, 2, 100.0, true);
  table("Top-3 accuracy %", &FrameCurve::top3, 2, 100.0, true);
  table("Mean confidence", &FrameCurve::confidence, 3, 1.0, false);
  md += fmt::format("\nCalibration after all {} frames (NNNs: step {}):\n\n", c.frames,
                    c.frames + c.distance);
  md += "| method | accuracy % | confidence | ECE |\n| --- | ---: | ---: | ---: |\n";
  for (const auto& m : c.by_frames) {
    const double ece = m.ece.empty() ? kNaN : m.ece.back();
    md += fmt::format("| {} | {} | {} | {} |\n", m.label, report_cell(m.accuracy.back()),
                      report_cell(m.confidence.back(), 3, 1.0), report_cell(ece, 4, 1.0));
  }
  md += "\nThe NNNs per thinking step:\n\n| step | frames seen |";
  for (const auto& m : c.nnn_steps)
    md += fmt::format(" {}: acc % / top-3 % / conf / ECE |", m.label);
  md += "\n| ---: | ---: |";
  for (size_t i = 0; i < c.nnn_steps.size(); ++i) md += " ---: |";
  md += "\n";
  for (int64_t t = 0; t < c.steps; ++t) {
    md += fmt::format("| {} | {} |", t + 1, std::clamp<int64_t>(t + 1 - c.distance, 0, c.frames));
    for (const auto& m : c.nnn_steps) {
      const auto i = static_cast<size_t>(t);
      md += fmt::format(" {} / {} / {} / {} |", report_cell(m.accuracy[i]), report_cell(m.top3[i]),
                        report_cell(m.confidence[i], 3, 1.0), report_cell(m.ece[i], 4, 1.0));
    }
    md += "\n";
  }
  if (!c.halting.empty()) {
    md +=
        "\nLearned halting on the NNN fed one frame per step: a halting unit reads the output "
        "cell's message at every step, trained with PonderNet's loss (expected cross-entropy "
        "under its halting distribution + beta x KL to a geometric prior) on fixed frames of the "
        "training set, the network frozen; each test image stops where its cumulative halting "
        "probability reaches 1/2. Beside it, the confidence threshold's accuracy at the same mean "
        "frames (linear between its taus):\n\n| prior | beta | mean frames | accuracy % | "
        "confidence threshold % at those frames | difference |\n| ---: | ---: | ---: | ---: | ---: "
        "| ---: |\n";
    for (const auto& h : c.halting) {
      md +=
          fmt::format("| {} | {} | {:.2f} | {} | {} | {} |\n", h.prior, h.beta, h.point.mean_frames,
                      report_cell(h.point.accuracy), report_cell(h.threshold_accuracy),
                      std::isfinite(h.threshold_accuracy)
                          ? fmt::format("{:+.2f}", 100 * (h.point.accuracy - h.threshold_accuracy))
                          : std::string("-"));
    }
  }
  if (!c.anytime.empty()) {
    md +=
        "\nAnytime reading: each image stops at the first frame count k whose confidence "
        "(largest softmax probability) reaches tau, else reads all frames; accuracy % at the "
        "stop / mean frames read:\n\n| tau |";
    for (const auto& m : c.anytime) md += " " + m.label + " |";
    md += "\n| ---: |";
    for (size_t i = 0; i < c.anytime.size(); ++i) md += " ---: |";
    md += "\n";
    for (size_t i = 0; i < c.anytime[0].points.size(); ++i) {
      const double tau = c.anytime[0].points[i].tau;
      md += tau > 1 ? std::string("| all frames |") : fmt::format("| {} |", tau);
      for (const auto& m : c.anytime) {
        md += fmt::format(" {} / {:.2f} |", report_cell(m.points[i].accuracy),
                          m.points[i].mean_frames);
      }
      md += "\n";
    }
  }
  return md;
}

std::string anytime_svg(const FramesComparison& c) {
  svg::Panel panel{"stop at confidence tau (labels on the NNN), or read all",
                   "mean frames read",
                   "test accuracy %",
                   {}};
  for (const auto& m : c.anytime) {
    svg::Series s;
    s.label = m.label;
    s.colour = method_colour(m.key);
    for (const auto& point : m.points) {
      s.x.push_back(point.mean_frames);
      s.y.push_back(100.0 * point.accuracy);
      // The NNN's points name their threshold (> 1: every frame read).
      if (m.key == "nnn_sequence") {
        s.point_labels.push_back(point.tau > 1 ? "all" : fmt::format("{}", point.tau));
      }
    }
    panel.series.push_back(s);
  }
  return svg::line_charts(fmt::format("Anytime reading ({} test images)", c.test_samples), {panel});
}

namespace {

// Accuracy and confidence against frames seen, per method: the mean over
// `seeds` and, with more than one, a band from the lowest to the highest.
std::vector<svg::Panel> frames_panels(const std::vector<FramesComparison>& seeds) {
  NNN_CHECK(!seeds.empty(), "a frames plot needs at least one seed");
  const FramesComparison& first = seeds.front();
  svg::Panel accuracy{"Accuracy", "frames seen k (NNN: step k + d)", "test accuracy %", {}};
  svg::Panel confidence{"Confidence", "frames seen k (NNN: step k + d)", "mean confidence", {}};
  confidence.y_max = 1.0;
  const bool bands = seeds.size() > 1;
  for (size_t m = 0; m < first.by_frames.size(); ++m) {
    const FrameCurve& method = first.by_frames[m];
    svg::Series a;
    a.label = method.label;
    a.dashed = method.key == "nnn_single" || method.key == "mlp_single";
    a.colour = method_colour(method.key);
    svg::Series f = a;
    for (int64_t k = 0; k < first.frames; ++k) {
      const auto i = static_cast<size_t>(k);
      // A value missing in any seed (NaN) leaves a gap at k.
      double sum_a = 0, sum_f = 0, lo_a = 1e300, hi_a = -1e300, lo_f = 1e300, hi_f = -1e300;
      for (const FramesComparison& seed : seeds) {
        NNN_CHECK(seed.frames == first.frames && seed.by_frames.size() > m &&
                      seed.by_frames[m].key == method.key,
                  "the seeds' comparisons differ in frames or methods (", seed.dir, ")");
        const FrameCurve& curve = seed.by_frames[m];
        const double nan = std::numeric_limits<double>::quiet_NaN();
        const double acc = i < curve.accuracy.size() ? 100.0 * curve.accuracy[i] : nan;
        const double conf = i < curve.confidence.size() ? curve.confidence[i] : nan;
        if (std::isnan(acc)) sum_a = nan;
        if (std::isnan(conf)) sum_f = nan;
        sum_a += acc, sum_f += conf;
        lo_a = std::min(lo_a, acc), hi_a = std::max(hi_a, acc);
        lo_f = std::min(lo_f, conf), hi_f = std::max(hi_f, conf);
      }
      const double n = static_cast<double>(seeds.size());
      const auto point = [&](svg::Series& s, double sum, double lo, double hi) {
        s.x.push_back(static_cast<double>(k + 1));
        s.y.push_back(sum / n);
        if (!bands) return;
        const bool gap = std::isnan(sum);
        s.y_low.push_back(gap ? sum : lo);
        s.y_high.push_back(gap ? sum : hi);
      };
      point(a, sum_a, lo_a, hi_a);
      point(f, sum_f, lo_f, hi_f);
    }
    accuracy.series.push_back(a);
    confidence.series.push_back(f);
  }
  return {accuracy, confidence};
}

}  // namespace

std::string frames_svg(const FramesComparison& c) {
  return svg::line_charts(fmt::format("Reading blurry digits from {} frames ({} test images)",
                                      c.frames, c.test_samples),
                          frames_panels({c}));
}

std::string frames_seeds_svg(const std::vector<FramesComparison>& seeds) {
  NNN_CHECK(!seeds.empty(), "a seed plot needs at least one seed");
  return svg::line_charts(
      fmt::format("Reading blurry digits from {} frames: mean of {} seeds, band: seed range",
                  seeds.front().frames, seeds.size()),
      frames_panels(seeds));
}

}  // namespace nnn
