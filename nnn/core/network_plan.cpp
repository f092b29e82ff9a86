// The plan of an NNN: groups, buffer layout, gather and scatter.
#include "nnn/core/network_plan.h"

#include <algorithm>

#include "nnn/util/error.h"

namespace nnn {

NetworkPlan NetworkPlan::build(const Wiring& wiring, int64_t input_size, int64_t output_size,
                               const std::vector<int64_t>& hidden,
                               const std::vector<int64_t>& parameters) {
  const int64_t n = wiring.size();
  NNN_CHECK(
      static_cast<int64_t>(hidden.size()) == n && static_cast<int64_t>(parameters.size()) == n,
      "internal: a plan needs one hidden size and one parameter count per cell");
  NetworkPlan plan;
  plan.input_size = input_size;
  plan.output_size = output_size;
  plan.distance = wiring.distance();
  plan.output = wiring.output();
  const auto at = [](const std::vector<int64_t>& v, int64_t i) {
    return v[static_cast<size_t>(i)];
  };

  plan.hidden_base.assign(static_cast<size_t>(n), 0);
  plan.parameter_base.assign(static_cast<size_t>(n), 0);
  for (int64_t c = 1; c < n; ++c) {
    plan.hidden_base[c] = plan.hidden_base[c - 1] + at(hidden, c - 1);
    plan.parameter_base[c] = plan.parameter_base[c - 1] + at(parameters, c - 1);
  }
  for (int64_t p : parameters) plan.parameter_count += p;

  // Group cells of equal shape, in order of first appearance.
  for (int64_t c = 0; c < n; ++c) {
    Group key;
    key.input = wiring.is_input(c);
    key.message_in = wiring.in_dim(c, input_size) - (key.input ? input_size : 0);
    key.hidden = at(hidden, c);
    key.out = wiring.out_dim(c, output_size);
    auto found = std::find_if(plan.groups.begin(), plan.groups.end(), [&](const Group& g) {
      return g.input == key.input && g.message_in == key.message_in && g.hidden == key.hidden &&
             g.out == key.out;
    });
    if (found == plan.groups.end()) {
      plan.groups.push_back(key);
      found = plan.groups.end() - 1;
    }
    found->cells.push_back(c);
  }

  // The buffer's layout, then every cell's gather positions.
  plan.message_offset.assign(static_cast<size_t>(n), 0);
  for (const Group& g : plan.groups) {
    for (int64_t c : g.cells) {
      plan.message_offset[c] = plan.width;
      plan.width += g.out;
      plan.buffer_order.push_back(c);
    }
  }
  for (int64_t j = 0; j < n; ++j) {
    std::vector<int64_t> positions;
    for (int64_t i = 0; i < n; ++i) {
      const int64_t start = plan.message_offset[i] + wiring.send_offset(i, j, output_size);
      for (int64_t k = 0; k < wiring.channels(i, j); ++k) positions.push_back(start + k);
    }
    plan.cell_gather.push_back(std::move(positions));
  }
  int64_t gathered = 0;
  for (const Group& g : plan.groups) {
    plan.gathered_at.push_back(gathered);
    plan.split_sizes.push_back(static_cast<int64_t>(g.cells.size()) * g.message_in);
    gathered += plan.split_sizes.back();
    for (int64_t j : g.cells) {
      const auto& own = plan.cell_gather[j];
      plan.gather.insert(plan.gather.end(), own.begin(), own.end());
    }
  }
  const auto g_width = static_cast<int64_t>(plan.gather.size());
  plan.scatter.assign(static_cast<size_t>(plan.width), g_width);
  for (int64_t k = 0; k < g_width; ++k) {
    int64_t& slot = plan.scatter[static_cast<size_t>(plan.gather[k])];
    NNN_CHECK(slot == g_width, "internal: buffer position ", plan.gather[k],
              " is read by two channels");
    slot = k;
  }
  plan.senders = senders_of(wiring);
  return plan;
}

std::vector<std::vector<int64_t>> senders_of(const Wiring& wiring) {
  const int64_t n = wiring.size();
  std::vector<std::vector<int64_t>> senders(static_cast<size_t>(n));
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t i = 0; i < n; ++i) {
      if (wiring.channels(i, j) > 0) senders[j].push_back(i);
    }
  }
  return senders;
}

std::vector<std::vector<uint8_t>> NetworkPlan::needed_cells(int64_t steps, int64_t from) const {
  return nnn::needed_cells(senders, output, steps, from);
}

std::vector<std::pair<int64_t, int64_t>> NetworkPlan::cell_columns(
    const std::vector<uint8_t>& cells) const {
  std::vector<std::pair<int64_t, int64_t>> runs;
  // Each cell's width: the distance to the next cell's offset in buffer order.
  for (size_t k = 0; k < buffer_order.size(); ++k) {
    const int64_t c = buffer_order[k];
    const int64_t first = message_offset[c];
    const int64_t end = k + 1 < buffer_order.size() ? message_offset[buffer_order[k + 1]] : width;
    if (!cells[static_cast<size_t>(c)]) continue;
    if (!runs.empty() && runs.back().first + runs.back().second == first) {
      runs.back().second += end - first;
    } else {
      runs.emplace_back(first, end - first);
    }
  }
  return runs;
}

std::vector<std::vector<uint8_t>> needed_cells(const std::vector<std::vector<int64_t>>& senders,
                                               int64_t output, int64_t steps, int64_t from) {
  const auto n = static_cast<int64_t>(senders.size());
  NNN_CHECK(steps >= 1 && from <= steps, "internal: needed_cells(", steps, ", ", from, ")");
  std::vector<std::vector<uint8_t>> needed(static_cast<size_t>(steps),
                                           std::vector<uint8_t>(static_cast<size_t>(n), 0));
  // Backwards from the last step: a cell is needed at step t when it is the
  // output at a wanted step or sends to a cell needed at step t + 1.
  for (int64_t t = steps; t >= 1; --t) {
    std::vector<uint8_t>& now = needed[t - 1];
    if (t >= from) now[output] = 1;
    if (t == steps) continue;
    const std::vector<uint8_t>& next = needed[t];
    for (int64_t j = 0; j < n; ++j) {
      if (!next[j]) continue;
      for (int64_t i : senders[j]) now[i] = 1;
    }
  }
  return needed;
}

}  // namespace nnn
