// One colour per method in every figure nnn writes (frames, anytime, seed
// summaries): the NNN is always red, the MLPs blues and greys, the
// recurrent readers green and purple. Torch-free.
#pragma once

#include <string>

namespace nnn {

struct ExperimentConfig;  // nnn/config/experiment_config.h

/// The colour of method `key` (nnn_sequence, nnn_single, mlp_single,
/// mlp_average, mlp_average_random, mlp_logits, gru, lstm); "" for others.
inline std::string method_colour(const std::string& key) {
  if (key == "nnn_sequence") return "#d62728";
  if (key == "nnn_single") return "#ff9896";
  if (key == "mlp_single") return "#7f7f7f";
  if (key == "mlp_average") return "#1f77b4";
  if (key == "mlp_average_random") return "#aec7e8";
  if (key == "mlp_logits") return "#17becf";
  if (key == "gru") return "#2ca02c";
  if (key == "lstm") return "#9467bd";
  return "";
}

/// The method a trained run's config is, by the keys above: recurrent
/// readers by cell (gru, lstm), one-cell one-step models as MLPs by feed
/// (mlp_single, mlp_average, mlp_average_random), the rest as NNNs by feed
/// (nnn_single when fed frame 1 at every step, else nnn_sequence).
std::string method_key(const ExperimentConfig& config);

}  // namespace nnn
