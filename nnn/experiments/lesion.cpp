// Lesion studies of trained runs.
#include "nnn/experiments/lesion.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "nnn/config/experiment_config.h"
#include "nnn/core/network.h"
#include "nnn/core/wiring_layout.h"
#include "nnn/train/run_directory.h"
#include "nnn/util/error.h"
#include "nnn/util/files.h"

namespace nnn {

namespace fs = std::filesystem;

namespace {

double last(const std::vector<double>& v) { return v.empty() ? 0.0 : v.back(); }

// Accuracy lost at the last step when `row` is removed (points, >= 0 mostly).
double lost_points(const LesionStudy& study, const LesionRow& row) {
  return 100 * (last(study.intact.accuracy) - last(row.evaluation.accuracy));
}

// The most lost by any whole-run lesion: the top of the pictures' scale.
double most_lost(const LesionStudy& study) {
  double most = 0;
  for (const LesionRow& row : study.rows) {
    if (row.step == 0) most = std::max(most, lost_points(study, row));
  }
  return most;
}

// Where `lost` sits on that scale, 0 to 1.
double share(double lost, double most) {
  return most > 0 ? std::clamp(lost / most, 0.0, 1.0) : 0.0;
}

// A loss as the pictures label it: its change in points (0 without a sign).
double shown(double lost) { return lost == 0 ? 0.0 : -lost; }

// Line width in the pictures: 1 (nothing lost) to 5 (the most).
double stroke(double lost, double most) { return 1.0 + 4.0 * share(lost, most); }

// Light grey (nothing lost) to red (the most lost of any lesion).
std::string heat(double lost, double most) {
  const double f = share(lost, most);
  const auto channel = [&](int from, int to) {
    return static_cast<int>(std::lround(from + f * (to - from)));
  };
  return fmt::format("#{:02x}{:02x}{:02x}", channel(0xdd, 0xd6), channel(0xdd, 0x27),
                     channel(0xdd, 0x28));
}

}  // namespace

std::string LesionRow::name() const {
  if (kind == Kind::kCell) return fmt::format("cell {}", cell);
  return step == 0 ? fmt::format("edge {} -> {}", from, to)
                   : fmt::format("edge {} -> {} at step {}", from, to, step);
}

LesionStudy lesion_study(const std::string& dir, const LesionOptions& options) {
  RunDirectory(dir).check_is_run();
  const ExperimentConfig config = load_experiment(RunDirectory(dir).config());
  LesionStudy study;
  study.run = dir;
  study.wiring = config.model.wiring;
  study.input_size = config.model.input_size;
  study.output_size = config.model.output_size;
  const int64_t n = study.wiring.size();
  const int64_t steps = config.model.steps;
  const auto& a = study.wiring.adjacency();
  std::vector<LesionRow> rows;
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      if (a[static_cast<size_t>(i)][static_cast<size_t>(j)] > 0) {
        LesionRow row;
        row.from = i;
        row.to = j;
        rows.push_back(row);
      }
    }
  }
  const size_t edges = rows.size();
  for (int64_t c = 0; c < n; ++c) {
    LesionRow row;
    row.kind = LesionRow::Kind::kCell;
    row.cell = c;
    rows.push_back(row);
  }
  if (options.per_step) {
    for (size_t e = 0; e < edges; ++e) {
      for (int64_t t = 1; t <= steps; ++t) {
        LesionRow row = rows[e];
        row.step = t;
        rows.push_back(row);
      }
    }
  }
  std::vector<Lesion> lesions;
  for (const LesionRow& row : rows) {
    Lesion lesion;
    if (row.kind == LesionRow::Kind::kCell) {
      lesion.cells.push_back(row.cell);
    } else {
      lesion.edges.push_back({row.from, row.to, row.step});
    }
    lesions.push_back(lesion);
  }
  const auto evaluations = evaluate_run_lesions(dir, lesions, options.data, options.device);
  study.intact = evaluations.front();
  for (size_t i = 0; i < rows.size(); ++i) rows[i].evaluation = evaluations[i + 1];
  study.rows = std::move(rows);
  return study;
}

std::string lesion_markdown(const LesionStudy& study) {
  const auto& intact = study.intact;
  const size_t steps = intact.accuracy.size();
  std::string md =
      fmt::format("# Lesions of {}\n\n{} samples. Intact accuracy per step: {:.2f}%", study.run,
                  intact.samples, steps > 0 ? 100 * intact.accuracy[0] : 0.0);
  for (size_t t = 1; t < steps; ++t) md += fmt::format(" / {:.2f}%", 100 * intact.accuracy[t]);
  md += fmt::format("; confidence at the last step {:.3f}.\n\n", last(intact.confidence));
  md +=
      "Accuracy lost (points) when the part is removed, per step; confidence change at the "
      "last step.\n\n| lesion |";
  for (size_t t = 0; t < steps; ++t) md += fmt::format(" step {} |", t + 1);
  md += " confidence |\n| --- |";
  for (size_t t = 0; t <= steps; ++t) md += " ---: |";
  md += "\n";
  for (const LesionRow& row : study.rows) {
    md += "| " + row.name() + " |";
    for (size_t t = 0; t < steps; ++t) {
      md += fmt::format(" {:+.2f} |", 100 * (intact.accuracy[t] - row.evaluation.accuracy[t]));
    }
    md += fmt::format(" {:+.3f} |\n", last(row.evaluation.confidence) - last(intact.confidence));
  }
  return md;
}

