// The ways of running an NetworkPlan, one class each, chosen by NNNImpl
// (NNNImpl::execution): each holds what it keeps between passes (index
// tensors on the device last asked for). Private to nnn/core: an experiment
// author reads network.h.
//
// All keep the messages of a step in one buffer [B, S] laid out as the
// plan says, and append m(t) for t = 1..steps to `buffers`.
// - AutogradExecutor: cells of equal shape as one group through batched
//   products (baddbmm) that autograd records (network_autograd.cpp).
// - DirectExecutor: no graph (inference, and the hand-written backward's
//   forward): each cell's products through gemm_into (libxsmm) straight into
//   its columns of the next buffer (network_direct.cpp), and the
//   hand-written backward (network_direct_backward.cpp).
// - GenericExecutor: NNN-SPEC cell by cell through CellContract::forward,
//   any cell type (network_generic.cpp).
// The first two compute the x part of each input cell's first layer once
// per frame, run the output activation once over the whole buffer and skip
// the zero messages of step 1; tests hold all three equal to a literal
// implementation of the spec.
//
// Dimension key: T steps, F frames, B batch, S buffer width, G gathered
// width, per group n cells, M message inputs, H hidden, O out_dim.
#pragma once

#include <torch/types.h>

#include <memory>
#include <vector>

#include "nnn/core/network.h"
#include "nnn/core/network_plan.h"
#include "nnn/kernels/gemm.h"
#include "nnn/kernels/rows.h"

namespace nnn {

/// Buffer positions as an index tensor (on the CPU, and on the device last
/// asked for) and as runs of consecutive columns.
class RoutingIndex {
 public:
  RoutingIndex(const std::vector<int64_t>& positions, int64_t source_width);
  const torch::Tensor& on(const torch::Device& device);
  const ColumnRuns& runs() const { return runs_; }
  int64_t size() const { return cpu_.numel(); }

 private:
  torch::Tensor cpu_, device_;
  ColumnRuns runs_;
};

/// Dropout scales of a group's hidden units at `step`: [B, H] or [n, B, H].
torch::Tensor group_dropout(const NetworkPlan& plan, const NetworkPlan::Group& group,
                            double probability, int64_t batch, int64_t step,
                            const torch::TensorOptions& options);

class AutogradExecutor {
 public:
  explicit AutogradExecutor(std::shared_ptr<const NetworkPlan> plan);
  void run(const NNNImpl& network, const torch::Tensor& frames, int64_t steps,
           std::vector<torch::Tensor>& buffers);

 private:
  // Each group's weights, stacked when it has several cells (one cell:
  // [M, H], [H], [H, O], [O]; n cells: [n, M, H], [n, 1, H], [n, H, O],
  // [n, 1, O]), and input groups' projections of every frame,
  // x @ W1[:D_in] + b1 ([F, B, H] or [F, n, B, H]).
  struct GroupWeights {
    torch::Tensor w1m, b1, w2, b2, input;
  };
  std::vector<GroupWeights> weights(const NNNImpl& network, const torch::Tensor& frames) const;

  std::shared_ptr<const NetworkPlan> plan_;
  RoutingIndex gather_;
};

class DirectExecutor {
 public:
  explicit DirectExecutor(std::shared_ptr<const NetworkPlan> plan);
  void run(const NNNImpl& network, const torch::Tensor& frames, int64_t steps,
           std::vector<torch::Tensor>& buffers);
  /// NNNImpl::forward_backward on checked, contiguous frames.
  torch::Tensor forward_backward(const NNNImpl& network, const torch::Tensor& frames,
                                 const NNNImpl::PredictionGradient& d_predictions,
                                 torch::Tensor* grad, int64_t steps, int64_t recompute_every,
                                 int64_t loss_from_step);
  /// NNNImpl::forward_saving and backward_saved on checked, contiguous
  /// frames and parameters (4 per cell: w1, b1, w2, b2).
  torch::Tensor forward_saving(const NNNImpl& network, const std::vector<torch::Tensor>& parameters,
                               const torch::Tensor& frames, int64_t steps, torch::Tensor* saved,
                               int64_t from_step);
  /// What forward_saving keeps per sample and step: the buffer width S
  /// plus every cell's hidden width.
  int64_t saved_width() const { return plan_->width + hidden_total_; }
  torch::Tensor backward_saved(const NNNImpl& network, const std::vector<torch::Tensor>& parameters,
                               const torch::Tensor& frames, const torch::Tensor& saved,
                               const torch::Tensor& d_predictions, int64_t steps,
                               torch::Tensor* d_frames, int64_t from_step);

