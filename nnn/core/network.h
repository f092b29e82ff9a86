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
#include <memory>
#include <vector>

#include "nnn/core/cell.h"
#include "nnn/core/cell_contract.h"
#include "nnn/core/wiring.h"

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

/// How a forward pass runs: each way is an executor of its own
/// (nnn/core/network_executors.h), all equal to the spec to rounding.
enum class Execution {
  /// kGeneric when a cell is not a perceptron (or options.generic_path);
  /// else kAutograd when the caller records gradients
  /// (torch::GradMode::is_enabled()), kDirect when it does not.
  kAuto,
  /// Cells of equal shape as one group through batched products that
  /// autograd records: gradients reach the parameters. Perceptron cells.
  kAutograd,
  /// No autograd graph: each cell's products straight into the message
  /// buffer (inference; the hand-written backward's forward). Perceptron
  /// cells; refused while the caller records gradients.
  kDirect,
  /// Cell by cell through CellContract::forward: any cell type.
  kGeneric,
};

/// Parts of a network removed while it runs (a lesion study, `nnn
/// lesion`): an edge's channels read as zero by its receiving cell (at
/// every step, or at one), a cell's message zero at every step (what every
/// cell reading it, and the predictions when it is the output cell, see).
/// The input x still reaches the input cells. Runs on the generic path.
struct Lesion {
  struct Edge {
    int64_t from = 0, to = 0;  // cells: A[from][to] > 0
    int64_t step = 0;          // 1-based; 0: every step
  };
  std::vector<Edge> edges;
  std::vector<int64_t> cells;
  bool empty() const { return edges.empty() && cells.empty(); }
};

struct ForwardOptions {
  int64_t steps = -1;  // thinking steps; < 0: options.steps
  Execution execution = Execution::kAuto;
  /// Removed edges and cells (nullptr or empty: none); needs kAuto or
  /// kGeneric.
  const Lesion* lesion = nullptr;
};

struct BackwardOptions {
  int64_t steps = -1;  // thinking steps; < 0: options.steps
  /// > 0 trades time for memory: the forward keeps only the message buffers
  /// m(t), and the backward recomputes each segment of this many steps
  /// from the buffer before it (activations held: one segment's instead of
  /// all T steps').
  int64_t recompute_every = 0;
  /// The first step whose prediction the loss reads (1-based; <= 1: every
  /// step's). Cells whose messages cannot reach the output cell at a step
  /// from this one on are skipped, forward and backward; the returned
  /// predictions of the steps before it are NaN. The gradient is the same.
  int64_t loss_from_step = 0;
};

struct NetworkPlan;  // nnn/core/network_plan.h
class AutogradExecutor;
class DirectExecutor;
class GenericExecutor;

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

  /// x: [B, D_in] or [F, B, D_in] -> [T, B, D_out].
  torch::Tensor forward(const torch::Tensor& x, const ForwardOptions& run = {});
  /// Like forward, also returning every cell's message at every step.
  NNNTrace trace(const torch::Tensor& x, const ForwardOptions& run = {});
  /// The executor `run` resolves to (kAuto resolved), or nnn::Error when
  /// this model cannot run that way.
  Execution execution(const ForwardOptions& run) const;

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
  torch::Tensor forward_backward(const torch::Tensor& x, const PredictionGradient& d_predictions,
                                 torch::Tensor* grad, const BackwardOptions& run = {});
  /// Whether forward_backward can run (the fast path).
  bool manual_backward() const { return fast_; }

  /// The hand-written path as two calls, for callers that have the loss
  /// gradient only later (nnn's torch operators, nnn/ops): forward_saving
  /// runs the forward on `parameters` (4 per cell, w1, b1, w2, b2, in
  /// parameters() order, the shapes of this module's; its own are not read)
  /// and returns the predictions of steps from_step..T
  /// ([T - from_step + 1, B, D_out]), writing into `saved`
  /// ([T, B * saved_width()]; nullptr: nothing is kept, inference) every
  /// message buffer and hidden activation the backward reads; backward_saved takes them back with
  /// the gradient of those predictions and returns dL/dparameters ([P], flat_parameters()'s layout)
  /// and, when `d_x` is given, dL/dx (x's shape). With from_step > 1 the cells whose messages
  /// cannot reach a prediction from that step on are skipped both ways (as
  /// BackwardOptions::loss_from_step). Fast path, no dropout while
  /// training; no autograd graph is recorded.
  torch::Tensor forward_saving(const std::vector<torch::Tensor>& parameters, const torch::Tensor& x,
                               int64_t steps, torch::Tensor* saved, int64_t from_step = 1);
  torch::Tensor backward_saved(const std::vector<torch::Tensor>& parameters, const torch::Tensor& x,
                               const torch::Tensor& saved, const torch::Tensor& d_predictions,
                               int64_t steps, torch::Tensor* d_x, int64_t from_step = 1);
  /// What forward_saving keeps per sample and step: the buffer width S plus
  /// every cell's hidden width.
  int64_t saved_width() const;

  int64_t hidden_size(int64_t cell) const;
  /// The type of cell `cell` (options.cell_types()).
  const std::string& cell_type(int64_t cell) const;
  /// Whether forward runs the fast grouped path (every cell a perceptron).
  bool fast_path() const { return fast_; }
  /// Shortest input-to-output distance d; the prediction depends on x from
  /// step d + 1 on.
  int64_t distance() const;
  /// Groups, buffer layout and routing, worked out once from the options.
  const NetworkPlan& plan() const { return *plan_; }
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
  // x checked against the options: [F, B, D_in].
  torch::Tensor checked_frames(const torch::Tensor& x, int64_t steps) const;
  // forward_saving's and backward_saved's checks of the explicit parameters
  // and from_step.
  void check_parameters(const std::vector<torch::Tensor>& parameters, const torch::Tensor& x,
                        int64_t steps, int64_t from_step, const char* caller) const;
  torch::Tensor unroll(const torch::Tensor& x, const ForwardOptions& run,
                       std::vector<torch::Tensor>* messages);

  torch::nn::ModuleList cell_list_;
  bool fast_ = true;  // every cell a perceptron, and no generic_path asked for
  // Built by reset() from the options (the executors share the plan).
  std::shared_ptr<const NetworkPlan> plan_;
  std::shared_ptr<AutogradExecutor> autograd_;
  std::shared_ptr<DirectExecutor> direct_;
  std::shared_ptr<GenericExecutor> generic_;
  torch::Tensor flat_;  // [P]: the parameters' storage once flat_parameters() linked it
};

TORCH_MODULE(NNN);

}  // namespace nnn
