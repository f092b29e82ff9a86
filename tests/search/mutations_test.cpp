// The search's moves: random wirings and every kind of mutation give valid
// wirings whose cells all lie on an input-to-output path, the parent map
// follows cells that move, draws repeat with the seed, and budgets are met
// by the closest hidden size.
#include "nnn/search/mutations.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "tests/test_util.h"

namespace nnn {
namespace {

// Steps enough for every edge of these wirings to reach the last step.
SearchSpace space_of(int64_t max_cells, int64_t readings = 8) {
  SearchSpace space;
  space.readings = readings;
  space.input_size = 784;
  space.output_size = 10;
  space.max_cells = max_cells;
  space.channels = {8, 16, 32};
  space.max_channels = 64;
  return space;
}

void expect_proposable(const Wiring& w, const SearchSpace& space) {
  EXPECT_NO_THROW(w.validate(space.input_size, space.output_size));
  EXPECT_TRUE(every_cell_on_a_path(w));
  EXPECT_LE(w.size(), space.max_cells);
  for (int64_t i = 0; i < w.size(); ++i) {
    for (int64_t j = 0; j < w.size(); ++j) EXPECT_LE(w.channels(i, j), space.max_channels);
  }
}

TEST(SearchMoves, RandomWiringsAreValidAndRepeatWithTheSeed) {
  const SearchSpace space = space_of(5);
  std::set<int64_t> sizes;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    Rng a(seed), b(seed);
    const WiringProposal p = random_proposal(space, a);
    expect_proposable(p.wiring, space);
    EXPECT_TRUE(p.parent_cells.empty());
    EXPECT_EQ(random_proposal(space, b).wiring, p.wiring);
    sizes.insert(p.wiring.size());
  }
  EXPECT_EQ(sizes, (std::set<int64_t>{1, 2, 3, 4, 5}));
}

// Each kind of move happens, each keeps the wiring proposable, and the
// parent map says which parent cell every child cell continues.
TEST(SearchMoves, EveryMutationKeepsTheWiringValidAndMapsCells) {
  const SearchSpace space = space_of(5);
  Matrix64 a = layered({1, 2, 1}, 16, true).adjacency();
  a[1][1] = 8;
  const Wiring parent(a, {0}, 3);
  std::map<std::string, int> kinds;
  for (uint64_t seed = 0; seed < 400; ++seed) {
    Rng rng(seed);
    const WiringProposal child = mutate(parent, space, rng);
    expect_proposable(child.wiring, space);
    ASSERT_EQ(static_cast<int64_t>(child.parent_cells.size()), child.wiring.size());
    EXPECT_NE(child.wiring, parent);
    kinds[child.change.substr(0, child.change.find(' ', child.change.find(' ') + 1))]++;
    // Cells kept: every edge between two kept cells is the parent's edge
    // (or the one edge or self-loop the move changed).
    int64_t changed = 0;
    for (int64_t i = 0; i < child.wiring.size(); ++i) {
      for (int64_t j = 0; j < child.wiring.size(); ++j) {
        const int64_t pi = child.parent_cells[static_cast<size_t>(i)];
        const int64_t pj = child.parent_cells[static_cast<size_t>(j)];
        if (pi < 0 || pj < 0) continue;
        changed += child.wiring.channels(i, j) != parent.channels(pi, pj) ? 1 : 0;
      }
    }
    const bool moved = child.change.rfind("move", 0) == 0;
    EXPECT_LE(changed, moved ? 2 : 1) << child.change;
    // The input and output cells stay what they were.
    EXPECT_EQ(child.parent_cells[static_cast<size_t>(child.wiring.output())], parent.output());
    for (int64_t input : child.wiring.inputs()) {
      EXPECT_TRUE(parent.is_input(child.parent_cells[static_cast<size_t>(input)]));
    }
  }
  for (const char* kind : {"add edge", "remove edge", "move 8", "add cell", "remove cell",
                           "add self-loop", "remove self-loop"}) {
    if (std::string(kind) == "move 8") continue;  // widths vary; counted below
    EXPECT_GT(kinds[kind], 0) << kind;
  }
  int moves = 0;
  for (const auto& [kind, count] : kinds) moves += kind.rfind("move", 0) == 0 ? count : 0;
  EXPECT_GT(moves, 0);
}

// Removing a cell renumbers the ones after it; the map follows.
TEST(SearchMoves, RemovingACellRenumbersTheMap) {
  const SearchSpace space = space_of(5);
  const Wiring parent = layered({1, 3, 1}, 8, false);  // 0 -> {1,2,3} -> 4
  for (uint64_t seed = 0; seed < 300; ++seed) {
    Rng rng(seed);
    const WiringProposal child = mutate(parent, space, rng);
    if (child.change != "remove cell 2") continue;
    EXPECT_EQ(child.parent_cells, (std::vector<int64_t>{0, 1, 3, 4}));
    EXPECT_EQ(child.wiring.adjacency(),
              (Matrix64{{0, 8, 8, 0}, {0, 0, 0, 8}, {0, 0, 0, 8}, {0, 0, 0, 0}}));
    EXPECT_EQ(child.wiring.output(), 3);
    return;
  }
  ADD_FAILURE() << "no seed removed cell 2";
}

// A single cell can always grow (a self-loop or a new cell); a wiring at
// max_cells without edges to spare still finds a move.
TEST(SearchMoves, TheSmallestWiringsStillMove) {
  const SearchSpace one = space_of(1);
  Rng rng(1);
  const WiringProposal loop = mutate(Wiring(Matrix64{{0}}), one, rng);
  EXPECT_EQ(loop.wiring.size(), 1);
  EXPECT_GT(loop.wiring.channels(0, 0), 0);
  const WiringProposal back = mutate(loop.wiring, one, rng);
  EXPECT_EQ(back.wiring, Wiring(Matrix64{{0}}));
}

// What cannot change the last step's prediction is removed: with the steps
// ending as soon as the output cell has read the input (readings 1), every
// feedback edge; with two steps more, none. A cell whose every edge goes,
// goes too, and the map follows.
TEST(SearchMoves, WhatCannotReachTheLastStepIsRemoved) {
  auto prune = [](const Wiring& w, int64_t readings, std::vector<int64_t>& cells) {
    Matrix64 a = w.adjacency();
    std::vector<int64_t> inputs = w.inputs();
    int64_t output = w.output();
    cells.resize(static_cast<size_t>(w.size()));
    for (int64_t c = 0; c < w.size(); ++c) cells[static_cast<size_t>(c)] = c;
    const int64_t removed = prune_to_steps(a, inputs, output, cells, readings);
    return std::make_pair(removed, Wiring(a, inputs, output));
  };
  std::vector<int64_t> cells;
  const Wiring fb = layered({1, 2, 1}, 8, true);  // d = 2
  const auto [removed1, forward] = prune(fb, 1, cells);
  EXPECT_EQ(removed1, 4);
  EXPECT_EQ(forward, layered({1, 2, 1}, 8, false));
  EXPECT_EQ(prune(fb, 2, cells).first, 4);  // a feedback edge needs T >= 5
  EXPECT_EQ(prune(fb, 3, cells).first, 0);
  // 0 -> 1 -> 2 (output) and a loop 1 <-> 3 off the shortest path.
  const Wiring loop(Matrix64{{0, 4, 0, 0}, {0, 0, 4, 4}, {0, 0, 0, 0}, {0, 4, 0, 0}}, {0}, 2);
  const auto [removed2, chain_left] = prune(loop, 1, cells);
  EXPECT_EQ(removed2, 2);
  EXPECT_EQ(chain_left, chain(3, 4));
  EXPECT_EQ(cells, (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(prune(loop, 3, cells).first, 0);  // 1 -> 3 -> 1 -> 2 fits in T = 5
  // A self-loop on the input of a one-cell wiring needs a second step.
  EXPECT_EQ(prune(Wiring(Matrix64{{8}}), 1, cells).first, 1);
  EXPECT_EQ(prune(Wiring(Matrix64{{8}}), 2, cells).first, 0);
  // Proposals with readings 1 never hold a feedback edge or a self-loop.
  const SearchSpace tight = space_of(4, 1);
  for (uint64_t seed = 0; seed < 100; ++seed) {
    Rng rng(seed);
    const WiringProposal p = random_proposal(tight, rng);
    const WiringProposal child = mutate(fb, tight, rng);
    for (const Wiring* w : {&p.wiring, &child.wiring}) {
      std::vector<int64_t> unused;
      EXPECT_EQ(prune(*w, 1, unused).first, 0);
      for (int64_t c = 0; c < w->size(); ++c) EXPECT_EQ(w->channels(c, c), 0);
    }
    EXPECT_NE(child.change.find("that could not reach the last step removed"), std::string::npos)
        << child.change;
  }
}

TEST(SearchBudget, TheClosestHiddenSize) {
  ModelConfig model;
  model.input_size = 784;
  model.output_size = 10;
  model.wiring = Wiring(Matrix64{{64}});
  // One cell: (848 + 1) h + (h + 1) 74 = 923 h + 74.
  EXPECT_EQ(hidden_for_budget(model, 168060), 182);  // the flagship: 168,060 exactly
  model.hidden = {182};
  EXPECT_EQ(model.parameter_count(), 168060);
  EXPECT_EQ(hidden_for_budget(model, 168060 + 461), 182);
  EXPECT_EQ(hidden_for_budget(model, 168060 + 462), 183);
  EXPECT_EQ(hidden_for_budget(model, 997), 1);
  EXPECT_EQ(hidden_for_budget(model, 996), 0);  // not even hidden 1
  EXPECT_EQ(hidden_for_budget(model, 0), 0);
}

}  // namespace
}  // namespace nnn
