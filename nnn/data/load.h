// Builds the train and test sets a DataConfig names.
#pragma once

#include <cstdint>

#include "nnn/config/experiment_config.h"
#include "nnn/data/dataset.h"

namespace nnn {

struct DataSplit {
  Dataset train;
  Dataset test;
};

/// The train/test split of `config.dataset`, deterministic in `seed`.
DataSplit load_data(const DataConfig& config, uint64_t seed);

}  // namespace nnn
