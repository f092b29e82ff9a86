// The blurry-frames comparison over seeds: each seed's frames.json read
// back, the seed statistics (means, ranges, paired bootstrap intervals and
// McNemar's test) and frames_seeds.md.
#include "nnn/experiments/frames_compare.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "nnn/util/error.h"
#include "nnn/util/files.h"
#include "nnn/util/seeds.h"

namespace nnn {

namespace fs = std::filesystem;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const FrameCurve* find_curve(const FramesComparison& c, const std::string& key) {
  for (const auto& m : c.by_frames) {
    if (m.key == key) return &m;
  }
  return nullptr;
}

}  // namespace

std::string frames_seeds_markdown(const std::vector<FramesComparison>& seeds) {
  NNN_CHECK(!seeds.empty(), "frames seed summary: no seeds");
  const FramesComparison& first = seeds.front();
  const int64_t frames = first.frames;
  for (const auto& s : seeds) {
    NNN_CHECK(s.frames == frames && s.test_samples == first.test_samples &&
                  s.by_frames.size() == first.by_frames.size(),
              s.dir, " has another frame count, test set or method list than ", first.dir);
  }
  const auto n_seeds = static_cast<int64_t>(seeds.size());
  std::string md = fmt::format(
      "{} seeds ({}), {} test images, each read from {} degraded frames ({}). Test accuracy % "
      "after k frames: mean over seeds (min-max).\n\n| k |",
      n_seeds, first.dir + (n_seeds > 1 ? " ... " + seeds.back().dir : ""), first.test_samples,
      frames, first.degrade);
  for (const auto& m : first.by_frames)
    md += fmt::format(" {} ({} params) |", m.label, m.parameters);
  md += "\n| ---: |";
  for (size_t i = 0; i < first.by_frames.size(); ++i) md += " ---: |";
  md += "\n";
  // mean[m][k]
  std::vector<std::vector<double>> mean(first.by_frames.size(),
                                        std::vector<double>(static_cast<size_t>(frames), kNaN));
  for (int64_t k = 0; k < frames; ++k) {
    md += fmt::format("| {} |", k + 1);
    for (size_t m = 0; m < first.by_frames.size(); ++m) {
      double sum = 0, lo = 1e9, hi = -1e9;
      int64_t count = 0;
      for (const auto& s : seeds) {
        const double v = s.by_frames[m].accuracy[static_cast<size_t>(k)];
        if (!std::isfinite(v)) continue;
        sum += v;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
        ++count;
      }
      if (count == 0) {
        md += " - |";
        continue;
      }
      mean[m][static_cast<size_t>(k)] = sum / static_cast<double>(count);
      md += fmt::format(" {} ({}-{}) |", report_cell(sum / static_cast<double>(count)),
                        report_cell(lo), report_cell(hi));
    }
    md += "\n";
  }

  // NNN (one frame per step) against the best other method at each k.
  const FrameCurve* nnn_first = find_curve(first, "nnn_sequence");
  if (nnn_first == nullptr) return md;
  md +=
      "\nThe NNN fed one frame per step against the best other method at each k (by mean "
      "accuracy; the NNN fed frame 1 at every step is not counted as another method), paired "
      "over the same test images and seeds. Difference: NNN minus it, in points, with a 95% "
      "bootstrap interval over test images (each image's correctness averaged over seeds, "
      "10,000 resamples); McNemar: images right for one and wrong for the other, over all "
      "(seed, image) pairs, with the continuity-corrected chi-squared test's p.\n\n"
      "| k | best other method | NNN % | it % | difference (95% interval) | NNN only / it only | "
      "McNemar p | verdict |\n| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |\n";
  std::mt19937_64 rng(0);
  const int64_t n = first.test_samples;
  for (int64_t k = 0; k < frames; ++k) {
    const auto ki = static_cast<size_t>(k);
    size_t best = first.by_frames.size();
    size_t nnn_index = first.by_frames.size();
    for (size_t m = 0; m < first.by_frames.size(); ++m) {
      const std::string& key = first.by_frames[m].key;
      if (key == "nnn_sequence") nnn_index = m;
      if (key == "nnn_sequence" || key == "nnn_single" || !std::isfinite(mean[m][ki])) continue;
      if (best == first.by_frames.size() || mean[m][ki] > mean[best][ki]) best = m;
    }
    if (best == first.by_frames.size() || !std::isfinite(mean[nnn_index][ki])) continue;
    std::vector<double> diff(static_cast<size_t>(n), 0.0);
    int64_t nnn_only = 0, other_only = 0;
    bool complete = true;
    for (const auto& s : seeds) {
      const auto& a = s.by_frames[nnn_index].correct;
      const auto& b = s.by_frames[best].correct;
      if (a.size() <= ki || b.size() <= ki || a[ki].size() != static_cast<size_t>(n) ||
          b[ki].size() != static_cast<size_t>(n)) {
        complete = false;
        break;
      }
      for (int64_t i = 0; i < n; ++i) {
        const bool x = a[ki][static_cast<size_t>(i)], y = b[ki][static_cast<size_t>(i)];
        nnn_only += x && !y;
        other_only += y && !x;
        diff[static_cast<size_t>(i)] +=
            (static_cast<double>(x) - static_cast<double>(y)) / static_cast<double>(n_seeds);
      }
    }
    if (!complete) continue;
    double observed = 0;
    for (double d : diff) observed += d;
    observed /= static_cast<double>(n);
    std::uniform_int_distribution<int64_t> pick(0, n - 1);
    std::vector<double> means(10000);
    for (auto& v : means) {
      double sum = 0;
      for (int64_t i = 0; i < n; ++i) sum += diff[static_cast<size_t>(pick(rng))];
      v = sum / static_cast<double>(n);
    }
    std::sort(means.begin(), means.end());
    const double lo = means[249], hi = means[9749];
    const double discordant = static_cast<double>(nnn_only + other_only);
    const double chi2 =
        discordant > 0
            ? std::pow(std::max(0.0, std::abs(static_cast<double>(nnn_only - other_only)) - 1.0),
                       2) /
                  discordant
            : 0.0;
    const double p = std::erfc(std::sqrt(chi2 / 2.0));
    const std::string verdict = lo > 0 ? "NNN wins" : hi < 0 ? "NNN loses" : "tie";
    md += fmt::format(
        "| {} | {} | {} | {} | {:+.2f} ({:+.2f} to {:+.2f}) | {} / {} | {:.2g} | {} |\n", k + 1,
        first.by_frames[best].label, report_cell(mean[nnn_index][ki]), report_cell(mean[best][ki]),
        100 * observed, 100 * lo, 100 * hi, nnn_only, other_only, p, verdict);
  }
  return md;
}

