// Loading a run directory's config and model for eval, predict and serve.
#include "nnn/train/loaded_run.h"
#include "nnn/train/memory_estimate.h"

#include <torch/serialize.h>

#include "nnn/config/model_options.h"
#include "nnn/core/weights.h"
#include "nnn/runtime/device.h"
#include "nnn/train/run_directory.h"
#include "nnn/util/error.h"

namespace nnn {

LoadedRun load_run(const std::string& dir, const std::optional<DeviceSetting>& device_setting) {
  const RunDirectory run(dir);
  run.check_is_run();
  const ExperimentConfig config = load_experiment(run.config());
  check_memory(config);
  const torch::Device device = resolve_device(device_setting.value_or(config.device));
  NNN model(to_options(config.model));
  if (run.has(RunFiles::kWeights)) {
    load_weights(*model, run.weights());
  } else {
    NNN_CHECK(run.has(RunFiles::kCheckpoint), dir, ": neither ", RunFiles::kWeights, " nor ",
              RunFiles::kCheckpoint, " is there; the run has not finished an epoch");
    torch::serialize::InputArchive archive, model_archive;
    archive.load_from(run.checkpoint(), torch::Device(torch::kCPU));
    archive.read("model", model_archive);
    model->load(model_archive);
  }
  model->to(device);
  return {config, model, device};
}

}  // namespace nnn
