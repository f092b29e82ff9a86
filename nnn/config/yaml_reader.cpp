// MapReader and YAML helpers.
#include "nnn/config/yaml_reader.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "nnn/util/files.h"

namespace nnn {

namespace {
thread_local std::vector<std::pair<YAML::Node, std::string>>* g_overrides = nullptr;
}  // namespace

OverrideScope::OverrideScope() {
  g_overrides = new std::vector<std::pair<YAML::Node, std::string>>();
}
OverrideScope::~OverrideScope() {
  delete g_overrides;
  g_overrides = nullptr;
}
void OverrideScope::add(const YAML::Node& node, const std::string& setting) {
  if (g_overrides) g_overrides->emplace_back(node, setting);
}

std::string location(const std::string& file, const YAML::Node& node) {
  if (g_overrides) {
    for (const auto& entry : *g_overrides) {
      if (entry.first.is(node)) return "override " + quoted(entry.second, 120);
    }
  }
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) return file;
  return file + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = std::max<size_t>(2, word.size() / 3) + 1;
  for (const auto& candidate : candidates) {
    const size_t d = edit_distance(word, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

YAML::Node parse_yaml(const std::string& text, const std::string& file) {
  try {
    return YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw Error(file + ":" + std::to_string(e.mark.line + 1) + ":" +
                std::to_string(e.mark.column + 1) + ": YAML syntax error: " + e.msg);
  }
}

std::string read_text_file(const std::string& path) {
  check_regular_file(path, kMaxTextFileBytes, "config");
  std::ifstream in(path);
  NNN_CHECK(in.good(), "cannot read config ", path, ": ", std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

MapReader::MapReader(YAML::Node node, std::string path, std::string file)
    : node_(std::move(node)), path_(std::move(path)), file_(std::move(file)) {
  if (!node_.IsMap()) {
    const std::string what = node_.IsNull()       ? "nothing"
                             : node_.IsSequence() ? "a list"
                                                  : "a scalar";
    throw Error(location(file_, node_) + ": " + (path_.empty() ? "the document" : path_) +
                ": expected a map of keys, found " + what);
  }
  // yaml-cpp keeps the last of two equal keys; a config that says a thing
  // twice is a mistake, so name both places.
  std::map<std::string, YAML::Node> seen;
  for (const auto& entry : node_) {
    if (!entry.first.IsScalar()) continue;
    const std::string key = entry.first.Scalar();
    const auto first = seen.find(key);
    if (first != seen.end()) {
      throw Error(location(file_, entry.first) + ": " + key_path(key) +
                  ": the key appears twice in this map (first at " +
                  location(file_, first->second) + ")");
    }
    seen.emplace(key, entry.first);
  }
}

std::string MapReader::key_path(const std::string& key) const {
  // A key from the file is shown as it is when it is a plain word, else
  // quoted and escaped (it may hold line breaks or control characters).
  const bool plain = key.size() <= 60 && std::all_of(key.begin(), key.end(), [](char c) {
                       return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f;
                     });
  const std::string shown = plain ? key : quoted(key);
  return path_.empty() ? shown : path_ + "." + shown;
}

void MapReader::fail(const std::string& key, const std::string& message) const {
  const YAML::Node at = !key.empty() && node_[key] ? node_[key] : node_;
  throw Error(location(file_, at) + ": " + (key.empty() ? path_ : key_path(key)) + ": " + message);
}

bool MapReader::has(const std::string& key) const { return static_cast<bool>(node_[key]); }

YAML::Node MapReader::need(const std::string& key) {
  used_.insert(key);
  const YAML::Node& map = node_;  // const access never inserts the key
  if (!map[key]) {
    throw Error(location(file_, node_) + ": " + key_path(key) + ": required key is missing");
  }
  return map[key];
}

namespace {
std::string describe(const YAML::Node& value) {
  if (value.IsScalar()) return quoted(value.Scalar());
  if (value.IsSequence()) return "a list";
  if (value.IsMap()) return "a map";
  return "nothing";
}
}  // namespace

int64_t MapReader::to_int(const YAML::Node& value, const std::string& key) const {
  int64_t result = 0;
  if (!value.IsScalar() || !YAML::convert<int64_t>::decode(value, result)) {
    throw Error(location(file_, value) + ": " + key_path(key) + ": expected an integer, found " +
                describe(value));
  }
  return result;
}

int64_t MapReader::get_int(const std::string& key) { return to_int(need(key), key); }

int64_t MapReader::get_int(const std::string& key, int64_t fallback) {
  return has(key) ? get_int(key) : (used_.insert(key), fallback);
}

double MapReader::get_double(const std::string& key) {
  const YAML::Node value = need(key);
  double result = 0;
  if (!value.IsScalar() || !YAML::convert<double>::decode(value, result)) {
    throw Error(location(file_, value) + ": " + key_path(key) + ": expected a number, found " +
                describe(value));
  }
  if (!std::isfinite(result)) {
    throw Error(location(file_, value) + ": " + key_path(key) +
                ": expected a finite number, found " + describe(value));
  }
  return result;
}

double MapReader::get_double(const std::string& key, double fallback) {
  return has(key) ? get_double(key) : (used_.insert(key), fallback);
}

bool MapReader::get_bool(const std::string& key, bool fallback) {
  if (!has(key)) {
    used_.insert(key);
    return fallback;
  }
  const YAML::Node value = need(key);
  bool result = false;
  if (!value.IsScalar() || !YAML::convert<bool>::decode(value, result)) {
    throw Error(location(file_, value) + ": " + key_path(key) + ": expected true or false, found " +
                describe(value));
  }
  return result;
}

std::string MapReader::get_string(const std::string& key) {
  const YAML::Node value = need(key);
  if (!value.IsScalar()) {
    throw Error(location(file_, value) + ": " + key_path(key) + ": expected a string, found " +
                describe(value));
  }
  return value.Scalar();
}

std::string MapReader::get_string(const std::string& key, const std::string& fallback) {
  return has(key) ? get_string(key) : (used_.insert(key), fallback);
}

namespace {
// "'word' is not one of a, b, c; did you mean 'b'?"
std::string not_one_of(const std::string& word, const std::vector<std::string>& choices) {
  std::string list;
  for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
  const std::string hint = closest_match(word, choices);
  return quoted(word) + " is not one of " + list +
         (hint.empty() ? "" : "; did you mean '" + hint + "'?");
}
}  // namespace

std::string MapReader::get_choice(const std::string& key, const std::vector<std::string>& choices,
                                  const std::string& fallback) {
  const std::string value = get_string(key, fallback);
  if (std::find(choices.begin(), choices.end(), value) != choices.end()) return value;
  fail(key, not_one_of(value, choices));
}

std::vector<std::string> MapReader::get_choice_or_list(const std::string& key,
                                                       const std::vector<std::string>& choices,
                                                       std::vector<std::string> fallback) {
  if (!has(key)) {
    used_.insert(key);
    return fallback;
  }
  const YAML::Node value = need(key);
  std::vector<YAML::Node> items;
  if (value.IsSequence()) {
    for (const auto& item : value) items.push_back(item);
    if (items.empty()) fail(key, "the list is empty; give one name or one per cell");
  } else {
    items.push_back(value);
  }
  std::vector<std::string> out;
  for (const YAML::Node& item : items) {
    const std::string where = location(file_, item) + ": " + key_path(key) + ": ";
    if (!item.IsScalar()) throw Error(where + "expected a name, found " + describe(item));
    const std::string word = item.Scalar();
    if (std::find(choices.begin(), choices.end(), word) == choices.end()) {
      throw Error(where + not_one_of(word, choices));
    }
    out.push_back(word);
  }
  return out;
}

std::vector<int64_t> MapReader::get_int_list(const std::string& key) {
  const YAML::Node value = need(key);
  if (!value.IsSequence()) {
    throw Error(location(file_, value) + ": " + key_path(key) +
                ": expected a list of integers, found " + describe(value));
  }
  std::vector<int64_t> result;
  for (const auto& item : value) result.push_back(to_int(item, key));
  return result;
}

std::vector<int64_t> MapReader::get_int_or_list(const std::string& key,
                                                std::vector<int64_t> fallback) {
  if (!has(key)) {
    used_.insert(key);
    return fallback;
  }
  if (static_cast<const YAML::Node&>(node_)[key].IsSequence()) return get_int_list(key);
  return {get_int(key)};
}

std::vector<std::vector<int64_t>> MapReader::get_int_matrix(const std::string& key) {
  const YAML::Node value = need(key);
  if (!value.IsSequence()) {
    throw Error(location(file_, value) + ": " + key_path(key) +
                ": expected a matrix (a list of rows), found " + describe(value));
  }
  std::vector<std::vector<int64_t>> rows;
  for (size_t r = 0; r < value.size(); ++r) {
    const YAML::Node row = value[r];
    if (!row.IsSequence()) {
      throw Error(location(file_, row) + ": " + key_path(key) + ": row " + std::to_string(r) +
                  ": expected a list of integers, found " + describe(row));
    }
    std::vector<int64_t> parsed;
    for (const auto& item : row) parsed.push_back(to_int(item, key));
    rows.push_back(std::move(parsed));
  }
  return rows;
}

bool MapReader::has_known(const std::string& key) {
  used_.insert(key);
  return has(key);
}

MapReader MapReader::child(const std::string& key) {
  return MapReader(need(key), key_path(key), file_);
}

void MapReader::finish() const {
  std::vector<std::string> known(used_.begin(), used_.end());
  for (const auto& entry : node_) {
    const std::string key = entry.first.Scalar();
    if (used_.count(key) == 0) {
      const std::string hint = closest_match(key, known);
      // A key that an override added has no mark; its value names the override.
      const bool marked = !entry.first.Mark().is_null();
      throw Error(location(file_, marked ? entry.first : entry.second) + ": unknown key " +
                  quoted(key) + " in " + (path_.empty() ? "the top level" : path_) +
                  (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
    }
  }
}

}  // namespace nnn