 private:
  // Each cell's weights as views of its parameters (w1x [D_in, H] of input
  // cells, w1m [M, H], w2 [H, O]; w1m undefined without message inputs),
  // the group's b1 [n, 1, H], and input groups' projections of every
  // frame, x @ W1[:D_in] + b1: [F, n, B, H].
  struct Group {
    std::vector<Block> w1x, w1m, w2;
    torch::Tensor b1, input;
  };
  struct Weights {
    std::vector<Group> groups;
    torch::Tensor b2;  // [1, S]: every cell's b2 in buffer order
  };
  // What the backward needs from the forward, per step of a span
  // first..last (index t - first): the gathered messages [B, G] (undefined
  // at t = 1 or without channels), and per group the hidden activation
  // before dropout [n, B, H], the dropout scale and the product of the two
  // (undefined without dropout). With `saved` defined ([T, B * (S + H)],
  // H every cell's hidden width summed; the span is then 1..T), each
  // step's message buffer and hidden activations are written into its row
  // (the buffer first, then the groups' [n, B, H] in order) instead of
  // tensors of their own.
  struct Tape {
    std::vector<torch::Tensor> gathered;
    std::vector<std::vector<torch::Tensor>> hidden;
    std::vector<std::vector<torch::Tensor>> mask;
    std::vector<std::vector<torch::Tensor>> dropped;
    torch::Tensor saved;
  };
  // A step's message buffer [B, S] and group g's hidden activations
  // [n, B, H] inside a row of Tape::saved.
  torch::Tensor saved_buffer(const torch::Tensor& saved, int64_t t, int64_t batch) const;
  torch::Tensor saved_hidden(const torch::Tensor& saved, int64_t t, size_t g, int64_t batch) const;
  // The parameters of `network`'s cells, 4 per cell (w1, b1, w2, b2).
  static std::vector<torch::Tensor> parameters_of(const NNNImpl& network);
  // `project` false: without the input projections (a backward whose
  // forward is saved needs none).
  Weights weights(const std::vector<torch::Tensor>& parameters, const torch::Tensor& frames,
                  bool project = true) const;
  // Steps first..last (1-based) for `batch` samples of `frame_count`
  // frames, from m(first - 1) in `buffer` (undefined when first is 1: zero
  // messages), appending m(t) to `buffers`; the tape, when given, gets
  // entries t - first. With `needed` (NetworkPlan::needed_cells), the
  // cells it marks 0 at a step are skipped: their columns of m(t) hold
  // what nothing that is computed reads.
  void run_steps(const NNNImpl& network, const Weights& weights, int64_t frame_count, int64_t batch,
                 int64_t first, int64_t last, torch::Tensor buffer,
                 std::vector<torch::Tensor>& buffers, Tape* tape,
                 const std::vector<std::vector<uint8_t>>* needed = nullptr);
  // The backward through steps T..1 given the forward's buffers m(t) and
  // its tape (null: recompute it segment by segment, `recompute_every`
  // steps each), dL/dpredictions [T, B, D_out], writing dL/dparameters
  // into `grad` ([P]) and, when given, dL/dframes into `d_frames`
  // ([F, B, D_in]).
  void backward(const NNNImpl& network, const Weights& weights, const torch::Tensor& frames,
                const std::vector<torch::Tensor>& buffers, Tape* tape,
                const torch::Tensor& d_predictions, int64_t steps, int64_t recompute_every,
                const std::vector<std::vector<uint8_t>>* needed, torch::Tensor* grad,
                torch::Tensor* d_frames);

  std::shared_ptr<const NetworkPlan> plan_;
  RoutingIndex gather_, scatter_;
  std::vector<int64_t>
      hidden_at_;             // per group: its first hidden unit among all cells' (n * H each)
  int64_t hidden_total_ = 0;  // H: every cell's hidden width summed
};

class GenericExecutor {
 public:
  explicit GenericExecutor(std::shared_ptr<const NetworkPlan> plan);
  /// `lesion` (optional): edges read as zero, cells whose message is zero.
  void run(const NNNImpl& network, const torch::Tensor& frames, int64_t steps,
           std::vector<torch::Tensor>& buffers, const Lesion* lesion = nullptr);

 private:
  std::shared_ptr<const NetworkPlan> plan_;
  std::vector<RoutingIndex> cell_gather_;            // per cell: its channels' buffer positions
  std::vector<std::vector<int64_t>> gather_source_;  // per cell: the sending cell of each
};

}  // namespace nnn
