// The cell-type registry: name -> factory, starting with nnn's own cell
// types (builtin_cell_factories(), nnn/core/builtin_cells.cpp).
#include "nnn/core/cell_contract.h"

#include <algorithm>
#include <map>
#include <mutex>

#include "nnn/util/error.h"

namespace nnn {

namespace {

struct Registry {
  std::mutex mutex;
  std::map<std::string, CellFactory> factories;
};

Registry& registry() {
  static Registry* instance = [] {
    auto* r = new Registry;
    r->factories = builtin_cell_factories();
    return r;
  }();
  return *instance;
}

std::string joined_names() {
  std::string out;
  for (const auto& name : cell_type_names()) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace

void register_cell_type(const std::string& name, CellFactory factory) {
  NNN_CHECK(!name.empty() && std::all_of(name.begin(), name.end(),
                                         [](char c) { return std::isalnum(c) || c == '_'; }),
            "cell type name '", name, "': use letters, digits and '_'");
  NNN_CHECK(factory != nullptr, "cell type '", name, "': the factory is empty");
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  NNN_CHECK(r.factories.count(name) == 0, "cell type '", name, "' is already registered");
  r.factories[name] = std::move(factory);
}

std::vector<std::string> cell_type_names() {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  std::vector<std::string> names;
  for (const auto& entry : r.factories) names.push_back(entry.first);
  return names;
}

bool has_cell_type(const std::string& name) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  return r.factories.count(name) > 0;
}

std::shared_ptr<torch::nn::Module> make_cell(const std::string& name, const CellSpec& spec) {
  CellFactory factory;
  {
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    const auto found = r.factories.find(name);
    if (found != r.factories.end()) factory = found->second;
  }
  NNN_CHECK(factory != nullptr, "cell type '", name,
            "' is not registered; known: ", joined_names());
  auto module = factory(spec);
  NNN_CHECK(module != nullptr, "cell type '", name, "': the factory returned no module");
  NNN_CHECK(dynamic_cast<CellContract*>(module.get()) != nullptr, "cell type '", name,
            "': its module does not implement nnn::CellContract");
  NNN_CHECK(!module->parameters().empty(), "cell type '", name, "' (cell ", spec.index,
            "): its module registered no parameters");
  return module;
}

CellContract& as_cell(torch::nn::Module& module) {
  auto* cell = dynamic_cast<CellContract*>(&module);
  NNN_CHECK(cell != nullptr, "module ", module.name(), " does not implement nnn::CellContract");
  return *cell;
}

int64_t cell_parameter_count(const std::string& name, const CellSpec& spec) {
  const int64_t builtin = builtin_cell_parameter_count(name, spec);
  if (builtin >= 0) return builtin;
  int64_t count = 0;
  for (const auto& p : make_cell(name, spec)->parameters()) count += p.numel();
  return count;
}

}  // namespace nnn
