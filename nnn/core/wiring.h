// Wiring: which cell sends how many channels to which, as pure data (no
// torch). It checks the structural rules of NNN-SPEC in one place and answers
// every question about dimensions and unit order; NNN consumes it.
//
// Dimension key: N cells; A[i][j] channels from cell i to cell j; D_in the
// external input width; D_out the prediction width.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nnn {

using Matrix64 = std::vector<std::vector<int64_t>>;

class Wiring {
 public:
  /// Checks that `adjacency` is square with N >= 1 and entries >= 0, that the
  /// input cells are distinct and in range, and that `output` is in range.
  /// Empty `inputs` means {0}; output -1 means N-1.
  explicit Wiring(Matrix64 adjacency, std::vector<int64_t> inputs = {}, int64_t output = -1);

  int64_t size() const { return static_cast<int64_t>(adjacency_.size()); }
  const Matrix64& adjacency() const { return adjacency_; }
  int64_t channels(int64_t from, int64_t to) const { return adjacency_[from][to]; }
  const std::vector<int64_t>& inputs() const { return inputs_; }
  int64_t output() const { return output_; }
  bool is_input(int64_t cell) const;

  /// [j in I] * D_in + sum_i A[i][j]
  int64_t in_dim(int64_t cell, int64_t input_size) const;
  /// [i == o] * D_out + sum_j A[i][j]
  int64_t out_dim(int64_t cell, int64_t output_size) const;
  /// Offset of the channels i -> j inside m_i (after the prediction, then
  /// targets in ascending order).
  int64_t send_offset(int64_t from, int64_t to, int64_t output_size) const;
  /// Offset of the channels i -> j inside u_j (after x, then sources in
  /// ascending order).
  int64_t receive_offset(int64_t from, int64_t to, int64_t input_size) const;

  /// Shortest path length in edges from any input cell to the output cell,
  /// or -1 when there is none.
  int64_t distance() const;
  /// Checks the rules that need the sizes and steps: every cell has
  /// in_dim > 0 and out_dim > 0, the output is reachable, and steps >= d + 1.
  /// Pass steps < 0 to skip the step check.
  void validate(int64_t input_size, int64_t output_size, int64_t steps = -1) const;

  /// Number of edges (pairs with A[i][j] > 0) and of channels (sum of A).
  int64_t edge_count() const;
  int64_t channel_count() const;

  bool operator==(const Wiring& other) const;
  bool operator!=(const Wiring& other) const { return !(*this == other); }

 private:
  Matrix64 adjacency_;           // [N, N]
  std::vector<int64_t> inputs_;  // sorted, distinct
  int64_t output_;
};

/// Graphviz DOT: one node per cell labelled with its in/hidden/out dims
/// (hidden may be empty, or one value per cell), one edge per A[i][j] > 0
/// labelled with its channels, plus x and yhat pseudo-nodes.
std::string to_dot(const Wiring& wiring, int64_t input_size, int64_t output_size,
                   const std::vector<int64_t>& hidden = {});

// --- Generators: every cell reads from and writes to the others as named. ---

/// 0 -> 1 -> ... -> n-1, each edge `channels` wide; input 0, output n-1.
Wiring chain(int64_t n, int64_t channels);
/// Layers of cells (e.g. {1, 3, 1}); every cell of layer l sends `channels`
/// to every cell of layer l+1, and with `feedback` also to every cell of
/// layer l-1. Inputs: the first layer; output: the last cell of the last layer.
Wiring layered(const std::vector<int64_t>& layers, int64_t channels, bool feedback);
/// Every ordered pair i != j (and i == i with `self_loops`); input 0, output n-1.
Wiring fully_connected(int64_t n, int64_t channels, bool self_loops);
/// Each ordered pair i != j an edge with probability `density`, then repaired
/// so that every cell but the input has a sender, every cell but the output a
/// receiver, and the output is reachable from input 0. Deterministic in `seed`.
Wiring random_wiring(int64_t n, double density, int64_t channels, uint64_t seed);

}  // namespace nnn
