// Random wirings and mutations for the search; see mutations.h.
#include "nnn/search/mutations.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "nnn/util/error.h"
#include "nnn/util/limits.h"

namespace nnn {

namespace {

constexpr int kMaxDraws = 1000;

int64_t draw(Rng& rng, int64_t n) {
  return static_cast<int64_t>(rng.below(static_cast<uint64_t>(n)));
}

int64_t draw_width(const SearchSpace& space, Rng& rng) {
  return space
      .channels[static_cast<size_t>(draw(rng, static_cast<int64_t>(space.channels.size())))];
}

/// Shortest distances in edges from `starts` along the edges (forward) or
/// against them; -1 where none.
std::vector<int64_t> distances(const Matrix64& a, const std::vector<int64_t>& starts,
                               bool forward) {
  const auto n = static_cast<int64_t>(a.size());
  std::vector<int64_t> dist(static_cast<size_t>(n), -1);
  std::vector<int64_t> frontier;
  for (int64_t s : starts) {
    dist[static_cast<size_t>(s)] = 0;
    frontier.push_back(s);
  }
  for (int64_t depth = 1; !frontier.empty(); ++depth) {
    std::vector<int64_t> next;
    for (int64_t i : frontier) {
      for (int64_t j = 0; j < n; ++j) {
        if ((forward ? a[i][j] : a[j][i]) > 0 && dist[static_cast<size_t>(j)] < 0) {
          dist[static_cast<size_t>(j)] = depth;
          next.push_back(j);
        }
      }
    }
    frontier = std::move(next);
  }
  return dist;
}

/// The wiring when it is one the search may propose (after pruning what
/// cannot reach the last step), else nothing; `cells` (the parent map)
/// follows the cells removed.
std::optional<WiringProposal> acceptable(Matrix64 a, std::vector<int64_t> inputs, int64_t output,
                                         std::vector<int64_t> cells, const SearchSpace& space) {
  if (a.empty() || static_cast<int64_t>(a.size()) > space.max_cells) return std::nullopt;
  const int64_t pruned = prune_to_steps(a, inputs, output, cells, space.readings);
  if (pruned < 0) return std::nullopt;
  try {
    Wiring wiring(std::move(a), inputs, output);
    // After the pruning every cell left lies on a path (an edge that can
    // reach step T continues to the output and back to an input), so
    // validate() is the last check.
    wiring.validate(space.input_size, space.output_size);
    WiringProposal proposal;
    proposal.wiring = std::move(wiring);
    proposal.parent_cells = std::move(cells);
    if (pruned > 0) {
      proposal.change = fmt::format(" (and {} edge{} that could not reach the last step removed)",
                                    pruned, pruned == 1 ? "" : "s");
    }
    return proposal;
  } catch (const Error&) {
    return std::nullopt;
  }
}

std::vector<int64_t> identity(int64_t n) {
  std::vector<int64_t> cells(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) cells[static_cast<size_t>(i)] = i;
  return cells;
}

/// The edges i -> j (i != j when `self` is false, i == j when true).
std::vector<std::pair<int64_t, int64_t>> edges(const Matrix64& a, bool self) {
  std::vector<std::pair<int64_t, int64_t>> out;
  for (size_t i = 0; i < a.size(); ++i) {
    for (size_t j = 0; j < a.size(); ++j) {
      if (a[i][j] > 0 && (i == j) == self) out.emplace_back(i, j);
    }
  }
  return out;
}

}  // namespace

int64_t prune_to_steps(Matrix64& a, std::vector<int64_t>& inputs, int64_t& output,
                       std::vector<int64_t>& cells, int64_t readings) {
  const auto from_inputs = distances(a, inputs, true);
  const auto to_output = distances(a, {output}, false);
  const int64_t d = from_inputs[static_cast<size_t>(output)];
  if (d < 0) return -1;
  const int64_t steps = d + readings;
  const auto n = static_cast<int64_t>(a.size());
  int64_t removed = 0;
  // Edge i -> j: i's message first depends on x at step dist_in(i) + 1, j
  // reads it a step later, and the output cell dist_out(j) steps after that.
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      if (a[i][j] == 0) continue;
      const int64_t in = from_inputs[static_cast<size_t>(i)];
      const int64_t out = to_output[static_cast<size_t>(j)];
      if (in < 0 || out < 0 || in + out + 2 > steps) {
        a[i][j] = 0;
        ++removed;
      }
    }
  }
  // Cells left without an edge (never an input or the output cell).
  for (int64_t k = n - 1; k >= 0; --k) {
    if (k == output || std::find(inputs.begin(), inputs.end(), k) != inputs.end()) continue;
    bool joined = false;
    for (int64_t o = 0; o < static_cast<int64_t>(a.size()); ++o)
      joined = joined || a[k][o] > 0 || a[o][k] > 0;
    if (joined) continue;
    a.erase(a.begin() + k);
    for (auto& row : a) row.erase(row.begin() + k);
    cells.erase(cells.begin() + k);
    for (auto& i : inputs) i -= i > k ? 1 : 0;
    output -= output > k ? 1 : 0;
  }
  return removed;
}

