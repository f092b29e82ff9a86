// Warm starts across wirings for the search: a child wiring starts from its
// parent's trained weights wherever the two share a block, and from nnn's
// seeded initialisation elsewhere. `train.init_from` needs equal shapes; a
// mutation changes them (an edge adds input columns to one cell and output
// columns to another, and the budget changes every cell's hidden size), so
// the blocks are matched unit by unit instead.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nnn/config/experiment_config.h"

namespace nnn {

/// Writes to `out_file` (atomically, as weights.pt) the weights a network of
/// `child` starts with: first nnn's initialisation under torch seed `seed`
/// (what a run of that seed would start from), then, for every child cell c
/// with parent_cells[c] = p >= 0, the parent's trained values (read from
/// `parent_weights`, a network of `parent`) copied where both have the unit:
/// hidden units 0..min(h_c, h_p) - 1; of w1's rows the input x (when both
/// are input cells) and, per sender s of c whose parent cell sends to p, the
/// first min of the two widths of channels; of w2's columns the prediction
/// (when both are the output cell) and the channels to each receiver
/// likewise. Returns the share of the child's parameters copied.
double inherit_weights(const std::string& parent_weights, const ModelConfig& parent,
                       const ModelConfig& child, const std::vector<int64_t>& parent_cells,
                       uint64_t seed, const std::string& out_file);

}  // namespace nnn
