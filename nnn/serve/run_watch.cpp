// Run directories read for the Training tab.
#include "nnn/serve/run_watch.h"

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "nnn/config/experiment_config.h"
#include "nnn/train/run_directory.h"
#include "nnn/util/error.h"
#include "nnn/util/files.h"

namespace nnn {

namespace fs = std::filesystem;

namespace {

std::string status_of(const RunDirectory& dir) {
  if (dir.has(RunFiles::kSummary)) return "finished";
  if (dir.has(RunFiles::kCheckpoint)) return "in progress";
  return "starting";
}

// The epochs the run's config asks for, or null when it cannot be read.
Json planned_epochs(const RunDirectory& dir) {
  try {
    return load_experiment(dir.config()).train.epochs;
  } catch (const std::exception&) {
    return nullptr;
  }
}

// metrics.jsonl's rows as the page plots them; a line that is not a JSON
// object (a file from another tool) is skipped.
Json metric_rows(const RunDirectory& dir) {
  Json rows = Json::array();
  const std::string path = dir.file(RunFiles::kMetricsJsonl);
  std::error_code error;
  if (!fs::is_regular_file(path, error) ||
      fs::file_size(path, error) > RunWatch::kMaxMetricsBytes) {
    return rows;
  }
  std::istringstream in(read_file(path, RunWatch::kMaxMetricsBytes));
  std::string line;
  while (std::getline(in, line)) {
    const Json row = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!row.is_object() || !row.contains("epoch")) continue;
    Json out = Json::object();
    for (const char* key :
         {"epoch", "train_loss", "test_loss", "test_accuracy", "lr", "samples_per_s", "seconds"}) {
      out[key] = row.contains(key) ? row.at(key) : Json(nullptr);
    }
    rows.push_back(std::move(out));
  }
  return rows;
}

}  // namespace

RunWatch::RunWatch(std::vector<std::string> runs, std::vector<std::string> folders)
    : runs_(std::move(runs)), folders_(std::move(folders)) {
  for (const auto& folder : folders_) {
    NNN_CHECK(fs::is_directory(folder), "serve: --watch ", quoted(folder, 80), " is not a folder");
  }
}

std::vector<std::pair<std::string, std::string>> RunWatch::listing() const {
  std::vector<std::pair<std::string, std::string>> out;
  auto add = [&](const std::string& dir) {
    std::string name = fs::path(dir).lexically_normal().generic_string();
    while (name.size() > 1 && name.back() == '/') name.pop_back();
    for (const auto& [known, _] : out) {
      if (known == name) return;
    }
    if (out.size() < kMaxRuns) out.emplace_back(name, dir);
  };
  for (const auto& dir : runs_) add(dir);
  for (const auto& folder : folders_) {
    std::vector<std::string> found;
    walk_folder(folder, 1, 100000, [&](const fs::directory_entry& entry) {
      std::error_code e;
      if (entry.is_directory(e) && fs::exists(entry.path() / RunFiles::kConfig, e)) {
        found.push_back(entry.path().string());
      }
    });
    std::sort(found.begin(), found.end());
    for (const auto& dir : found) add(dir);
  }
  return out;
}

Json RunWatch::runs() const {
  Json list = Json::array();
  for (const auto& [name, path] : listing()) {
    const RunDirectory dir(path);
    list.push_back({{"name", name},
                    {"status", status_of(dir)},
                    {"epochs_done", metric_rows(dir).size()},
                    {"epochs", planned_epochs(dir)}});
  }
  return {{"runs", std::move(list)}};
}

std::optional<Json> RunWatch::curves(const std::string& name) const {
  for (const auto& [known, path] : listing()) {
    if (known != name) continue;
    const RunDirectory dir(path);
    return Json{{"name", name},
                {"status", status_of(dir)},
                {"epochs", planned_epochs(dir)},
                {"rows", metric_rows(dir)}};
  }
  return std::nullopt;
}

}  // namespace nnn
