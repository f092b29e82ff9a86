// Wiring: validation, dimensions, distances, DOT export and generators.
#include "nnn/core/wiring.h"

#include <algorithm>
#include <deque>
#include <set>
#include <sstream>

#include "nnn/util/error.h"
#include "nnn/util/random.h"

namespace nnn {

Wiring::Wiring(Matrix64 adjacency, std::vector<int64_t> inputs, int64_t output)
    : adjacency_(std::move(adjacency)), inputs_(std::move(inputs)), output_(output) {
  const int64_t n = size();
  NNN_CHECK(n >= 1, "wiring: the adjacency matrix is empty; need at least one cell");
  for (int64_t i = 0; i < n; ++i) {
    const auto width = static_cast<int64_t>(adjacency_[i].size());
    NNN_CHECK(width == n, "wiring: adjacency row ", i, " has ", width,
              " entries but the matrix has ", n, " rows; it must be square");
    for (int64_t j = 0; j < n; ++j) {
      NNN_CHECK(adjacency_[i][j] >= 0, "wiring: adjacency[", i, "][", j, "] is ", adjacency_[i][j],
                "; channel counts must be >= 0");
    }
  }
  if (inputs_.empty()) inputs_ = {0};
  std::set<int64_t> seen;
  for (int64_t cell : inputs_) {
    NNN_CHECK(cell >= 0 && cell < n, "wiring: input cell ", cell, " is out of range [0, ", n, ")");
    NNN_CHECK(seen.insert(cell).second, "wiring: input cell ", cell, " is listed twice");
  }
  std::sort(inputs_.begin(), inputs_.end());
  if (output_ == -1) output_ = n - 1;
  NNN_CHECK(output_ >= 0 && output_ < n, "wiring: output cell ", output_, " is out of range [0, ",
            n, ")");
}

bool Wiring::is_input(int64_t cell) const {
  return std::binary_search(inputs_.begin(), inputs_.end(), cell);
}

int64_t Wiring::in_dim(int64_t cell, int64_t input_size) const {
  int64_t dim = is_input(cell) ? input_size : 0;
  for (int64_t i = 0; i < size(); ++i) dim += adjacency_[i][cell];
  return dim;
}

int64_t Wiring::out_dim(int64_t cell, int64_t output_size) const {
  int64_t dim = cell == output_ ? output_size : 0;
  for (int64_t j = 0; j < size(); ++j) dim += adjacency_[cell][j];
  return dim;
}

int64_t Wiring::send_offset(int64_t from, int64_t to, int64_t output_size) const {
  int64_t offset = from == output_ ? output_size : 0;
  for (int64_t j = 0; j < to; ++j) offset += adjacency_[from][j];
  return offset;
}

int64_t Wiring::receive_offset(int64_t from, int64_t to, int64_t input_size) const {
  int64_t offset = is_input(to) ? input_size : 0;
  for (int64_t i = 0; i < from; ++i) offset += adjacency_[i][to];
  return offset;
}

int64_t Wiring::distance() const {
  std::vector<int64_t> dist(size(), -1);
  std::deque<int64_t> queue;
  for (int64_t cell : inputs_) {
    dist[cell] = 0;
    queue.push_back(cell);
  }
  while (!queue.empty()) {
    const int64_t i = queue.front();
    queue.pop_front();
    for (int64_t j = 0; j < size(); ++j) {
      if (adjacency_[i][j] > 0 && dist[j] < 0) {
        dist[j] = dist[i] + 1;
        queue.push_back(j);
      }
    }
  }
  return dist[output_];
}

void Wiring::validate(int64_t input_size, int64_t output_size, int64_t steps) const {
  NNN_CHECK(input_size > 0, "wiring: input size is ", input_size, "; need at least 1");
  NNN_CHECK(output_size > 0, "wiring: output size is ", output_size, "; need at least 1");
  for (int64_t c = 0; c < size(); ++c) {
    NNN_CHECK(in_dim(c, input_size) > 0, "wiring: cell ", c,
              " has in_dim 0: it is not an input cell and column ", c,
              " of the adjacency matrix is all zeros");
    NNN_CHECK(out_dim(c, output_size) > 0, "wiring: cell ", c,
              " has out_dim 0: it is not the output cell and row ", c,
              " of the adjacency matrix is all zeros");
  }
  const int64_t d = distance();
  NNN_CHECK(d >= 0, "wiring: the output cell ", output_,
            " is not reachable from any input cell over edges with channels > 0");
  if (steps >= 0) {
    NNN_CHECK(steps >= d + 1, "model.steps is ", steps, " but the output cell is ", d,
              " edges from the input; need at least ", d + 1);
  }
}

int64_t Wiring::edge_count() const {
  int64_t edges = 0;
  for (const auto& row : adjacency_) {
    edges += std::count_if(row.begin(), row.end(), [](int64_t a) { return a > 0; });
  }
  return edges;
}

int64_t Wiring::channel_count() const {
  int64_t channels = 0;
  for (const auto& row : adjacency_) {
    for (int64_t a : row) channels += a;
  }
  return channels;
}

bool Wiring::operator==(const Wiring& other) const {
  return adjacency_ == other.adjacency_ && inputs_ == other.inputs_ && output_ == other.output_;
}

std::string to_dot(const Wiring& wiring, int64_t input_size, int64_t output_size,
                   const std::vector<int64_t>& hidden) {
  std::ostringstream dot;
  dot << "digraph nnn {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n";
  dot << "  x [shape=plaintext, label=\"x [" << input_size << "]\"];\n";
  dot << "  yhat [shape=plaintext, label=\"yhat [" << output_size << "]\"];\n";
  for (int64_t c = 0; c < wiring.size(); ++c) {
    dot << "  cell" << c << " [label=\"cell " << c << "\\nin " << wiring.in_dim(c, input_size);
    if (!hidden.empty()) {
      dot << " | hidden " << hidden[hidden.size() == 1 ? 0 : static_cast<size_t>(c)];
    }
    dot << " | out " << wiring.out_dim(c, output_size) << "\"";
    if (wiring.is_input(c) || c == wiring.output()) dot << ", penwidth=2";
    dot << "];\n";
  }
  for (int64_t c : wiring.inputs()) {
    dot << "  x -> cell" << c << " [label=\"" << input_size << "\"];\n";
  }
  for (int64_t i = 0; i < wiring.size(); ++i) {
    for (int64_t j = 0; j < wiring.size(); ++j) {
      if (wiring.channels(i, j) > 0) {
        dot << "  cell" << i << " -> cell" << j << " [label=\"" << wiring.channels(i, j)
            << "\"];\n";
      }
    }
  }
  dot << "  cell" << wiring.output() << " -> yhat [label=\"" << output_size << "\"];\n}\n";
  return dot.str();
}

namespace {
void check_generator(int64_t n, int64_t channels, const char* name) {
  NNN_CHECK(n >= 1, "wiring generator ", name, ": n is ", n, "; need at least 1 cell");
  NNN_CHECK(channels >= 1, "wiring generator ", name, ": channels is ", channels,
            "; need at least 1");
}
Matrix64 zeros(int64_t n) { return Matrix64(n, std::vector<int64_t>(n, 0)); }
}  // namespace

Wiring chain(int64_t n, int64_t channels) {
  check_generator(n, channels, "chain");
  Matrix64 a = zeros(n);
  for (int64_t i = 0; i + 1 < n; ++i) a[i][i + 1] = channels;
  return Wiring(std::move(a), {0}, n - 1);
}

Wiring layered(const std::vector<int64_t>& layers, int64_t channels, bool feedback) {
  NNN_CHECK(!layers.empty(), "wiring generator layered: layers is empty; need at least one");
  int64_t n = 0;
  std::vector<int64_t> first;  // index of each layer's first cell
  for (size_t l = 0; l < layers.size(); ++l) {
    NNN_CHECK(layers[l] >= 1, "wiring generator layered: layers[", l, "] is ", layers[l],
              "; every layer needs at least one cell");
    first.push_back(n);
    n += layers[l];
  }
  check_generator(n, channels, "layered");
  Matrix64 a = zeros(n);
  for (size_t l = 0; l + 1 < layers.size(); ++l) {
    for (int64_t i = first[l]; i < first[l] + layers[l]; ++i) {
      for (int64_t j = first[l + 1]; j < first[l + 1] + layers[l + 1]; ++j) {
        a[i][j] = channels;
        if (feedback) a[j][i] = channels;
      }
    }
  }
  std::vector<int64_t> inputs;
  for (int64_t i = 0; i < layers[0]; ++i) inputs.push_back(i);
  return Wiring(std::move(a), inputs, n - 1);
}

Wiring fully_connected(int64_t n, int64_t channels, bool self_loops) {
  check_generator(n, channels, "fully_connected");
  Matrix64 a = zeros(n);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      if (i != j || self_loops) a[i][j] = channels;
    }
  }
  return Wiring(std::move(a), {0}, n - 1);
}

