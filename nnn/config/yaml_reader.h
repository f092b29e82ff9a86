// Typed, located reading of YAML maps: every error names file:line:column and
// the dotted key, unknown keys get a "did you mean". Only nnn/config includes
// yaml-cpp; the rest of nnn sees plain Options structs.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "nnn/util/error.h"

namespace nnn {

/// "file:line:column" (1-based) of a node, "override 'k=v'" for a node that
/// an override in scope created, or "file" when it has no mark.
std::string location(const std::string& file, const YAML::Node& node);

/// Registers the nodes that command-line overrides created while it lives,
/// so that location() names the override for them. One scope at a time per
/// thread.
class OverrideScope {
 public:
  OverrideScope();
  ~OverrideScope();
  OverrideScope(const OverrideScope&) = delete;
  OverrideScope& operator=(const OverrideScope&) = delete;
  void add(const YAML::Node& node, const std::string& setting);
};
/// The closest of `candidates` to `word` within a small edit distance, or "".
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);
/// Levenshtein distance.
size_t edit_distance(const std::string& a, const std::string& b);
/// Parses a YAML text; a syntax error names file:line:column.
YAML::Node parse_yaml(const std::string& text, const std::string& file);
/// Reads a whole text file; nnn::Error naming it when it cannot be read.
std::string read_text_file(const std::string& path);

/// Reads one YAML map. Call finish() after the last get: it reports keys that
/// were never asked for.
class MapReader {
 public:
  /// `path` is the dotted key of this map ("model.wiring"; "" at the top).
  MapReader(YAML::Node node, std::string path, std::string file);

  bool has(const std::string& key) const;
  int64_t get_int(const std::string& key);
  int64_t get_int(const std::string& key, int64_t fallback);
  double get_double(const std::string& key);
  double get_double(const std::string& key, double fallback);
  bool get_bool(const std::string& key, bool fallback);
  std::string get_string(const std::string& key);
  std::string get_string(const std::string& key, const std::string& fallback);
  /// A string that must be one of `choices`.
  std::string get_choice(const std::string& key, const std::vector<std::string>& choices,
                         const std::string& fallback);
  std::vector<int64_t> get_int_list(const std::string& key);
  /// One of `choices`, or a list of them; each wrong entry is named at its
  /// position with a "did you mean".
  std::vector<std::string> get_choice_or_list(const std::string& key,
                                              const std::vector<std::string>& choices,
                                              std::vector<std::string> fallback);
  /// An integer or a list of integers.
  std::vector<int64_t> get_int_or_list(const std::string& key, std::vector<int64_t> fallback);
  std::vector<std::vector<int64_t>> get_int_matrix(const std::string& key);
  /// A nested map.
  MapReader child(const std::string& key);
  /// Records `key` as known (for finish()'s hints) and tells whether it is set.
  bool has_known(const std::string& key);
  /// Throws for the first key never read, with a "did you mean".
  void finish() const;

  const YAML::Node& node() const { return node_; }
  const std::string& file() const { return file_; }
  std::string key_path(const std::string& key) const;
  /// nnn::Error "file:line:col: key: message" at `key` (or at the map).
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;

 private:
  YAML::Node need(const std::string& key);
  int64_t to_int(const YAML::Node& value, const std::string& key) const;

  YAML::Node node_;
  std::string path_;
  std::string file_;
  std::set<std::string> used_;
};

}  // namespace nnn
