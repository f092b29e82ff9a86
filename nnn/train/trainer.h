// Trainer: the training loop over minibatches with an optimiser, LR schedule,
// gradient clipping, the loss over steps, per-step evaluation after every
// epoch, NaN/Inf detection and exact checkpoint/resume (also mid-epoch).
// Run directories, files and terminals are nnn/train/run's business.
//
// Dimension key: T steps, B batch, C classes.
#pragma once

#include <torch/types.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "nnn/config/experiment_config.h"
#include "nnn/core/network.h"
#include "nnn/data/batch_loader.h"
#include "nnn/data/dataset.h"
#include "nnn/data/load_data.h"
#include "nnn/distributed/communicator.h"
#include "nnn/runtime/parallel.h"
#include "nnn/train/loss.h"
#include "nnn/train/optimizer.h"
#include "nnn/train/report.h"
#include "nnn/util/error.h"

namespace nnn {

/// The training loss became NaN or infinite: a property of the run (its
/// model, data and settings), not of the machine; the last good checkpoint
/// stays. `nnn search` records such a candidate as failed and goes on.
class LossNotFinite : public Error {
 public:
  using Error::Error;
};

/// Evaluates without gradients, in batches of `batch_size`; with a pool, each
/// batch is split across its threads. A frame dataset is evaluated on its
/// fixed frames, fed as data.feed says. With a communicator, each rank
/// evaluates its share of the samples and every rank gets the whole set's
/// metrics.
/// `lesion` (optional): edges and cells removed (Lesion, nnn/core/network.h).
Evaluation evaluate(NNN& model, const Dataset& data, int64_t batch_size, LossSteps steps,
                    const torch::Device& device, WorkerPool* pool = nullptr,
                    Communicator* communicator = nullptr, const Lesion* lesion = nullptr);

/// x is [B, D] or frames [F, B, D]; shards cut the batch dimension B.
/// Forward and backward of one batch: the gradient of the batch-mean loss as
/// one flat vector (laid out like NNN::flat_parameters(); .grad fields are
/// not touched), with the detached predictions [T, B, C] and loss. With a
/// pool (CPU), the batch is cut into one shard per thread (at least 8
/// samples each); each thread differentiates its shard and the gradients are
/// summed in shard order, so results are reproducible for a thread count.
struct StepOutput {
  torch::Tensor predictions;  // [T, B, C], detached
  torch::Tensor loss;         // [], detached
  torch::Tensor grad;         // [P]
  int64_t shards = 1;         // how many shards the batch was cut into
};
/// How forward_backward runs one batch.
struct StepOptions {
  LossSteps loss_steps = LossSteps::kLast;
  /// Shards the batch across the pool's threads (null: one shard).
  WorkerPool* pool = nullptr;
  /// This batch's key and the index of x's first sample in it: they fix
  /// the dropout masks (nnn/core/dropout.h).
  uint64_t batch_key = 0;
  int64_t first_sample = 0;
  /// NNN::forward_backward (the hand-written backward) or autograd through
  /// NNN::forward; auto takes the first where it can run.
  BackwardMode backward = BackwardMode::kAuto;
  /// See BackwardOptions::recompute_every (nnn/core/network.h).
  int64_t recompute_every = 0;
  /// The hand-written backward skips what cannot reach a prediction the
  /// loss reads (BackwardOptions::loss_from_step); the predictions of the
  /// steps before those are then NaN.
  bool skip_unreachable = false;
};
/// The first step whose prediction the loss of `steps` reads (1-based).
int64_t first_loss_step(LossSteps steps, int64_t distance, int64_t thinking_steps);
/// Whether forward_backward with `options` skips what cannot reach the
/// loss: skip_unreachable asked for and the hand-written backward running.
bool skips_unreachable(const NNN& model, const StepOptions& options);
StepOutput forward_backward(NNN& model, const torch::Tensor& x, const torch::Tensor& y,
                            const StepOptions& options = {});

/// d(loss)/d(params) as one flat vector (unused parameters get zeros), in
/// the layout of NNN::flat_parameters() when params = model->parameters().
torch::Tensor flat_gradient(const torch::Tensor& loss, const std::vector<torch::Tensor>& params);

/// Inference in shards across the pool's threads. x: [B, D_in] or
/// [F, B, D_in] -> [T, B, C].
torch::Tensor forward_sharded(NNN& model, const torch::Tensor& x, WorkerPool* pool,
                              const Lesion* lesion = nullptr);

class Trainer {
 public:
  struct Hooks {
    /// After each epoch's evaluation; the trainer already points at the next epoch.
    std::function<void(const EpochReport&)> on_epoch;
    /// After each batch: epoch, batch index, batches per epoch, the batch
    /// loss (a device tensor; reading it syncs, so throttle).
    std::function<void(int64_t, int64_t, int64_t, const torch::Tensor&)> on_batch;
    /// Polled after each batch; true ends run() early (state stays resumable).
    std::function<bool()> stop_requested;
  };

