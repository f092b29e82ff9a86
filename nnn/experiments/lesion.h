// `nnn lesion RUN`: which parts of a trained wiring matter. Each edge is cut
// (its channels read as zero by the receiving cell) and each cell silenced
// (its message zero) in turn, at every step, and each edge also at one step
// only; the run is evaluated on its test (or training) data each time and
// compared with the intact network: accuracy lost at every step, change in
// confidence. Deterministic (evaluation only). Reports as Markdown, CSV,
// JSON and a heat-coloured wiring (Graphviz DOT, and SVG on nnn's layout).
//
// Dimension key: T steps, E edges, N cells.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "nnn/core/wiring.h"
#include "nnn/runtime/device_setting.h"
#include "nnn/train/report.h"
#include "nnn/train/run_evaluation.h"

namespace nnn {

struct LesionOptions {
  EvaluationData data;   // the run's test split by default
  bool per_step = true;  // also every edge cut at one step only (E x T more evaluations)
  std::optional<DeviceSetting> device;
};

struct LesionRow {
  enum class Kind { kEdge, kCell } kind = Kind::kEdge;
  int64_t from = -1, to = -1;  // kEdge
  int64_t cell = -1;           // kCell
  int64_t step = 0;            // kEdge: 1-based, or 0 for every step
  Evaluation evaluation;
  /// "edge 0 -> 2", "edge 0 -> 2 at step 3", "cell 1".
  std::string name() const;
};

struct LesionStudy {
  std::string run;
  Wiring wiring = Wiring(Matrix64{{0}});
  int64_t input_size = 0, output_size = 0;
  Evaluation intact;
  std::vector<LesionRow> rows;  // edges (every step), cells, then edges per step
};

/// Every lesion of the run in `dir` (edges in adjacency order, then cells,
/// then, with options.per_step, each edge at each step).
LesionStudy lesion_study(const std::string& dir, const LesionOptions& options = {});

/// A table: per lesion the accuracy lost at every step (points) and the
/// change in confidence at the last step; the intact figures first.
std::string lesion_markdown(const LesionStudy& study);
/// One row per lesion: kind, from, to, cell, step, then per step accuracy
/// and confidence (the intact network's row first, kind "none").
std::string lesion_csv(const LesionStudy& study);
std::string lesion_json(const LesionStudy& study);
/// The wiring with every edge and cell coloured by the accuracy lost at
/// the last step when it is removed (light: nothing, red: the most), and
/// labelled with that loss.
std::string lesion_dot(const LesionStudy& study);
/// The same picture drawn on nnn's own layout (layout_cells, as the web
/// demo places the cells), as SVG.
std::string lesion_svg(const LesionStudy& study);
/// Writes lesion.md, lesion.csv, lesion.json, lesion.dot and lesion.svg
/// into `out_dir`.
void write_lesion_report(const LesionStudy& study, const std::string& out_dir);

}  // namespace nnn
