// Where to draw each cell of a wiring: columns by distance from the input
// cells, the output cell alone in the last column, rows ordered to keep
// edges short. Computed by nnn so the web page (nnn serve) and the SVG
// pictures (nnn lesion) need no layout service.
// Torch-free.
#pragma once

#include <cstdint>
#include <vector>

#include "nnn/core/wiring.h"

namespace nnn {

struct CellPlace {
  int64_t column = 0;  // 0 .. columns - 1, left to right
  int64_t row = 0;     // 0 .. (cells in the column) - 1, top to bottom
  double x = 0.0;      // centre in [0, 1], left to right
  double y = 0.0;      // centre in [0, 1], top to bottom
};

/// One place per cell. Column: the number of edges from the nearest input
/// cell (cells no input reaches join column 0); the output cell gets a
/// column of its own after every other cell. Within a column, cells are
/// ordered by the mean row of the cells they read from in earlier columns
/// (a few barycentre sweeps), ties by cell index.
std::vector<CellPlace> layout_cells(const Wiring& wiring);

}  // namespace nnn
