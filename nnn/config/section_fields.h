// The numeric keys of the `train` section described once
// (nnn/util/number_fields.h): the reader checks each against its range,
// and docs/config-reference.md carries the table generated from it. The
// rules that tie keys together (min_lr <= lr, warmup_epochs <= epochs,
// nesterov needs momentum) stay in the reader. Torch-free, YAML-free.
#pragma once

#include <vector>

#include "nnn/config/experiment_config.h"
#include "nnn/util/number_fields.h"

namespace nnn {

using TrainField = NumberField<TrainConfig>;

/// Every numeric `train` key, in the order configs list them.
const std::vector<TrainField>& train_fields();

}  // namespace nnn
