// NNN: a network of Cells wired by a Wiring and unrolled over thinking steps,
// exactly as NNN-SPEC defines it. Training loops, data and config live
// elsewhere (nnn/train, nnn/data, nnn/config).
//
// Dimension key: T steps, F frames, B batch, D_in input width, D_out
// prediction width, N cells, S = sum of all cells' out_dim.
#pragma once

#include <torch/nn/cloneable.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/types.h>

#include <functional>
#include <vector>

#include "nnn/core/cell.h"
#include "nnn/core/cell_contract.h"
#include "nnn/core/wiring.h"
#include "nnn/kernels/gemm.h"
#include "nnn/kernels/rows.h"

namespace nnn {

struct NNNOptions {
  NNNOptions(Wiring wiring, int64_t input_size, int64_t output_size, int64_t steps)
      : wiring_(std::move(wiring)),
        input_size_(input_size),
        output_size_(output_size),
        steps_(steps) {}
  /// Which cell sends how many channels to which; inputs and output cell.
  TORCH_ARG(Wiring, wiring);
  /// D_in: width of the external input x.
  TORCH_ARG(int64_t, input_size);
  /// D_out: width of the prediction (number of classes).
  TORCH_ARG(int64_t, output_size);
  /// T: thinking steps of a forward pass (>= distance + 1).
  TORCH_ARG(int64_t, steps);
  /// Hidden width: one value for every cell, or one per cell.
  TORCH_ARG(std::vector<int64_t>, hidden) = std::vector<int64_t>{32};
  /// Hidden activation of every cell.
  TORCH_ARG(Activation, hidden_activation) = Activation::kReLU;
  /// Output activation of every cell.
  TORCH_ARG(Activation, output_activation) = Activation::kLogSigmoid;
  /// Cell type (a registered name, see cell_contract.h): one for every cell,
  /// or one per cell.
  TORCH_ARG(std::vector<std::string>, cell_types) = std::vector<std::string>{kPerceptronCell};
  /// Run every cell through the generic path (cell by cell, through
  /// CellContract::forward) even when the fast grouped path could; the fast
  /// path is used only when every cell is a perceptron.
  TORCH_ARG(bool, generic_path) = false;
  /// Dropout probability on every cell's hidden layer while training (0:
  /// off; evaluation never drops). Masks depend only on the batch, sample,
  /// step and unit (nnn/core/dropout.h). Perceptron cells (the fast path).
  TORCH_ARG(double, dropout) = 0.0;
};

/// A forward pass with every cell's messages kept (in cell order).
struct NNNTrace {
  torch::Tensor predictions;            // [T, B, D_out]
  std::vector<torch::Tensor> messages;  // N x [T, B, out_dim(i)]
};

class NNNImpl : public torch::nn::Cloneable<NNNImpl> {
 public:
  explicit NNNImpl(const NNNOptions& options);

  /// Validates the options and builds cells.0 .. cells.N-1.
  void reset() override;
  /// Re-initialises every cell per the spec.
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;

  // x: [B, D_in] or [F, B, D_in] -> [T, B, D_out]; steps < 0 means options.steps
  torch::Tensor forward(const torch::Tensor& x, int64_t steps = -1);
  /// Like forward, also returning every cell's message at every step.
  NNNTrace trace(const torch::Tensor& x, int64_t steps = -1);

  /// dL/dpredictions [T, B, D_out] from the predictions [T, B, D_out].
  using PredictionGradient = std::function<torch::Tensor(const torch::Tensor&)>;
  /// Forward, then a hand-written backward through the unrolled steps,
  /// without an autograd graph: the forward keeps each step's gathered
  /// messages, hidden activations and message buffer; the backward runs
  /// each group's products in reverse step order and the weight gradients
  /// as one product per weight over all steps. Returns the predictions
  /// [T, B, D_out] (detached) and writes dL/dparameters into `grad` ([P],
  /// the layout of flat_parameters()). Fast path only (every cell a
  /// perceptron; see manual_backward()); equal to autograd's gradient to
  /// rounding. x: [B, D_in] or [F, B, D_in].
  /// `recompute_every` > 0 trades time for memory: the forward keeps only
  /// the message buffers m(t), and the backward recomputes each segment of
  /// that many steps from the buffer before it (activations held: one
  /// segment's instead of all T steps').
  torch::Tensor forward_backward(const torch::Tensor& x, const PredictionGradient& d_predictions,
                                 torch::Tensor* grad, int64_t steps = -1,
                                 int64_t recompute_every = 0);
  /// Whether forward_backward can run (the fast path).
  bool manual_backward() const { return fast_; }

  int64_t hidden_size(int64_t cell) const;
  /// The type of cell `cell` (options.cell_types()).
  const std::string& cell_type(int64_t cell) const;
  /// Whether forward runs the fast grouped path (every cell a perceptron).
  bool fast_path() const { return fast_; }
  /// Shortest input-to-output distance d; the prediction depends on x from
  /// step d + 1 on.
  int64_t distance() const { return distance_; }
  int64_t parameter_count() const;
  /// Every parameter as one flat vector (in parameters() order) whose slices
  /// are the parameters' storage: updating it in place updates the model, in
  /// about ten operations however many cells there are. It is rebuilt, at the
  /// cost of one copy, when something gave a parameter new storage (to(),
  /// clone(), loading a checkpoint).
  torch::Tensor flat_parameters();
  /// Cell i, as registered under the name "cells.i" (a handle sharing the module);
  /// only for perceptron cells (nnn::Error otherwise).
  Cell cell(int64_t i) const;
  /// Cell i of any type, as its module.
  std::shared_ptr<torch::nn::Module> cell_module(int64_t i) const;

