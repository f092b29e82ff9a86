// NetworkPlan without LibTorch: groups, the buffer layout, the gather and
// its inverse, worked out from a Wiring and the dimensions.
#include "nnn/core/network_plan.h"

#include <gtest/gtest.h>

#include <numeric>
#include <set>

namespace nnn {
namespace {

// 0 -> 1 (2 ch), 0 -> 2 (3 ch), 1 -> 2 (1 ch), 2 -> 0 (4 ch), 2 self-loop (5);
// input 0, output 2.
Wiring small() { return Wiring({{0, 2, 3}, {0, 0, 1}, {4, 0, 5}}, {0}, 2); }

// What every plan promises, whatever the wiring.
void expect_consistent(const NetworkPlan& plan, const Wiring& wiring) {
  const int64_t n = wiring.size();
  const auto g_width = static_cast<int64_t>(plan.gather.size());
  // Every cell in exactly one group, with its own shape.
  std::multiset<int64_t> grouped;
  for (const auto& g : plan.groups) {
    for (int64_t c : g.cells) {
      grouped.insert(c);
      EXPECT_EQ(g.input, wiring.is_input(c));
      EXPECT_EQ(g.out, wiring.out_dim(c, plan.output_size));
      EXPECT_EQ(g.message_in + (g.input ? plan.input_size : 0), wiring.in_dim(c, plan.input_size));
    }
  }
  ASSERT_EQ(static_cast<int64_t>(grouped.size()), n);
  for (int64_t c = 0; c < n; ++c) EXPECT_EQ(grouped.count(c), 1u) << c;
  // The buffer holds every message once, group by group.
  int64_t width = 0;
  for (int64_t c = 0; c < n; ++c) width += wiring.out_dim(c, plan.output_size);
  EXPECT_EQ(plan.width, width);
  for (size_t k = 1; k < plan.buffer_order.size(); ++k) {
    const int64_t before = plan.buffer_order[k - 1], c = plan.buffer_order[k];
    EXPECT_EQ(plan.message_offset[c],
              plan.message_offset[before] + wiring.out_dim(before, plan.output_size));
  }
  // The gather is the cells' own gathers group by group, and reads each
  // buffer position at most once; the scatter is its inverse.
  std::vector<int64_t> concatenated;
  for (const auto& g : plan.groups) {
    for (int64_t c : g.cells) {
      const auto& own = plan.cell_gather[c];
      EXPECT_EQ(static_cast<int64_t>(own.size()), g.message_in);
      concatenated.insert(concatenated.end(), own.begin(), own.end());
    }
  }
  EXPECT_EQ(plan.gather, concatenated);
  ASSERT_EQ(static_cast<int64_t>(plan.scatter.size()), plan.width);
  for (int64_t k = 0; k < g_width; ++k) EXPECT_EQ(plan.scatter[plan.gather[k]], k);
  const auto unread = std::count(plan.scatter.begin(), plan.scatter.end(), g_width);
  EXPECT_EQ(unread, plan.width - g_width);
  // Each group's share of the gathered columns.
  int64_t at = 0;
  for (size_t g = 0; g < plan.groups.size(); ++g) {
    EXPECT_EQ(plan.gathered_at[g], at);
    EXPECT_EQ(plan.split_sizes[g],
              static_cast<int64_t>(plan.groups[g].cells.size()) * plan.groups[g].message_in);
    at += plan.split_sizes[g];
  }
  EXPECT_EQ(at, g_width);
  // Nobody reads the prediction: the output cell's first D_out columns.
  for (int64_t p : plan.gather) {
    const int64_t o = plan.message_offset[plan.output];
    EXPECT_FALSE(p >= o && p < o + plan.output_size) << p;
  }
}

TEST(NetworkPlan, SmallWiringByHand) {
  const NetworkPlan plan = NetworkPlan::build(small(), 10, 7, {8, 8, 8}, {1, 2, 3});
  expect_consistent(plan, small());
  ASSERT_EQ(plan.groups.size(), 3u);  // three shapes
  EXPECT_EQ(plan.message_offset, (std::vector<int64_t>{0, 5, 6}));
  EXPECT_EQ(plan.width, 22);
  EXPECT_EQ(plan.distance, 1);  // 0 -> 2 directly
  // Cell 1 reads the 2 channels 0 -> 1: the first two of cell 0's message.
  EXPECT_EQ(plan.cell_gather[1], (std::vector<int64_t>{0, 1}));
  // Cell 2 reads 0 -> 2 (cell 0's next 3), 1 -> 2 (cell 1's one), then its
  // self-loop: after its D_out = 7 prediction and its 4 channels to cell 0.
  EXPECT_EQ(plan.cell_gather[2], (std::vector<int64_t>{2, 3, 4, 5, 17, 18, 19, 20, 21}));
  EXPECT_EQ(plan.cell_gather[0], (std::vector<int64_t>{13, 14, 15, 16}));
  EXPECT_EQ(plan.hidden_base, (std::vector<int64_t>{0, 8, 16}));
  EXPECT_EQ(plan.parameter_base, (std::vector<int64_t>{0, 1, 3}));
  EXPECT_EQ(plan.parameter_count, 6);
}

TEST(NetworkPlan, CellsOfEqualShapeShareAGroup) {
  const Wiring wiring = layered({1, 3, 1}, 2, false);
  const NetworkPlan plan = NetworkPlan::build(wiring, 4, 3, {5, 5, 5, 5, 5}, {9, 9, 9, 9, 9});
  expect_consistent(plan, wiring);
  ASSERT_EQ(plan.groups.size(), 3u);  // input, the three middle cells, output
  EXPECT_EQ(plan.groups[1].cells, (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(plan.split_sizes[1], 3 * 2);
  EXPECT_EQ(plan.distance, 2);
  // Other hidden sizes split the middle group.
  const NetworkPlan split = NetworkPlan::build(wiring, 4, 3, {5, 5, 6, 5, 5}, {9, 9, 9, 9, 9});
  expect_consistent(split, wiring);
  EXPECT_EQ(split.groups.size(), 4u);
}

TEST(NetworkPlan, GeneratedWiringsAreConsistent) {
  for (const Wiring& wiring : {chain(5, 3), layered({2, 3, 2}, 2, true),
                               fully_connected(4, 2, true), random_wiring(9, 0.4, 3, 7)}) {
    std::vector<int64_t> hidden(static_cast<size_t>(wiring.size()), 4);
    std::vector<int64_t> parameters(hidden.size(), 10);
    expect_consistent(NetworkPlan::build(wiring, 6, 5, hidden, parameters), wiring);
  }
}

// layered [1,3,1] with feedback (cells 0 | 1 2 3 | 4), 4 steps, the loss
// on the last: the output at 4 reads the middle at 3, which reads the
// input and the output at 2, which read the middle at 1.
TEST(NetworkPlan, NeededCellsWalkBackFromTheLossSteps) {
  const Wiring wiring = layered({1, 3, 1}, 2, true);
  const NetworkPlan plan = NetworkPlan::build(wiring, 6, 5, {4, 4, 4, 4, 4}, {9, 9, 9, 9, 9});
  using Steps = std::vector<std::vector<uint8_t>>;
  EXPECT_EQ(plan.needed_cells(4, 4),
            (Steps{{0, 1, 1, 1, 0}, {1, 0, 0, 0, 1}, {0, 1, 1, 1, 0}, {0, 0, 0, 0, 1}}));
  // The loss from step 3 on: the output at 3 too, and what reaches it.
  EXPECT_EQ(plan.needed_cells(4, 3),
            (Steps{{1, 1, 1, 1, 1}, {1, 1, 1, 1, 1}, {0, 1, 1, 1, 1}, {0, 0, 0, 0, 1}}));
  EXPECT_EQ(plan.needed_cells(4, 2), plan.needed_cells(4, 3));
  // Every step's prediction: everything that reaches the output by then.
  EXPECT_EQ(plan.needed_cells(4, 1), plan.needed_cells(4, 0));
  EXPECT_EQ(plan.needed_cells(1, 1), (Steps{{0, 0, 0, 0, 1}}));
  // A cell with no path to the output is never needed: 0 -> 1 -> 2 and
  // 0 -> 3, output 2.
  const Wiring side({{0, 1, 0, 1}, {0, 0, 1, 0}, {0, 0, 0, 0}, {0, 0, 0, 1}}, {0}, 2);
  const auto needed = needed_cells(senders_of(side), side.output(), 5, 1);
  for (const auto& step : needed) EXPECT_EQ(step[3], 0);
  EXPECT_EQ(needed[4], (std::vector<uint8_t>{0, 0, 1, 0}));
  EXPECT_EQ(needed[3], (std::vector<uint8_t>{0, 1, 1, 0}));
}

}  // namespace
}  // namespace nnn
