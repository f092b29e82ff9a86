// The fuzz build has no LibTorch, so no cell registry: the config reader
// sees nnn's built-in cell types (nnn/core/cell_types.cpp), the ones a
// config can name without registering its own. In the library these three
// functions live in nnn/core/cell_contract.cpp, over the registry.
#include <algorithm>

#include "nnn/core/cell_types.h"
#include "nnn/util/error.h"

namespace nnn {

std::vector<std::string> cell_type_names() { return builtin_cell_type_names(); }

bool has_cell_type(const std::string& name) {
  const auto& names = builtin_cell_type_names();
  return std::find(names.begin(), names.end(), name) != names.end();
}

int64_t cell_parameter_count(const std::string& name, const CellSpec& spec) {
  const int64_t count = builtin_cell_parameter_count(name, spec);
  NNN_CHECK(count >= 0, "cell type '", name, "' is not registered");
  return count;
}

}  // namespace nnn