bool every_cell_on_a_path(const Wiring& wiring) {
  const auto from_inputs = distances(wiring.adjacency(), wiring.inputs(), true);
  const auto to_output = distances(wiring.adjacency(), {wiring.output()}, false);
  for (size_t c = 0; c < from_inputs.size(); ++c) {
    if (from_inputs[c] < 0 || to_output[c] < 0) return false;
  }
  return true;
}

WiringProposal random_proposal(const SearchSpace& space, Rng& rng) {
  NNN_CHECK(space.max_cells >= 1 && space.max_cells <= limits::kMaxCells, "search: max_cells is ",
            space.max_cells, "; expected 1..", limits::kMaxCells);
  NNN_CHECK(!space.channels.empty(), "search: no channel widths to draw from");
  NNN_CHECK(space.readings >= 1, "search: readings is ", space.readings, "; expected >= 1");
  for (int attempt = 0; attempt < kMaxDraws; ++attempt) {
    const int64_t n = 1 + draw(rng, space.max_cells);
    const double density = rng.uniform(0.2, 0.6);
    Matrix64 a(static_cast<size_t>(n), std::vector<int64_t>(static_cast<size_t>(n), 0));
    if (n > 1) {
      const Wiring shape = random_wiring(n, density, 1, rng.next());
      for (int64_t i = 0; i < n; ++i) {
        for (int64_t j = 0; j < n; ++j) {
          if (shape.channels(i, j) > 0) a[i][j] = draw_width(space, rng);
        }
      }
    }
    for (int64_t c = 0; c < n; ++c) {
      if (rng.uniform() < 0.4) a[c][c] = draw_width(space, rng);
    }
    if (auto proposal = acceptable(a, {0}, n - 1, identity(n), space)) {
      const Wiring& w = proposal->wiring;
      proposal->change = fmt::format("random: {} cell{}, {} edges, {} channels", w.size(),
                                     w.size() == 1 ? "" : "s", w.edge_count(), w.channel_count());
      proposal->parent_cells.clear();
      return *proposal;
    }
  }
  throw Error("search: no random wiring within max_cells " + std::to_string(space.max_cells) +
              " passed the wiring checks");
}

