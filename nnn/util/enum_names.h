// Settings with a fixed set of values are enums parsed once, when the config
// is read; these helpers map an enum to and from its YAML word through one
// list of names per enum (the enum's values in order). Torch-free.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "nnn/util/error.h"

namespace nnn {

/// "a, b or c".
inline std::string join_choices(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    out += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  }
  return out;
}

/// The enum whose name is `word`; nnn::Error naming `what` and the choices otherwise.
template <typename Enum>
Enum enum_from_name(const std::vector<std::string>& names, const std::string& word,
                    const std::string& what) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == word) return static_cast<Enum>(i);
  }
  throw Error(what + " is " + quoted(word) + "; expected " + join_choices(names));
}

template <typename Enum>
const std::string& enum_name(const std::vector<std::string>& names, Enum value) {
  return names.at(static_cast<size_t>(value));
}

}  // namespace nnn