std::string run_frames_seeds(const std::string& nnn_config, const std::string& mlp_config,
                             const std::vector<std::string>& overrides, int64_t seeds,
                             const std::string& out, std::ostream& log, bool baselines) {
  NNN_CHECK(seeds >= 1 && seeds <= 100, "frames over seeds: the seed count is ", seeds,
            "; expected 1 to 100");
  NNN_CHECK(!out.empty(), "frames over seeds: name an output directory");
  std::vector<FramesComparison> done;
  for (int64_t s = 0; s < seeds; ++s) {
    const fs::path dir = fs::path(out) / fmt::format("seed{}", s);
    const fs::path json = dir / "frames.json";
    if (fs::exists(json)) {
      log << fmt::format("== seed {}: {} exists, read\n", s, json.string());
      done.push_back(read_frames_json(json.string()));
      continue;
    }
    NNN_CHECK(!fs::exists(dir) || fs::is_empty(dir), dir.string(),
              " holds an unfinished comparison; remove it to run seed ", s, " again");
    std::vector<std::string> settings = overrides;
    settings.push_back(fmt::format("seed={}", s));
    log << fmt::format("== seed {} -> {}\n", s, dir.string());
    run_frames_comparison(nnn_config, mlp_config, settings, dir.string(), log, baselines);
    done.push_back(read_frames_json(json.string()));
  }
  const std::string md = frames_seeds_markdown(done);
  write_file_atomically((fs::path(out) / "frames_seeds.md").string(), md);
  write_file_atomically((fs::path(out) / "frames_seeds.svg").string(), frames_seeds_svg(done));
  log << "\n"
      << md << "\nwritten to " << (fs::path(out) / "frames_seeds.md").string()
      << " and frames_seeds.svg\n";
  return md;
}

}  // namespace nnn
