// Activation names <-> enum.
#include "nnn/core/activation.h"

#include "nnn/util/error.h"

namespace nnn {

const std::vector<std::string>& activation_names() {
  static const std::vector<std::string> names = {"relu", "sigmoid", "tanh", "log_sigmoid",
                                                 "identity"};
  return names;
}

std::string to_string(Activation activation) {
  return activation_names().at(static_cast<size_t>(activation));
}

Activation parse_activation(const std::string& name) {
  const auto& names = activation_names();
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<Activation>(i);
  }
  std::string accepted;
  for (const auto& n : names) accepted += (accepted.empty() ? "" : ", ") + n;
  throw Error("unknown activation " + quoted(name) + "; expected one of " + accepted);
}

}  // namespace nnn
