// An experiment YAML as plain structs: model (wiring and cell sizes), data,
// training and loss settings. Torch-free; nnn/config/model_options.h turns a
// ModelConfig into NNNOptions. The data section's struct lives with the data
// code (nnn/data/data_config.h), which knows nothing of YAML.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nnn/core/activation.h"
#include "nnn/core/cell_types.h"
#include "nnn/core/wiring.h"
#include "nnn/data/data_config.h"
#include "nnn/runtime/device_setting.h"

namespace nnn {

/// The `model:` section.
struct ModelConfig {
  int64_t input_size = 0;
  int64_t output_size = 0;
  int64_t steps = 1;
  std::vector<int64_t> hidden = {32};  // one value or one per cell
  Activation hidden_activation = Activation::kReLU;
  Activation output_activation = Activation::kLogSigmoid;
  /// Cell types (registered names): one value or one per cell.
  std::vector<std::string> cell = {kPerceptronCell};
  /// Dropout on every cell's hidden layer while training (0: off).
  double dropout = 0.0;
  Wiring wiring = Wiring(Matrix64{{0}});
  /// The hidden size of cell `c` (one value for all, or one per cell).
  int64_t hidden_size(int64_t c) const {
    return hidden.size() == 1 ? hidden[0] : hidden.at(static_cast<size_t>(c));
  }
  /// The type of cell `c`.
  const std::string& cell_type(int64_t c) const {
    return cell.size() == 1 ? cell[0] : cell.at(static_cast<size_t>(c));
  }
  /// Parameters of cell `c` and of the whole network (what NNN holds).
  int64_t cell_parameters(int64_t c) const {
    return cell_parameter_count(cell_type(c),
                                cell_spec(wiring, c, input_size, output_size, hidden_size(c),
                                          hidden_activation, output_activation));
  }
  int64_t parameter_count() const {
    int64_t total = 0;
    for (int64_t c = 0; c < wiring.size(); ++c) total += cell_parameters(c);
    return total;
  }
  /// How the YAML described the wiring ("layered(layers=[1, 3, 1], ...)"),
  /// kept as a comment when the resolved config is written.
  std::string wiring_origin;
};

enum class OptimizerKind { kSgd, kAdam, kAdamW };
const std::vector<std::string>& optimizer_names();  // in enum order
const std::string& to_string(OptimizerKind kind);

enum class LrSchedule { kConstant, kStep, kCosine };
const std::vector<std::string>& schedule_names();  // in enum order
const std::string& to_string(LrSchedule schedule);

/// Which steps the loss is taken on (NNN-SPEC "Loss").
enum class LossSteps {
  kLast,  // the last step
  kAll,   // the mean over steps t >= d + 1
};
const std::vector<std::string>& loss_steps_names();  // in enum order
const std::string& to_string(LossSteps steps);

/// How training differentiates (`train.backward`).
enum class BackwardMode {
  kAuto,      // manual when every cell is a perceptron, else autograd
  kManual,    // NNN::forward_backward, the hand-written backward (perceptron cells only)
  kAutograd,  // LibTorch autograd through NNN::forward (the reference)
};
const std::vector<std::string>& backward_mode_names();  // in enum order
const std::string& to_string(BackwardMode mode);

/// The collective backend of a data-parallel run (`dist.backend`).
enum class DistBackend {
  kAuto,  // nccl when the run's device is CUDA, else gloo
  kGloo,  // c10d Gloo, CPU tensors
  kNccl,  // c10d NCCL, CUDA tensors (builds against a CUDA LibTorch: the cuda preset)
};
const std::vector<std::string>& dist_backend_names();  // in enum order
const std::string& to_string(DistBackend backend);

/// The `dist:` section: how the ranks of a data-parallel run talk.
struct DistConfig {
  DistBackend backend = DistBackend::kAuto;
  /// Seconds a rank waits for the others (joining, and every collective)
  /// before it fails naming the job's address: a peer that died or never came.
  double timeout = 60.0;
};

/// The `train:` section.
struct TrainConfig {
  int64_t epochs = 10;
  int64_t batch_size = 64;
  OptimizerKind optimizer = OptimizerKind::kAdam;
  double lr = 1e-3;
  double momentum = 0.0;      // sgd
  bool nesterov = false;      // sgd (needs momentum > 0)
  double weight_decay = 0.0;  // sgd, adam: L2 in the gradient; adamw: decoupled
  double beta1 = 0.9;         // adam, adamw
  double beta2 = 0.999;       // adam, adamw
  LrSchedule schedule = LrSchedule::kConstant;
  int64_t step_size = 10;       // step: epochs between decays
  double gamma = 0.1;           // step: decay factor
  double min_lr = 0.0;          // cosine: final learning rate
  double warmup_epochs = 0.0;   // linear warm-up from 0, in epochs (fractions allowed)
  double clip_grad_norm = 0.0;  // 0: off
  int64_t eval_batch_size = 1024;
  int64_t log_every = 50;  // batches between log lines and NaN checks
  BackwardMode backward = BackwardMode::kAuto;
  /// The hand-written backward keeps every step's activations (0), or only
  /// the message buffers, recomputing segments of this many steps.
  int64_t recompute_every = 0;
  /// The hand-written backward skips the cells and steps whose messages
  /// cannot reach a prediction the loss reads (with loss.steps: last, most
  /// of the early steps); the gradient is the same, and the training
  /// accuracy is then measured only on the steps the loss reads.
  bool skip_unreachable = true;
  /// Warm start: a run directory whose weights.pt a new run starts from
  /// (shapes must match); empty: the seeded initialisation.
  std::string init_from;
};

/// The `loss:` section (NNN-SPEC "Loss").
struct LossConfig {
  LossSteps steps = LossSteps::kLast;
};

struct ExperimentConfig {
  std::string file;  // where it was read from, for messages
  std::string name = "run";
  uint64_t seed = 0;
  DeviceSetting device;  // auto, cpu, cuda or cuda:N
  int64_t threads = 0;   // 0: all cores
  ModelConfig model;
  DataConfig data;
  TrainConfig train;
  LossConfig loss;
  DistConfig dist;
};

/// Parses an experiment YAML text; errors name `file`:line:column and the key.
/// `overrides` are Hydra-style "dotted.key=value" settings applied first
/// (values in YAML syntax: 0.01, true, [64, 32]); an error in one names it.
ExperimentConfig parse_experiment(const std::string& text, const std::string& file,
                                  const std::vector<std::string>& overrides = {});
/// Reads and parses an experiment YAML file.
ExperimentConfig load_experiment(const std::string& path,
                                 const std::vector<std::string>& overrides = {});
/// The fully resolved config (every default written out, the wiring as an
/// explicit matrix) as YAML that parse_experiment reads back to an equal config.
std::string experiment_to_yaml(const ExperimentConfig& config);
/// Parses only a `model:` section given as YAML text (for tools and tests).
ModelConfig parse_model(const std::string& text, const std::string& file);

/// The wiring as YAML: `adjacency`, `inputs`, `output` (block style).
std::string wiring_to_yaml(const Wiring& wiring);
/// Reads a `wiring:` map as written by wiring_to_yaml or with a generator.
Wiring wiring_from_yaml(const std::string& text, const std::string& file);

}  // namespace nnn
