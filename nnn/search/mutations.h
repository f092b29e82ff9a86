// The wiring search's moves (`nnn search`): random wirings to start from, and
// one mutation at a time (add or remove an edge, move channels between two
// edges, add or remove a cell, add or remove a self-loop), each remembering
// which cell of the parent every cell of the child continues, so that the
// child can start from the parent's weights (nnn/search/inherit.h). Every
// proposal is a valid wiring in which each edge (so each cell) can change
// the prediction of the last step: what cannot is removed (a feedback edge
// when the steps end as soon as the output has read the input, a cell off
// every input-to-output path). Deterministic in the generator; torch-free.
//
// Dimension key: N cells; A[i][j] channels from cell i to cell j.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nnn/config/experiment_config.h"
#include "nnn/core/wiring.h"
#include "nnn/util/random.h"

namespace nnn {

/// What wirings the search may propose.
struct SearchSpace {
  int64_t input_size = 1;   // D_in, for the wiring's checks
  int64_t output_size = 1;  // D_out
  int64_t max_cells = 6;    // N <= max_cells
  /// Widths a new edge or self-loop gets (one drawn uniformly).
  std::vector<int64_t> channels = {8, 16, 32, 64};
  int64_t max_channels = 256;  // one edge never wider (moves stop there)
  /// Steps after the first at which the output cell can have read the
  /// input: a wiring of distance d runs T = d + readings steps, and edges
  /// that cannot reach the prediction of step T are removed.
  int64_t readings = 1;
};

struct WiringProposal {
  Wiring wiring = Wiring(Matrix64{{0}});
  /// Per cell of `wiring`, the parent's cell it continues (-1: a new cell;
  /// empty for a random wiring, which has no parent).
  std::vector<int64_t> parent_cells;
  std::string change;  // "add edge 0 -> 2 (16 channels)", "random: 3 cells, 4 edges"
};

/// Whether every cell lies on a path from an input cell to the output cell
/// (a cell off every such path holds parameters that cannot change a
/// prediction), besides `wiring.validate(D_in, D_out)`.
bool every_cell_on_a_path(const Wiring& wiring);

/// Removes from `a` (inputs, output) the edges that cannot change the
/// prediction of step T = d + readings (edge i -> j: dist(inputs, i) +
/// dist(j, output) + 2 > T), then the cells left without an edge (`cells`,
/// a per-cell map, follows). Returns the edges removed, or -1 when the
/// output cannot be reached at all. After it, every cell lies on a path.
int64_t prune_to_steps(Matrix64& a, std::vector<int64_t>& inputs, int64_t& output,
                       std::vector<int64_t>& cells, int64_t readings);

/// A random wiring: 1..max_cells cells, input 0, output N-1, edges with
/// a drawn density and widths, self-loops on some cells.
WiringProposal random_proposal(const SearchSpace& space, Rng& rng);

/// One mutation of `parent`, drawn until it gives a valid wiring (at most
/// a bounded number of draws; the parent's own single-cell extremes always
/// admit one: a self-loop or a new cell).
WiringProposal mutate(const Wiring& parent, const SearchSpace& space, Rng& rng);

/// The hidden size (one for every cell) whose network's parameter count is
/// closest to `budget`, the wiring and sizes of `model` fixed; 0 when even
/// hidden 1 exceeds it by more than the size of one hidden unit.
int64_t hidden_for_budget(ModelConfig model, int64_t budget);

}  // namespace nnn
