// Lesion studies of trained runs.
#include "nnn/experiments/lesion.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "nnn/config/experiment_config.h"
#include "nnn/core/network.h"
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

// Light grey (nothing lost) to red (the most lost of any lesion).
std::string heat(double lost, double most) {
  const double f = most > 0 ? std::clamp(lost / most, 0.0, 1.0) : 0.0;
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
  double most = 0;
  for (const LesionRow& row : study.rows) {
    if (row.step == 0) most = std::max(most, lost_points(study, row));
  }
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
                       lost == 0 ? 0.0 : -lost, heat(lost, most));
  }
  for (int64_t c : w.inputs()) dot += fmt::format("  x -> c{} [color=\"#888888\"];\n", c);
  dot += fmt::format("  c{} -> yhat [color=\"#888888\"];\n", w.output());
  for (const LesionRow& row : study.rows) {
    if (row.kind != LesionRow::Kind::kEdge || row.step != 0) continue;
    const double lost = lost_points(study, row);
    dot += fmt::format("  c{} -> c{} [label=\"{:+.1f}\", color=\"{}\", penwidth={:.1f}];\n",
                       row.from, row.to, lost == 0 ? 0.0 : -lost, heat(lost, most),
                       1.0 + 4.0 * (most > 0 ? std::clamp(lost / most, 0.0, 1.0) : 0.0));
  }
  return dot + "}\n";
}

void write_lesion_report(const LesionStudy& study, const std::string& out_dir) {
  fs::create_directories(out_dir);
  write_file_atomically((fs::path(out_dir) / "lesion.md").string(), lesion_markdown(study));
  write_file_atomically((fs::path(out_dir) / "lesion.csv").string(), lesion_csv(study));
  write_file_atomically((fs::path(out_dir) / "lesion.json").string(), lesion_json(study));
  write_file_atomically((fs::path(out_dir) / "lesion.dot").string(), lesion_dot(study));
}

}  // namespace nnn
