// Wiring: dims, unit offsets, distance, every validation rule, generators,
// DOT export.
#include "nnn/core/wiring.h"

#include <gtest/gtest.h>

#include "tests/test_util.h"

namespace nnn {
namespace {

using testing::expect_error;

// 0 -> 1 (2 ch), 0 -> 2 (3 ch), 1 -> 2 (1 ch), 2 -> 0 (4 ch), 2 self-loop (5)
Wiring small() { return Wiring({{0, 2, 3}, {0, 0, 1}, {4, 0, 5}}, {0}, 2); }

TEST(Wiring, DimsFollowTheSpec) {
  const Wiring w = small();
  // in_dim(j) = [j in I] D_in + sum_i A[i][j]
  EXPECT_EQ(w.in_dim(0, 10), 10 + 4);
  EXPECT_EQ(w.in_dim(1, 10), 2);
  EXPECT_EQ(w.in_dim(2, 10), 3 + 1 + 5);
  // out_dim(i) = [i == o] D_out + sum_j A[i][j]
  EXPECT_EQ(w.out_dim(0, 7), 5);
  EXPECT_EQ(w.out_dim(1, 7), 1);
  EXPECT_EQ(w.out_dim(2, 7), 7 + 4 + 5);
}

TEST(Wiring, OffsetsFollowTheUnitOrder) {
  const Wiring w = small();
  // m_0 = [to 1 (2) | to 2 (3)]
  EXPECT_EQ(w.send_offset(0, 1, 7), 0);
  EXPECT_EQ(w.send_offset(0, 2, 7), 2);
  // m_2 = [prediction (7) | to 0 (4) | to 2 (5)]
  EXPECT_EQ(w.send_offset(2, 0, 7), 7);
  EXPECT_EQ(w.send_offset(2, 2, 7), 11);
  // u_2 = [from 0 (3) | from 1 (1) | from 2 (5)]
  EXPECT_EQ(w.receive_offset(0, 2, 10), 0);
  EXPECT_EQ(w.receive_offset(1, 2, 10), 3);
  EXPECT_EQ(w.receive_offset(2, 2, 10), 4);
  // u_0 = [x (10) | from 2 (4)]
  EXPECT_EQ(w.receive_offset(2, 0, 10), 10);
}

TEST(Wiring, DefaultsAndCounts) {
  const Wiring w({{0, 1}, {0, 0}});
  EXPECT_EQ(w.inputs(), std::vector<int64_t>{0});
  EXPECT_EQ(w.output(), 1);
  EXPECT_EQ(small().edge_count(), 5);
  EXPECT_EQ(small().channel_count(), 15);
}

TEST(Wiring, DistanceIsShortestPathFromAnyInput) {
  EXPECT_EQ(chain(5, 1).distance(), 4);
  EXPECT_EQ(Wiring(Matrix64{{0}}).distance(), 0);
  // Two inputs, the second one hop from the output.
  EXPECT_EQ(Wiring({{0, 1, 0}, {0, 0, 1}, {0, 0, 0}}, {0, 1}, 2).distance(), 1);
  // Unreachable output.
  EXPECT_EQ(Wiring({{0, 0}, {1, 0}}, {0}, 1).distance(), -1);
}

TEST(Wiring, StructuralErrorsNameTheRowCellOrEntry) {
  expect_error([] { Wiring(Matrix64{}); }, "adjacency matrix is empty");
  expect_error(
      [] {
        Wiring({{0, 1}, {0}});
      },
      "adjacency row 1 has 1 entries but the matrix has 2 rows");
  expect_error([] { Wiring({{0, -2}, {0, 0}}); }, "adjacency[0][1] is -2");
  expect_error([] { Wiring({{0, 1}, {0, 0}}, {2}); }, "input cell 2 is out of range [0, 2)");
  expect_error([] { Wiring({{0, 1}, {0, 0}}, {0, 0}); }, "input cell 0 is listed twice");
  expect_error([] { Wiring({{0, 1}, {0, 0}}, {0}, 5); }, "output cell 5 is out of range");
}

TEST(Wiring, ValidationErrorsNameTheCell) {
  // Cell 1 receives nothing and is not an input.
  expect_error(
      [] {
        Wiring({{0, 0, 1}, {0, 0, 1}, {0, 0, 0}}).validate(4, 2);
      },
      "cell 1 has in_dim 0: it is not an input cell and column 1");
  // Cell 1 sends nothing and is not the output.
  expect_error(
      [] {
        Wiring({{0, 1, 1}, {0, 0, 0}, {0, 0, 0}}).validate(4, 2);
      },
      "cell 1 has out_dim 0: it is not the output cell and row 1");
  expect_error(
      [] {
        Wiring({{1, 0}, {0, 1}}).validate(4, 2);
      },
      "output cell 1 is not reachable from any input cell");
  expect_error([] { chain(3, 2).validate(4, 2, /*steps=*/2); },
               "model.steps is 2 but the output cell is 2 edges from the input; need at least 3");
  EXPECT_NO_THROW(chain(3, 2).validate(4, 2, /*steps=*/3));
  EXPECT_NO_THROW(Wiring(Matrix64{{0}}).validate(4, 2, /*steps=*/1));
}

TEST(Wiring, ChainGenerator) {
  const Wiring w = chain(3, 4);
  EXPECT_EQ(w.adjacency(), (Matrix64{{0, 4, 0}, {0, 0, 4}, {0, 0, 0}}));
  EXPECT_EQ(w.output(), 2);
  expect_error([] { chain(0, 1); }, "n is 0");
  expect_error([] { chain(2, 0); }, "channels is 0");
}

TEST(Wiring, LayeredGenerator) {
  const Wiring w = layered({1, 2, 1}, 3, /*feedback=*/true);
  EXPECT_EQ(w.adjacency(), (Matrix64{{0, 3, 3, 0}, {3, 0, 0, 3}, {3, 0, 0, 3}, {0, 3, 3, 0}}));
  EXPECT_EQ(w.inputs(), std::vector<int64_t>{0});
  EXPECT_EQ(w.output(), 3);
  EXPECT_EQ(w.distance(), 2);
  const Wiring forward_only = layered({2, 1}, 1, /*feedback=*/false);
  EXPECT_EQ(forward_only.adjacency(), (Matrix64{{0, 0, 1}, {0, 0, 1}, {0, 0, 0}}));
  EXPECT_EQ(forward_only.inputs(), (std::vector<int64_t>{0, 1}));
  expect_error([] { layered({1, 0, 1}, 1, false); }, "layers[1] is 0");
}

TEST(Wiring, FullyConnectedGenerator) {
  EXPECT_EQ(fully_connected(2, 5, false).adjacency(), (Matrix64{{0, 5}, {5, 0}}));
  EXPECT_EQ(fully_connected(2, 5, true).adjacency(), (Matrix64{{5, 5}, {5, 5}}));
}

TEST(Wiring, RandomGeneratorIsSeededAndValid) {
  for (uint64_t seed = 0; seed < 50; ++seed) {
    for (double density : {0.0, 0.2, 0.7}) {
      const Wiring w = random_wiring(6, density, 2, seed);
      EXPECT_NO_THROW(w.validate(3, 2)) << "seed " << seed << " density " << density;
      EXPECT_EQ(w, random_wiring(6, density, 2, seed));
      for (int64_t i = 0; i < 6; ++i) EXPECT_EQ(w.channels(i, i), 0);
    }
  }
  EXPECT_NE(random_wiring(8, 0.3, 1, 1), random_wiring(8, 0.3, 1, 2));
  expect_error([] { random_wiring(3, 1.5, 1, 0); }, "density is 1.5");
}

TEST(Wiring, DotNamesDimsAndChannels) {
  const std::string dot = to_dot(small(), 10, 7, {16});
  EXPECT_NE(dot.find("cell2 [label=\"cell 2\\nin 9 | hidden 16 | out 16\""), std::string::npos)
      << dot;
  EXPECT_NE(dot.find("cell0 -> cell2 [label=\"3\"]"), std::string::npos);
  EXPECT_NE(dot.find("cell2 -> cell2 [label=\"5\"]"), std::string::npos);
  EXPECT_NE(dot.find("x -> cell0 [label=\"10\"]"), std::string::npos);
  EXPECT_NE(dot.find("cell2 -> yhat [label=\"7\"]"), std::string::npos);
  EXPECT_EQ(dot.find("cell1 -> cell0"), std::string::npos);
}

}  // namespace
}  // namespace nnn
