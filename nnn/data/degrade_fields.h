// The `data.degrade` section described once: each key's member, default,
// range and one-line meaning. The YAML reader and writer, the web demo's
// JSON and the generated table in docs/config-reference.md all walk this
// table, so a key or a bound added here appears in all of them. Torch-free.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "nnn/data/frame_options.h"

namespace nnn {

struct DegradeField {
  const char* key;
  std::variant<double DegradeOptions::*, int64_t DegradeOptions::*> member;
  double low;        // smallest value allowed (inclusive) ...
  double high;       // ... and largest: bounds keep kernels and loops finite
  const char* unit;  // for the reference table: "px", "degrees", ""
  const char* doc;   // one line: what the key does, and which value is off

  /// The field's value in `options`, as a double.
  double get(const DegradeOptions& options) const;
  /// Sets the field (an integer field takes the value as given: the reader
  /// has checked that it is whole).
  void set(DegradeOptions& options, double value) const;
  bool is_integer() const { return std::holds_alternative<int64_t DegradeOptions::*>(member); }
};

/// Every `data.degrade` key, in the order configs list them.
const std::vector<DegradeField>& degrade_fields();

/// Why `value` is not allowed for `field` ("" when it is): the range, and the
/// keys' own rules (low_resolution 1 means nothing; contrast 0 erases).
std::string degrade_value_problem(const DegradeField& field, double value);

/// The Markdown table of degrade keys (key, default, range, meaning) that
/// docs/config-reference.md carries between its generated-section markers.
std::string degrade_reference_markdown();

}  // namespace nnn