std::string lesion_csv(const LesionStudy& study) {
  const size_t steps = study.intact.accuracy.size();
  std::string csv = "lesion,kind,from,to,cell,step";
  for (size_t t = 0; t < steps; ++t) csv += fmt::format(",accuracy_{}", t + 1);
  for (size_t t = 0; t < steps; ++t) csv += fmt::format(",confidence_{}", t + 1);
  csv += "\n";
  auto line = [&](const std::string& name, const char* kind, int64_t from, int64_t to, int64_t cell,
                  int64_t step, const Evaluation& e) {
    csv += fmt::format("\"{}\",{},{},{},{},{}", name, kind, from, to, cell, step);
    for (double v : e.accuracy) csv += fmt::format(",{:.6f}", v);
    for (double v : e.confidence) csv += fmt::format(",{:.6f}", v);
    csv += "\n";
  };
  line("intact", "none", -1, -1, -1, 0, study.intact);
  for (const LesionRow& row : study.rows) {
    line(row.name(), row.kind == LesionRow::Kind::kCell ? "cell" : "edge", row.from, row.to,
         row.cell, row.step, row.evaluation);
  }
  return csv;
}

std::string lesion_json(const LesionStudy& study) {
  nlohmann::ordered_json out;
  out["run"] = study.run;
  out["samples"] = study.intact.samples;
  out["intact"] = {{"accuracy", study.intact.accuracy}, {"confidence", study.intact.confidence}};
  out["lesions"] = nlohmann::ordered_json::array();
  for (const LesionRow& row : study.rows) {
    nlohmann::ordered_json r;
    r["lesion"] = row.name();
    r["kind"] = row.kind == LesionRow::Kind::kCell ? "cell" : "edge";
    if (row.kind == LesionRow::Kind::kCell) {
      r["cell"] = row.cell;
    } else {
      r["from"] = row.from;
      r["to"] = row.to;
      r["step"] = row.step;
    }
    r["accuracy"] = row.evaluation.accuracy;
    r["confidence"] = row.evaluation.confidence;
    out["lesions"].push_back(std::move(r));
  }
  return out.dump(2) + "\n";
}

std::string lesion_dot(const LesionStudy& study) {
  const double most = most_lost(study);
  const Wiring& w = study.wiring;
  std::string dot = fmt::format(
      "digraph lesions {{\n  rankdir=LR;\n  label=\"{}: accuracy lost at the last step when an "
      "edge or cell is removed (intact {:.2f}%)\";\n  labelloc=t;\n  node [shape=circle, "
      "style=filled, fontname=sans];\n  edge [fontname=sans, fontsize=10];\n",
      fs::path(study.run).filename().string(), 100 * last(study.intact.accuracy));
  dot +=
      "  x [shape=plaintext, style=\"\", label=\"x\"];\n  yhat [shape=plaintext, style=\"\", "
      "label=\"yhat\"];\n";
  for (const LesionRow& row : study.rows) {
    if (row.kind != LesionRow::Kind::kCell) continue;
    const double lost = lost_points(study, row);
    dot += fmt::format("  c{} [label=\"{}\\n{:+.1f}\", fillcolor=\"{}\"];\n", row.cell, row.cell,
                       shown(lost), heat(lost, most));
  }
  for (int64_t c : w.inputs()) dot += fmt::format("  x -> c{} [color=\"#888888\"];\n", c);
  dot += fmt::format("  c{} -> yhat [color=\"#888888\"];\n", w.output());
  for (const LesionRow& row : study.rows) {
    if (row.kind != LesionRow::Kind::kEdge || row.step != 0) continue;
    const double lost = lost_points(study, row);
    dot += fmt::format("  c{} -> c{} [label=\"{:+.1f}\", color=\"{}\", penwidth={:.1f}];\n",
                       row.from, row.to, shown(lost), heat(lost, most), stroke(lost, most));
  }
  return dot + "}\n";
}

