// Which method a run is, for its colour.
#include "nnn/experiments/palette.h"

#include "nnn/config/experiment_config.h"

namespace nnn {

std::string method_key(const ExperimentConfig& config) {
  const std::string& cell = config.model.cell_type(0);
  if (cell == "gru" || cell == "lstm") return cell;
  const FrameFeed feed = config.data.frames.feed;
  if (config.model.wiring.size() == 1 && config.model.steps == 1) {
    return feed == FrameFeed::kAverage         ? "mlp_average"
           : feed == FrameFeed::kAverageRandom ? "mlp_average_random"
                                               : "mlp_single";
  }
  return feed == FrameFeed::kSingle ? "nnn_single" : "nnn_sequence";
}

}  // namespace nnn
