// A config section's numeric keys described once: each key's member, range,
// unit and one-line meaning. Readers check values against it, writers and
// the web demo walk it, and docs/config-reference.md carries the tables
// generated from it (checked by a test), so a key or a bound added here
// appears everywhere. Torch-free, YAML-free.
#pragma once

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

namespace nnn {

template <typename Options>
struct NumberField {
  const char* key;
  std::variant<double Options::*, int64_t Options::*> member;
  double low;        // smallest value allowed ...
  double high;       // ... and largest (inclusive; low_open makes the low end exclusive)
  const char* unit;  // "px", "degrees", "epochs", or ""
  const char* doc;   // one line: what the key does, and which value is off
  bool low_open = false;
  /// A rule beyond the range ("" when the value passes), or null.
  std::string (*rule)(double) = nullptr;
  bool required = false;  // no default: the config must give it

  double get(const Options& options) const {
    return std::visit([&](auto m) { return static_cast<double>(options.*m); }, member);
  }
  /// Sets the field (an integer field takes the value as given: the reader
  /// has checked that it is whole).
  void set(Options& options, double value) const {
    std::visit(
        [&](auto m) {
          using T = std::decay_t<decltype(options.*m)>;
          options.*m = static_cast<T>(value);
        },
        member);
  }
  bool is_integer() const { return std::holds_alternative<int64_t Options::*>(member); }

  std::string range() const {
    return fmt::format("{}{}..{}{}", low_open ? "> " : "", low, high,
                       *unit ? std::string(" ") + unit : "");
  }
  /// Why `value` is not allowed ("" when it is).
  std::string problem(double value) const {
    if (!std::isfinite(value)) return fmt::format("must be a finite number; found {}", value);
    if (is_integer() && value != std::floor(value)) {
      return fmt::format("must be a whole number; found {}", value);
    }
    if (value < low || value > high || (low_open && value == low)) {
      return fmt::format("must be in {}; found {}", range(), value);
    }
    return rule != nullptr ? rule(value) : "";
  }
};

/// The Markdown table of `fields` (key, default, range, meaning) under the
/// dotted `section` ("data.degrade"), as docs/config-reference.md holds it.
template <typename Options>
std::string fields_markdown(const std::string& section,
                            const std::vector<NumberField<Options>>& fields) {
  static const Options defaults{};
  std::string out = "| `" + section + "` key | default | range | meaning |\n|---|---|---|---|\n";
  for (const auto& f : fields) {
    const std::string given =
        f.required ? std::string("required") : fmt::format("`{}`", f.get(defaults));
    out += fmt::format("| `{}` | {} | {} | {} |\n", f.key, given, f.range(), f.doc);
  }
  return out;
}

}  // namespace nnn