Wiring random_wiring(int64_t n, double density, int64_t channels, uint64_t seed) {
  check_generator(n, channels, "random");
  NNN_CHECK(density >= 0.0 && density <= 1.0, "wiring generator random: density is ", density,
            "; expected a value in [0, 1]");
  Rng rng(seed);
  Matrix64 a = zeros(n);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      if (i != j && rng.uniform() < density) a[i][j] = channels;
    }
  }
  if (n > 1) {
    // Pick a partner other than `self`, uniformly.
    auto other = [&](int64_t self) {
      const auto k = static_cast<int64_t>(rng.below(static_cast<uint64_t>(n - 1)));
      return k >= self ? k + 1 : k;
    };
    for (int64_t j = 1; j < n; ++j) {
      bool has_sender = false;
      for (int64_t i = 0; i < n; ++i) has_sender = has_sender || a[i][j] > 0;
      if (!has_sender) a[other(j)][j] = channels;
    }
    for (int64_t i = 0; i + 1 < n; ++i) {
      bool has_receiver = false;
      for (int64_t j = 0; j < n; ++j) has_receiver = has_receiver || a[i][j] > 0;
      if (!has_receiver) a[i][other(i)] = channels;
    }
  }
  Wiring wiring(a, {0}, n - 1);
  if (wiring.distance() < 0) {
    // Join a random cell reachable from the input to the output.
    std::vector<bool> reached(n, false);
    std::vector<int64_t> stack = {0};
    reached[0] = true;
    std::vector<int64_t> reachable;
    while (!stack.empty()) {
      const int64_t i = stack.back();
      stack.pop_back();
      reachable.push_back(i);
      for (int64_t j = 0; j < n; ++j) {
        if (a[i][j] > 0 && !reached[j]) {
          reached[j] = true;
          stack.push_back(j);
        }
      }
    }
    a[reachable[rng.below(reachable.size())]][n - 1] = channels;
    wiring = Wiring(std::move(a), {0}, n - 1);
  }
  return wiring;
}

}  // namespace nnn