  NNNOptions options;

 private:
  // Cells of equal shape (input or not, message width, hidden, out_dim) run
  // as one group: one batched product per layer instead of one per cell.
  struct Group {
    std::vector<int64_t> cells;
    bool input = false;
    int64_t message_in = 0;  // in_dim minus the x part
    int64_t hidden = 0;
    int64_t out = 0;
  };

  // What the hand-written backward needs from the forward pass, per step
  // of a span first..last (index t - first): the gathered messages [B, G]
  // (undefined at t = 1 or without channels), and per group the hidden
  // activation before dropout [n, B, H], the dropout scale and the product
  // of the two (undefined without dropout).
  struct Tape {
    std::vector<torch::Tensor> gathered;
    std::vector<std::vector<torch::Tensor>> hidden;
    std::vector<std::vector<torch::Tensor>> mask;
    std::vector<std::vector<torch::Tensor>> dropped;
  };

  // The autograd path's weights, per forward: each group's weights, stacked
  // when it has several cells (one cell: [M, H], [H], [H, O], [O]; n cells:
  // [n, M, H], [n, 1, H], [n, H, O], [n, 1, O]), and input groups'
  // projections of every frame, x @ W1[:D_in] + b1 ([F, B, H] or
  // [F, n, B, H]).
  struct GroupWeights {
    torch::Tensor w1m, b1, w2, b2, input;
  };

  // The direct path's weights (no autograd: the no-grad forward and the
  // hand-written backward), per forward: each cell's weights as views of
  // its parameters (w1m [M, H], w2 [H, O]; w1m undefined without message
  // inputs), the group's b1 [n, 1, H], and input groups' projections of
  // every frame, x @ W1[:D_in] + b1: [F, n, B, H].
  struct DirectGroup {
    std::vector<Block> w1m, w2;
    torch::Tensor b1, input;
  };
  struct DirectWeights {
    std::vector<DirectGroup> groups;
    torch::Tensor b2;  // [1, S]: every cell's b2 in buffer order
  };

  torch::Tensor unroll(const torch::Tensor& x, int64_t steps, std::vector<torch::Tensor>* messages);
  // x checked against the options: [F, B, D_in].
  torch::Tensor checked_frames(const torch::Tensor& x, int64_t steps) const;
  std::vector<GroupWeights> group_weights(const torch::Tensor& frames) const;
  DirectWeights direct_weights(const torch::Tensor& frames) const;
  // Steps 1..steps of the fast path through autograd-recorded operations
  // (batched products per group), appending m(t) to `buffers`.
  void run_steps(const std::vector<GroupWeights>& weights, int64_t frame_count, int64_t batch,
                 int64_t steps, std::vector<torch::Tensor>& buffers);
  // Steps first..last (1-based) of the fast path without autograd: every
  // cell's products straight into its columns of the step's buffer
  // (gemm_into), for `batch` samples of `frame_count` frames, from
  // m(first - 1) in `buffer` (undefined when first is 1: zero messages),
  // appending m(t) to `buffers`; the tape, when given, gets entries
  // t - first.
  void run_steps_direct(const DirectWeights& weights, int64_t frame_count, int64_t batch,
                        int64_t first, int64_t last, torch::Tensor buffer,
                        std::vector<torch::Tensor>& buffers, Tape* tape);
  // The generic path: cell by cell, in the same message-buffer layout.
  torch::Tensor unroll_generic(const torch::Tensor& frames, int64_t steps,
                               std::vector<torch::Tensor>* messages);
  const torch::Tensor& gather_index(const torch::Device& device);

  torch::nn::ModuleList cell_list_;
  int64_t distance_ = 0;
  std::vector<Group> groups_;
  // The messages of a step live in one buffer [B, S] laid out group by group;
  // message_offset_[c] is where cell c's message starts in it.
  std::vector<int64_t> message_offset_;
  // Positions in that buffer of every channel every cell reads, group by
  // group, cell by cell, in the spec's unit order: one index_select per step.
  torch::Tensor gather_cpu_;          // [G] int64
  std::vector<int64_t> split_sizes_;  // per group: its share of the G gathered columns
  std::vector<int64_t> gathered_at_;  // per group: where that share starts
  torch::Tensor gather_device_;
  // The backward's inverse of that gather: for each buffer position, its
  // column among the G gathered ones, or G (a zero column) when no cell
  // reads it. Every position is read by one channel at most.
  torch::Tensor scatter_cpu_;              // [S] int64
  ColumnRuns gather_runs_, scatter_runs_;  // the two as runs of consecutive columns
  torch::Tensor scatter_device_;
  const torch::Tensor& scatter_index(const torch::Device& device);
  bool fast_ = true;
  // Generic path: cell j's message positions in the buffer, in unit order,
  // and the cells in buffer order.
  std::vector<torch::Tensor> cell_gather_;  // N x [in_dim(j) - x part] int64
  std::vector<int64_t> buffer_order_;
  std::vector<int64_t> hidden_base_;     // cell c's first hidden unit among all cells'
  std::vector<int64_t> parameter_base_;  // cell c's first element in flat_parameters()
  // Dropout masks of a group: [B, H] or [n, B, H].
  torch::Tensor hidden_dropout(const Group& group, int64_t batch, int64_t step,
                               const torch::TensorOptions& tensor_options) const;
  torch::Tensor flat_;  // [P]: the parameters' storage once flat_parameters() linked it
};

TORCH_MODULE(NNN);

}  // namespace nnn
