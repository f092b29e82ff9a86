// The `data.degrade` section described once (nnn/util/number_fields.h): the
// YAML reader and writer, the web demo's JSON, the frames report's summary
// and the generated table in docs/config-reference.md walk this table.
// Torch-free.
#pragma once

#include <string>
#include <vector>

#include "nnn/data/frame_options.h"
#include "nnn/util/number_fields.h"

namespace nnn {

using DegradeField = NumberField<DegradeOptions>;

/// Every `data.degrade` key, in the order configs list them.
const std::vector<DegradeField>& degrade_fields();

/// The keys set away from their defaults, as "key value unit" joined by
/// ", " ("none" when every key has its default).
std::string describe_degrade(const DegradeOptions& options);

}  // namespace nnn