WiringProposal mutate(const Wiring& parent, const SearchSpace& space, Rng& rng) {
  NNN_CHECK(!space.channels.empty(), "search: no channel widths to draw from");
  const Matrix64& p = parent.adjacency();
  const int64_t n = parent.size();
  for (int attempt = 0; attempt < kMaxDraws; ++attempt) {
    Matrix64 a = p;
    std::vector<int64_t> inputs = parent.inputs();
    int64_t output = parent.output();
    std::vector<int64_t> cells = identity(n);
    std::string change;
    switch (draw(rng, 7)) {
      case 0: {  // add an edge between two cells not yet joined
        const int64_t i = draw(rng, n), j = draw(rng, n);
        if (i == j || a[i][j] > 0) continue;
        a[i][j] = draw_width(space, rng);
        change = fmt::format("add edge {} -> {} ({} channels)", i, j, a[i][j]);
        break;
      }
      case 1: {  // remove an edge
        const auto list = edges(a, false);
        if (list.empty()) continue;
        const auto [i, j] = list[static_cast<size_t>(draw(rng, static_cast<int64_t>(list.size())))];
        change = fmt::format("remove edge {} -> {} ({} channels)", i, j, a[i][j]);
        a[i][j] = 0;
        break;
      }
      case 2: {  // move half of one edge's channels to another edge
        auto list = edges(a, false);
        const auto loops = edges(a, true);
        list.insert(list.end(), loops.begin(), loops.end());
        if (list.size() < 2) continue;
        const auto from = list[static_cast<size_t>(draw(rng, static_cast<int64_t>(list.size())))];
        const auto to = list[static_cast<size_t>(draw(rng, static_cast<int64_t>(list.size())))];
        int64_t& give = a[from.first][from.second];
        int64_t& take = a[to.first][to.second];
        const int64_t moved = std::min(give / 2, space.max_channels - take);
        if (from == to || moved < 1) continue;
        give -= moved;
        take += moved;
        change = fmt::format("move {} channels from {} -> {} to {} -> {}", moved, from.first,
                             from.second, to.first, to.second);
        break;
      }
      case 3: {  // a new cell between two existing ones
        if (n >= space.max_cells) continue;
        const int64_t i = draw(rng, n), j = draw(rng, n);
        for (auto& row : a) row.push_back(0);
        a.emplace_back(static_cast<size_t>(n + 1), 0);
        a[i][n] = draw_width(space, rng);
        a[n][j] = draw_width(space, rng);
        cells.push_back(-1);
        change = fmt::format("add cell {} ({} -> {} -> {})", n, i, n, j);
        break;
      }
      case 4: {  // remove a cell that is neither an input nor the output
        const int64_t k = draw(rng, n);
        if (parent.is_input(k) || k == output) continue;
        a.erase(a.begin() + k);
        for (auto& row : a) row.erase(row.begin() + k);
        cells.erase(cells.begin() + k);
        for (auto& i : inputs) i -= i > k ? 1 : 0;
        output -= output > k ? 1 : 0;
        change = fmt::format("remove cell {}", k);
        break;
      }
      case 5: {  // a self-loop on a cell without one
        const int64_t c = draw(rng, n);
        if (a[c][c] > 0) continue;
        a[c][c] = draw_width(space, rng);
        change = fmt::format("add self-loop {} ({} channels)", c, a[c][c]);
        break;
      }
      default: {  // remove a self-loop
        const auto loops = edges(a, true);
        if (loops.empty()) continue;
        const int64_t c =
            loops[static_cast<size_t>(draw(rng, static_cast<int64_t>(loops.size())))].first;
        change = fmt::format("remove self-loop {} ({} channels)", c, a[c][c]);
        a[c][c] = 0;
        break;
      }
    }
    if (auto proposal = acceptable(std::move(a), inputs, output, cells, space)) {
      proposal->change = change + proposal->change;
      return *proposal;
    }
  }
  throw Error("search: no mutation of a wiring of " + std::to_string(n) +
              " cells passed the wiring checks");
}

int64_t hidden_for_budget(ModelConfig model, int64_t budget) {
  auto count = [&](int64_t h) {
    model.hidden = {h};
    return model.parameter_count();
  };
  if (budget < 1 || count(1) > budget) return 0;
  int64_t lo = 1, hi = limits::kMaxWidth;  // count(lo) <= budget
  if (count(hi) <= budget) return hi;
  while (hi - lo > 1) {
    const int64_t mid = lo + (hi - lo) / 2;
    (count(mid) <= budget ? lo : hi) = mid;
  }
  return budget - count(lo) <= count(hi) - budget ? lo : hi;
}

}  // namespace nnn
