// How an NNN runs, worked out once from its Wiring and dimensions: cells of
// equal shape grouped, where each cell's message lives in a step's message
// buffer, which buffer columns every cell reads (the gather) and its
// inverse (the scatter of the hand-written backward). Plain integers: no
// LibTorch, so it is built and tested without modules. The executors
// (network_executors.h) run a plan.
//
// Dimension key: N cells, S buffer width (every cell's out_dim), G gathered
// width (every channel every cell reads), per group n cells, M message
// inputs, H hidden, O out_dim; D_in input width.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "nnn/core/wiring.h"

namespace nnn {

struct NetworkPlan {
  /// Cells of equal shape (input or not, message width, hidden, out_dim):
  /// one batched product per layer instead of one per cell.
  struct Group {
    std::vector<int64_t> cells;
    bool input = false;
    int64_t message_in = 0;  // M: in_dim minus the x part
    int64_t hidden = 0;      // H
    int64_t out = 0;         // O
  };

  /// `hidden`: one value per cell; `parameters`: each cell's parameter
  /// count (the flat parameter vector holds the cells in order).
  static NetworkPlan build(const Wiring& wiring, int64_t input_size, int64_t output_size,
                           const std::vector<int64_t>& hidden,
                           const std::vector<int64_t>& parameters);

  int64_t input_size = 0;
  int64_t output_size = 0;
  /// Shortest input-to-output distance d.
  int64_t distance = 0;
  /// Cell index of the output cell.
  int64_t output = 0;
  std::vector<Group> groups;  // in order of the cells' first appearance

  /// The message buffer [B, S], laid out group by group: cell c's message
  /// starts at message_offset[c]; buffer_order lists the cells in it.
  int64_t width = 0;  // S
  std::vector<int64_t> message_offset;
  std::vector<int64_t> buffer_order;

  /// The gather: buffer positions of every channel every cell reads, group
  /// by group, cell by cell, in the spec's unit order ([G]); per group its
  /// share of the G columns and where that share starts.
  std::vector<int64_t> gather;
  std::vector<int64_t> split_sizes;
  std::vector<int64_t> gathered_at;
  /// Its inverse: for each buffer position its column among the G, or G
  /// (a zero column) when no cell reads it ([S]). Every position is read by
  /// one channel at most.
  std::vector<int64_t> scatter;
  /// Per cell, its own channels' buffer positions in unit order (the
  /// generic executor's gather, cell by cell).
  std::vector<std::vector<int64_t>> cell_gather;

  /// Cell c's first hidden unit among all cells' (dropout masks), and its
  /// first element in the flat parameter vector.
  std::vector<int64_t> hidden_base;
  std::vector<int64_t> parameter_base;
  int64_t parameter_count = 0;

  /// Per cell, the cells that send it channels, ascending.
  std::vector<std::vector<int64_t>> senders;

  /// Which cells must run at each step for the predictions of steps
  /// `from`..`steps` (1-based; `from` <= 1: every step's): entry [t - 1][c]
  /// is 1 when cell c's message at step t reaches the output cell's at one
  /// of those steps. The rest cannot change those predictions, or a loss
  /// on them, so a pass may skip them (as compilers drop dead code).
  std::vector<std::vector<uint8_t>> needed_cells(int64_t steps, int64_t from) const;
  /// The buffer columns of the cells `cells` marks (one step of
  /// needed_cells) as runs (first column, count), adjacent cells merged.
  std::vector<std::pair<int64_t, int64_t>> cell_columns(const std::vector<uint8_t>& cells) const;
};

/// Per cell, the cells that send it channels, ascending.
std::vector<std::vector<int64_t>> senders_of(const Wiring& wiring);

/// NetworkPlan::needed_cells for any wiring's `senders` and output cell.
std::vector<std::vector<uint8_t>> needed_cells(const std::vector<std::vector<int64_t>>& senders,
                                               int64_t output, int64_t steps, int64_t from);

}  // namespace nnn
