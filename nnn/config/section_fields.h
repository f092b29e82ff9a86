// The numeric keys of each config section described once
// (nnn/util/number_fields.h): the reader checks each against its range, the
// YAML writer walks the same tables, and docs/config-reference.md carries
// the tables generated from them (ConfigReference.TablesAreGenerated). The
// rules that tie keys together (min_lr <= lr, frames <= steps, the wiring's
// distance) stay in the reader. `data.degrade` has its own table beside the
// degradations (nnn/data/degrade_fields.h). Torch-free, YAML-free.
#pragma once

#include <string>
#include <vector>

#include "nnn/config/experiment_config.h"
#include "nnn/util/number_fields.h"

namespace nnn {

using TrainField = NumberField<TrainConfig>;
using ModelField = NumberField<ModelConfig>;
using DataField = NumberField<DataConfig>;
using FramesField = NumberField<FrameOptions>;
using DistField = NumberField<DistConfig>;

/// `model`: sizes, steps and dropout (hidden, a number or a list, and the
/// wiring are read beside them).
const std::vector<ModelField>& model_fields();

/// `data` keys every data source reads.
const std::vector<DataField>& data_fields();
/// The numeric keys of one data source (none for the folders and IDX
/// files, which are paths).
template <typename Source>
const std::vector<NumberField<Source>>& source_fields() {
  static const std::vector<NumberField<Source>> kNone;
  return kNone;
}
template <>
const std::vector<NumberField<CsvFile>>& source_fields<CsvFile>();
template <>
const std::vector<NumberField<SpiralPoints>>& source_fields<SpiralPoints>();
template <>
const std::vector<NumberField<ToyPoints>>& source_fields<ToyPoints>();
template <>
const std::vector<NumberField<FrameSetFolder>>& source_fields<FrameSetFolder>();
/// `data.frames` (frames per image; the degradations: degrade_fields()).
const std::vector<FramesField>& frames_fields();

/// Every numeric `train` key, in the order configs list them.
const std::vector<TrainField>& train_fields();

/// `dist`.
const std::vector<DistField>& dist_fields();

/// Every generated table of docs/config-reference.md: its marker name and
/// its Markdown.
std::vector<std::pair<std::string, std::string>> generated_reference_tables();

}  // namespace nnn