  /// `model` must already be on `device`.
  Trainer(NNN model, const ExperimentConfig& config, DataSplit data, const torch::Device& device);

  /// Data-parallel training (CPU): every rank reads the same batches, takes
  /// its share of each, and one all-reduce per step sums the weighted
  /// gradients, losses, correct counts and stop requests, so that every rank
  /// takes the same optimiser step and stops after the same batch. Rank 0's
  /// parameters are broadcast now.
  void set_communicator(std::shared_ptr<Communicator> communicator);

  /// Trains until every epoch is done (returns true) or a stop is requested
  /// (false). A non-finite loss throws nnn::Error naming epoch and batch.
  bool run(const Hooks& hooks);

  /// Model, optimiser, position (epoch, batch), partial-epoch sums, RNG state
  /// and `extra` strings, written atomically.
  void save_checkpoint(const std::string& path,
                       const std::map<std::string, std::string>& extra) const;
  /// Restores what save_checkpoint wrote; returns its `extra` strings.
  std::map<std::string, std::string> load_checkpoint(const std::string& path);

  int64_t epoch() const { return epoch_; }  // the epoch in progress or next (1-based)
  int64_t batch() const { return batch_; }  // next batch index within it
  bool finished() const { return epoch_ > config_.train.epochs; }
  double elapsed_seconds() const { return elapsed_; }
  int64_t batches_per_epoch() const { return loader_.batches(); }
  /// Data-parallel runs: the all-reduces of training steps so far in this
  /// session, their buffer size and the wall time spent in them (waiting for
  /// the slowest rank included).
  struct Communication {
    int64_t steps = 0;
    int64_t bytes_per_step = 0;
    double seconds = 0.0;
  };
  const Communication& communication() const { return communication_; }
  NNN& model() { return model_; }
  const DataSplit& data() const { return data_; }

 private:
  void reset_sums();
  void check_finite() const;
  /// A batch's StepOptions from the config (loss steps, backward, recompute).
  StepOptions step_options(uint64_t batch_key, int64_t first_sample) const;
  /// This rank's share of batch (x, y), reduced over ranks: the batch-mean
  /// gradient, the batch loss, the correct counts per step, whether any rank
  /// asked to stop.
  std::tuple<torch::Tensor, torch::Tensor, torch::Tensor, bool> distributed_step(
      const torch::Tensor& x, const torch::Tensor& y, uint64_t batch_key, bool stop_requested);

  NNN model_;
  ExperimentConfig config_;
  std::unique_ptr<WorkerPool> pool_;  // CPU: one thread per core in use
  std::shared_ptr<Communicator> communicator_;
  Communication communication_;
  DataSplit data_;
  torch::Device device_;
  LossSteps loss_steps_;
  BatchLoader loader_;
  FlatOptimizer optimizer_;
  int64_t epoch_ = 1;
  int64_t batch_ = 0;
  double elapsed_ = 0.0;  // training seconds over all sessions
  double epoch_train_seconds_ = 0.0;
  torch::Tensor loss_sum_;   // [] double: sum of batch losses this epoch
  torch::Tensor correct_;    // [T] int64: correct top-1 per step this epoch
  torch::Tensor first_bad_;  // [] int64: first batch with a non-finite loss (or max)
};

}  // namespace nnn