std::string lesion_svg(const LesionStudy& study) {
  const Wiring& w = study.wiring;
  const auto places = layout_cells(w);
  const double width = 720, height = 360, margin = 60, radius = 20;
  std::vector<std::pair<double, double>> at;
  for (const CellPlace& p : places) {
    at.emplace_back(margin + p.x * (width - 2 * margin), margin + p.y * (height - 2 * margin - 30));
  }
  const double most = most_lost(study);
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" "
      "fill=\"white\"/>\n<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
      "markerUnits=\"userSpaceOnUse\" markerWidth=\"10\" markerHeight=\"10\" orient=\"auto\">"
      "<path d=\"M 0 1 L 10 5 L 0 9 z\" fill=\"#555\"/></marker></defs>\n"
      "<text x=\"12\" y=\"20\" font-size=\"13\">{}: accuracy lost at the "
      "last step (points) when an edge is cut or a cell silenced; intact {:.2f}%</text>\n",
      width, height, fs::path(study.run).filename().string(), 100 * last(study.intact.accuracy));
  for (const LesionRow& row : study.rows) {
    if (row.kind != LesionRow::Kind::kEdge || row.step != 0) continue;
    const double lost = lost_points(study, row);
    const auto [x1, y1] = at[static_cast<size_t>(row.from)];
    const auto [x2, y2] = at[static_cast<size_t>(row.to)];
    std::string path;
    double lx = 0, ly = 0;
    if (row.from == row.to) {  // a loop above the cell
      path = fmt::format("M {:.1f} {:.1f} C {:.1f} {:.1f}, {:.1f} {:.1f}, {:.1f} {:.1f}", x1 - 12,
                         y1 - 16, x1 - 40, y1 - 80, x1 + 40, y1 - 80, x1 + 12, y1 - 16);
      lx = x1;
      ly = y1 - 66;
    } else {  // bent to one side, so that both directions of a pair stay apart
      const double dx = x2 - x1, dy = y2 - y1, length = std::max(1e-9, std::hypot(dx, dy));
      const double mx = (x1 + x2) / 2 - dy / length * 22, my = (y1 + y2) / 2 + dx / length * 22;
      const double ex = x2 - dx / length * radius, ey = y2 - dy / length * radius;
      path = fmt::format("M {:.1f} {:.1f} Q {:.1f} {:.1f} {:.1f} {:.1f}", x1 + dx / length * radius,
                         y1 + dy / length * radius, mx, my, ex, ey);
      lx = 0.5 * mx + 0.25 * (x1 + x2);
      ly = 0.5 * my + 0.25 * (y1 + y2);
    }
    svg += fmt::format(
        "<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{:.1f}\" "
        "marker-end=\"url(#arrow)\"><title>edge {} -> "
        "{}: {:+.2f}</title></path>\n<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"10\" "
        "text-anchor=\"middle\">{:+.1f}</text>\n",
        path, heat(lost, most), stroke(lost, most), row.from, row.to, shown(lost), lx, ly,
        shown(lost));
  }
  for (const LesionRow& row : study.rows) {
    if (row.kind != LesionRow::Kind::kCell) continue;
    const double lost = lost_points(study, row);
    const auto [x, y] = at[static_cast<size_t>(row.cell)];
    const bool input =
        std::find(w.inputs().begin(), w.inputs().end(), row.cell) != w.inputs().end();
    const bool output = row.cell == w.output();
    svg += fmt::format(
        "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"{}\" fill=\"{}\" stroke=\"{}\" "
        "stroke-width=\"{}\"><title>cell {}: {:+.2f}</title></circle>\n<text x=\"{:.1f}\" "
        "y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n<text x=\"{:.1f}\" y=\"{:.1f}\" "
        "font-size=\"10\" text-anchor=\"middle\">{:+.1f}</text>\n",
        x, y, radius, heat(lost, most),
        output  ? "#d97706"
        : input ? "#17803d"
                : "#555555",
        input || output ? 3 : 1.5, row.cell, shown(lost), x, y + 4, row.cell, x, y + radius + 14,
        shown(lost));
  }
  svg += fmt::format(
      "<text x=\"12\" y=\"{}\" font-size=\"11\" fill=\"#444\">green ring: input cell; "
      "orange ring: output cell; colour and width: light grey nothing lost, red the most "
      "({:.1f} points)</text>\n</svg>\n",
      height - 12, most);
  return svg;
}

void write_lesion_report(const LesionStudy& study, const std::string& out_dir) {
  fs::create_directories(out_dir);
  write_file_atomically((fs::path(out_dir) / "lesion.md").string(), lesion_markdown(study));
  write_file_atomically((fs::path(out_dir) / "lesion.csv").string(), lesion_csv(study));
  write_file_atomically((fs::path(out_dir) / "lesion.json").string(), lesion_json(study));
  write_file_atomically((fs::path(out_dir) / "lesion.dot").string(), lesion_dot(study));
  write_file_atomically((fs::path(out_dir) / "lesion.svg").string(), lesion_svg(study));
}

}  // namespace nnn
